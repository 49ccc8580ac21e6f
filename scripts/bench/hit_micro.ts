/**
 * Owns the socket-free micro benchmark of the cache-hit path: N pipelined
 * GETs for one stored response (1 KiB, or --size BYTES) go through the
 * real server loop (http/connection.ts) and the proxy handler with a
 * memory store, or, with --file, a FileStore in a temp folder with the
 * CLI's default memory tier (CACHE_DEFAULTS, bodies up to 1 MiB), over a fake
 * connection that hands out one request per read and swallows the
 * writes. Prints the CPU time per request (process.cpuUsage), which the
 * noise of a shared machine disturbs far less than wall time. With
 * --subscriber, the proxy's event hub has one subscriber (counting the
 * events it gets), as with a client on /api/events.
 *
 * Must not be imported by product code; not a test.
 *
 * Usage: deno run -A scripts/bench/hit_micro.ts [REQUESTS] [--file]
 *          [--size BYTES] [--subscriber]
 */

import { FileStore } from "../../cache/file_store.ts";
import { CACHE_DEFAULTS } from "../../cli/cache_flags.ts";
import { MemoryStore } from "../../cache/memory_store.ts";
import { META_VERSION } from "../../cache/meta.ts";
import { EventHub } from "../../proxy/events.ts";
import {
  describeRun,
  microArgs,
  microProxy,
  PROXY_PORT,
  serveScripted,
} from "./micro_harness.ts";

const { requests: N, flags, bodyBytes: BODY } = microArgs(300_000);
const onFile = flags.has("--file");
const REQUEST = new TextEncoder().encode(
  `GET /1k.bin HTTP/1.1\r\nHost: 127.0.0.1:${PROXY_PORT}\r\nUser-Agent: wrk\r\n\r\n`,
);

const dir = onFile ? await Deno.makeTempDir({ prefix: "hit-micro-" }) : "";
const store = onFile
  ? await FileStore.open(dir, {
    sizeBytes: 1 << 30,
    memoryBytes: CACHE_DEFAULTS.memoryBytes,
    memoryMaxObject: 1 << 20,
  })
  : new MemoryStore({ sizeBytes: 1 << 30 });
const now = Date.now();
const writer = store.begin({
  version: META_VERSION,
  key: `http://127.0.0.1:${PROXY_PORT}/1k.bin`, // the requests' Host names the proxy
  vary: [],
  status: 200,
  reason: "OK",
  headers: [
    ["Date", new Date(now).toUTCString()],
    ["Cache-Control", "max-age=3600"],
    ["Last-Modified", "Tue, 24 Nov 2026 10:00:00 GMT"],
    ["ETag", '"400-1a2b3c"'],
    ["Content-Type", "application/octet-stream"],
    ["Content-Length", String(BODY)],
  ],
  requestTime: now,
  responseTime: now,
  correctedInitialAge: 0,
  freshUntil: now + 3_600_000,
  keepUntil: null,
});
await writer.write(new Uint8Array(BODY).fill(7));
await writer.commit(BODY);

// No request reaches the upstream: its port is never connected to.
let heard = 0;
const events = flags.has("--subscriber") ? new EventHub() : undefined;
events?.subscribe(() => heard++);
const proxy = microProxy(PROXY_PORT - 1, store, events);
const run = await serveScripted(proxy, N, () => REQUEST);
const hits = proxy.stats.get("cache.hits");
const heardText = events ? `, ${heard} events heard` : "";
console.log(`${hits} hits: ${describeRun(run)}${heardText}`);
if (proxy.times.count("HIT") !== N) {
  console.error(`Cannot trust the run: ${proxy.times.count("HIT")} HIT timed`);
  Deno.exit(1);
}
await proxy.pool.close();
await store.close();
if (onFile) await Deno.remove(dir, { recursive: true });
if (hits !== N) Deno.exit(1);
