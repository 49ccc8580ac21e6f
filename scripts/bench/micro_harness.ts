/**
 * Owns what the socket-free micro benchmarks (hit_micro.ts, miss_micro.ts)
 * share: their arguments, the proxy they drive (the real handler, caching
 * flow, upstream pool and client, on a config of fixed ports), and the
 * fake client connection that hands out one request per read through the
 * real server loop (http/connection.ts) and swallows the writes, timed in
 * CPU (process.cpuUsage) and wall time.
 *
 * Must not be imported by product code; not a test.
 */

import process from "node:process";
import type { Store } from "../../cache/store.ts";
import { realClock } from "../../http/clock.ts";
import { ConnectionState, serveConnection } from "../../http/connection.ts";
import { DEFAULT_HEAD_LIMITS } from "../../http/head.ts";
import { cacheStateFor } from "../../proxy/caching/state.ts";
import type { ProxyConfig } from "../../proxy/config.ts";
import { proxyHandler } from "../../proxy/handler.ts";
import { RequestTimes } from "../../proxy/durations.ts";
import type { EventHub } from "../../proxy/events.ts";
import { newViaName } from "../../proxy/messages.ts";
import { answeredHook } from "../../proxy/mod.ts";
import { Stats } from "../../proxy/stats.ts";
import { poolUpstream } from "../../proxy/upstream/mod.ts";
import { UpstreamPool } from "../../proxy/upstream/pool.ts";

/** The port the requests' Host names: the proxy's own (keys are `http://127.0.0.1:18091/...`). */
export const PROXY_PORT = 18091;

/** A benchmark's command line: REQUESTS (else `defaultRequests`), the flags given, `--size BYTES` (1024). */
export function microArgs(defaultRequests: number): {
  requests: number;
  flags: Set<string>;
  bodyBytes: number;
} {
  const args = Deno.args.filter((a, i) =>
    !a.startsWith("--") && Deno.args[i - 1] !== "--size"
  );
  const sizeAt = Deno.args.indexOf("--size");
  return {
    requests: Number(args[0] ?? defaultRequests),
    flags: new Set(Deno.args.filter((a) => a.startsWith("--"))),
    bodyBytes: sizeAt >= 0 ? Number(Deno.args[sizeAt + 1]) : 1024,
  };
}

/**
 * The proxy a micro benchmark drives: its handler, counters, request
 * times (and event hub, when given), and the pool to close at the end.
 */
export interface MicroProxy {
  handler: ReturnType<typeof proxyHandler>;
  stats: Stats;
  times: RequestTimes;
  events?: EventHub;
  config: ProxyConfig;
  pool: UpstreamPool;
}

/**
 * A proxy in front of 127.0.0.1:`upstreamPort`, caching in `store` (none:
 * the relay), emitting on `events` when given.
 */
export function microProxy(
  upstreamPort: number,
  store: Store | undefined,
  events?: EventHub,
): MicroProxy {
  const config: ProxyConfig = {
    host: "127.0.0.1",
    port: PROXY_PORT,
    upstream: { host: "127.0.0.1", port: upstreamPort },
    forward: true,
    connectPorts: [443],
    connectTimeoutMs: 5000,
    responseTimeoutMs: 30_000,
    headTimeoutMs: 10_000,
    idleTimeoutMs: 60_000,
    maxConnections: 1024,
    maxUpstreamConnections: 256,
    events,
  };
  const stats = new Stats();
  const pool = new UpstreamPool({
    ...config,
    maxPerHost: config.maxUpstreamConnections,
    stats,
  });
  const cache = store &&
    cacheStateFor(store, { maxObjectBytes: 1 << 28, skipBinary: false });
  const self = {
    transport: "tcp" as const,
    hostname: "127.0.0.1",
    port: PROXY_PORT,
  };
  const upstream = poolUpstream(pool, { ...config, stats });
  const viaName = newViaName();
  const handler = proxyHandler({
    config,
    upstream,
    stats,
    self,
    viaName,
    cache,
    clock: realClock,
  });
  if (store && events) store.observer = events;
  return { handler, stats, times: new RequestTimes(), events, config, pool };
}

/** What one scripted run cost: per request, CPU and wall in µs, and bytes written. */
export interface MicroRun {
  cpuMicros: number;
  wallMicros: number;
  bytesPerResponse: number;
}

/**
 * Serves `requests` requests, the i-th (1-based) being `requestAt(i)`, on
 * one fake keep-alive connection through the real server loop.
 */
export async function serveScripted(
  proxy: MicroProxy,
  requests: number,
  requestAt: (i: number) => Uint8Array,
): Promise<MicroRun> {
  let sent = 0;
  let written = 0;
  const conn = {
    remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 5555 },
    read(p: Uint8Array): Promise<number | null> {
      if (sent >= requests) return Promise.resolve(null);
      const request = requestAt(++sent);
      p.set(request);
      return Promise.resolve(request.length);
    },
    write(p: Uint8Array): Promise<number> {
      written += p.length;
      return Promise.resolve(p.length);
    },
    close() {},
  } as unknown as Deno.Conn;
  const { config, stats } = proxy;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await serveConnection(conn, new ConnectionState(), {
    handler: proxy.handler,
    limits: DEFAULT_HEAD_LIMITS,
    headTimeoutMs: config.headTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
    stopping: () => false,
    log: answeredHook(proxy.times, proxy.events), // as the proxy's server does without log lines
    count: (event) => stats.count(`downstream.${event}`),
    reportError: (e) => console.error(e),
  });
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    cpuMicros: (cpu.user + cpu.system) / requests,
    wallMicros: wallMs * 1000 / requests,
    bytesPerResponse: written / requests,
  };
}

/** One line: "µs CPU per request, µs wall, bytes per response". */
export function describeRun(run: MicroRun): string {
  return `${run.cpuMicros.toFixed(2)} µs CPU per request, ${
    run.wallMicros.toFixed(2)
  } µs wall, ${run.bytesPerResponse.toFixed(0)} bytes per response`;
}
