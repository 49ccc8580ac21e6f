/**
 * Owns the micro benchmark of the miss path: N requests, each for a URL
 * never asked before, go through the real server loop (http/connection.ts),
 * the proxy handler and the caching flow (or, with --no-cache, the relay),
 * the real upstream pool and client, to a raw in-process upstream on
 * loopback that answers every request with the same canned 1 KiB response
 * (max-age=3600). The client side is a fake connection that hands out one
 * request per read and swallows the writes. The store is a memory store
 * (the file store's cost is left out: it is measured by the bench), or,
 * with --file, a FileStore in a temp folder with the CLI's default memory
 * tier). Prints the CPU time per request (process.cpuUsage; the
 * upstream's few µs included), which the noise of a shared machine
 * disturbs far less than wall time, then Deno.memoryUsage() (after a full
 * GC when run with --v8-flags=--expose-gc).
 *
 * Must not be imported by product code; not a test.
 *
 * Usage: deno run -A [--v8-flags=...] scripts/bench/miss_micro.ts [REQUESTS]
 *          [--no-cache | --file] [--size BYTES]
 */

import { FileStore } from "../../cache/file_store.ts";
import { CACHE_DEFAULTS } from "../../cli/cache_flags.ts";
import { MemoryStore } from "../../cache/memory_store.ts";
import type { Store } from "../../cache/store.ts";
import {
  describeRun,
  microArgs,
  microProxy,
  PROXY_PORT,
  serveScripted,
} from "./micro_harness.ts";

const { requests: N, flags, bodyBytes: BODY } = microArgs(20_000);
const noCache = flags.has("--no-cache");
const onFile = flags.has("--file");
const encoder = new TextEncoder();

// The upstream: every request head gets the same response.
const RESPONSE = (() => {
  const head = encoder.encode(
    "HTTP/1.1 200 OK\r\nDate: " + new Date().toUTCString() +
      "\r\nCache-Control: max-age=3600\r\nLast-Modified: Tue, 24 Nov 2026 10:00:00 GMT\r\n" +
      'ETag: "400-1a2b3c"\r\nContent-Type: application/octet-stream\r\n' +
      `Content-Length: ${BODY}\r\n\r\n`,
  );
  const bytes = new Uint8Array(head.length + BODY);
  bytes.set(head);
  bytes.fill(7, head.length);
  return bytes;
})();
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const upstreamPort = (listener.addr as Deno.NetAddr).port;
const upstreamConns = new Set<Deno.Conn>();
const serving = (async () => {
  for await (const conn of listener) {
    upstreamConns.add(conn);
    answer(conn).catch(() => {}).finally(() => upstreamConns.delete(conn));
  }
})();

/** Answers each request head (no request bodies here) with RESPONSE. */
async function answer(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  let tail = 0; // bytes of "\r\n\r\n" matched so far
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    for (let i = 0; i < n; i++) {
      const c = buf[i];
      tail = (c === 13 && (tail === 0 || tail === 2)) ||
          (c === 10 && (tail === 1 || tail === 3))
        ? tail + 1
        : 0;
      if (tail === 4) {
        tail = 0;
        for (let at = 0; at < RESPONSE.length;) {
          at += await conn.write(RESPONSE.subarray(at));
        }
      }
    }
  }
  conn.close();
}

const dir = onFile ? await Deno.makeTempDir({ prefix: "miss-micro-" }) : "";
const store: Store | undefined = noCache
  ? undefined
  : onFile
  ? await FileStore.open(dir, {
    sizeBytes: 1 << 30,
    memoryBytes: CACHE_DEFAULTS.memoryBytes,
  })
  : new MemoryStore({ sizeBytes: 64 << 20 });
const proxy = microProxy(upstreamPort, store);
const run = await serveScripted(
  proxy,
  N,
  (i) =>
    encoder.encode(
      `GET /1k.bin?n=${i} HTTP/1.1\r\nHost: 127.0.0.1:${PROXY_PORT}\r\nUser-Agent: wrk\r\n\r\n`,
    ),
);
const misses = proxy.stats.get("cache.misses");
const stored = proxy.stats.get("cache.stored");
const reached = proxy.stats.get("upstream.requests");
console.log(
  `${reached} upstream requests, ${misses} misses, ${stored} stored: ${
    describeRun(run)
  }`,
);
await proxy.pool.close();
await store?.close();
listener.close();
for (const c of upstreamConns) c.close();
await serving;
if (onFile) await Deno.remove(dir, { recursive: true });
(globalThis as { gc?: () => void }).gc?.();
console.log(JSON.stringify(Deno.memoryUsage()));
if (reached !== N || (!noCache && stored !== N)) Deno.exit(1);
