/**
 * Owns the socket-free micro benchmark of the cache-hit path: N pipelined
 * GETs for one stored response (1 KiB, or --size BYTES) go through the
 * real server loop (http/connection.ts) and the proxy handler with a
 * memory store, or, with --file, a FileStore in a temp folder with the
 * CLI's default memory tier (16 MiB, bodies up to 1 MiB), over a fake
 * connection that hands out one request per read and swallows the
 * writes. Prints the CPU time per request (process.cpuUsage), which the
 * noise of a shared machine disturbs far less than wall time.
 *
 * Must not be imported by product code; not a test.
 *
 * Usage: deno run -A scripts/bench/hit_micro.ts [REQUESTS] [--file]
 *          [--size BYTES]
 */

import process from "node:process";
import { FileStore } from "../../cache/file_store.ts";
import { MemoryStore } from "../../cache/memory_store.ts";
import { META_VERSION } from "../../cache/meta.ts";
import { ConnectionState, serveConnection } from "../../http/connection.ts";
import { DEFAULT_HEAD_LIMITS } from "../../http/head.ts";
import { cacheStateFor } from "../../proxy/caching/state.ts";
import type { ProxyConfig } from "../../proxy/config.ts";
import { proxyHandler } from "../../proxy/handler.ts";
import { newViaName } from "../../proxy/messages.ts";
import { Stats } from "../../proxy/stats.ts";
import { poolUpstream } from "../../proxy/upstream/mod.ts";
import { UpstreamPool } from "../../proxy/upstream/pool.ts";

const args = Deno.args.filter((a, i) =>
  !a.startsWith("--") && Deno.args[i - 1] !== "--size"
);
const N = Number(args[0] ?? 300_000);
const onFile = Deno.args.includes("--file");
const sizeAt = Deno.args.indexOf("--size");
const BODY = sizeAt >= 0 ? Number(Deno.args[sizeAt + 1]) : 1024;
const REQUEST = new TextEncoder().encode(
  "GET /1k.bin HTTP/1.1\r\nHost: 127.0.0.1:18091\r\nUser-Agent: wrk\r\n\r\n",
);

const dir = onFile ? await Deno.makeTempDir({ prefix: "hit-micro-" }) : "";
const store = onFile
  ? await FileStore.open(dir, {
    sizeBytes: 1 << 30,
    memoryBytes: 16 << 20, // the CLI's default
    memoryMaxObject: 1 << 20,
  })
  : new MemoryStore({ sizeBytes: 1 << 30 });
const now = Date.now();
const writer = store.begin({
  version: META_VERSION,
  key: "http://127.0.0.1:18091/1k.bin", // the requests' Host names the proxy
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

const config: ProxyConfig = {
  host: "127.0.0.1",
  port: 18091,
  upstream: { host: "127.0.0.1", port: 18090 },
  forward: true,
  connectPorts: [443],
  connectTimeoutMs: 5000,
  responseTimeoutMs: 30_000,
  headTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  maxConnections: 1024,
  maxUpstreamConnections: 256,
};
const stats = new Stats();
const pool = new UpstreamPool({
  ...config,
  maxPerHost: config.maxUpstreamConnections,
  stats,
});
const cache = cacheStateFor(store, {
  maxObjectBytes: 1 << 28,
  skipBinary: false,
});
const self = { transport: "tcp" as const, hostname: "127.0.0.1", port: 18091 };
const upstream = poolUpstream(pool, { ...config, stats });
const viaName = newViaName();
const handler = proxyHandler({ config, upstream, stats, self, viaName, cache });

let sent = 0;
let written = 0;
const conn = {
  remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 5555 },
  read(p: Uint8Array): Promise<number | null> {
    if (sent >= N) return Promise.resolve(null);
    p.set(REQUEST);
    sent++;
    return Promise.resolve(REQUEST.length);
  },
  write(p: Uint8Array): Promise<number> {
    written += p.length;
    return Promise.resolve(p.length);
  },
  close() {},
} as unknown as Deno.Conn;

const cpuBefore = process.cpuUsage();
const started = performance.now();
await serveConnection(conn, new ConnectionState(), {
  handler,
  limits: DEFAULT_HEAD_LIMITS,
  headTimeoutMs: config.headTimeoutMs,
  idleTimeoutMs: config.idleTimeoutMs,
  stopping: () => false,
  log: () => {},
  count: (event) => stats.count(`downstream.${event}`),
  reportError: (e) => console.error(e),
});
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const hits = stats.get("cache.hits");
console.log(
  `${hits} hits: ${
    ((cpu.user + cpu.system) / N).toFixed(2)
  } µs CPU per request, ` +
    `${(wallMs * 1000 / N).toFixed(2)} µs wall, ${
      (written / N).toFixed(0)
    } bytes per response`,
);
await pool.close();
await store.close();
if (onFile) await Deno.remove(dir, { recursive: true });
if (hits !== N) Deno.exit(1);
