/**
 * Owns starting the caching proxy from its configuration: binding the
 * listener, wiring the upstream pool, counters and handler into the HTTP
 * server, and shutting them down in order.
 *
 * Must not parse flags (main.ts does) nor handle requests (handler.ts).
 */

import type { AccessLogEntry } from "../http/access_log.ts";
import { type Clock, realClock } from "../http/clock.ts";
import { type HttpServer, serveHttp } from "../http/server.ts";
import type { EventHub } from "./events.ts";
import type { ProxyConfig } from "./config.ts";
import { type CacheState, closeCache, openCache } from "./caching/state.ts";
import { proxyHandler } from "./handler.ts";
import { newViaName } from "./messages.ts";
import { RequestTimes, resultIndex } from "./durations.ts";
import { Stats } from "./stats.ts";
import { poolUpstream } from "./upstream/mod.ts";
import { UpstreamPool } from "./upstream/pool.ts";

/** A running proxy with its counters, cache and name in Via. */
export interface ProxyServer extends HttpServer {
  readonly stats: Stats;
  /** Requests by cache result and their durations (/metrics). */
  readonly times: RequestTimes;
  readonly cache: CacheState | undefined;
  /** This instance's name in Via (RFC 9110 §7.6.3), new for each proxy. */
  readonly viaName: string;
  /** The clock its cache reasons with (config.clock, else the real one). */
  readonly clock: Clock;
}

/**
 * What the server calls as each access-log line is written: counts the
 * request's duration (now minus the time its head was read) under its
 * cache result, and emits its event when `events` has a subscriber.
 * Allocates nothing when nobody subscribes. Durations are real time
 * (the entry's time is the real one http/connection.ts read).
 */
export function answeredHook(
  times: RequestTimes,
  events?: EventHub,
): (entry: AccessLogEntry) => void {
  return (entry) => {
    const ms = Date.now() - entry.time;
    const result = resultIndex(entry.suffix);
    times.observe(result, ms);
    events?.answered(entry, result, ms);
  };
}

/**
 * Opens the cache (unless --no-cache), binds the proxy and starts serving.
 * `cache` replaces the configured store (tests pass a memory store).
 */
export async function startProxy(
  config: ProxyConfig,
  cache?: CacheState,
): Promise<ProxyServer> {
  cache ??= config.cache ? await openCache(config.cache) : undefined;
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname: config.host, port: config.port });
  } catch (e) {
    if (cache) await closeCache(cache);
    throw e;
  }
  const stats = new Stats();
  const times = new RequestTimes();
  const events = config.events;
  if (cache && events) cache.store.observer = events;
  const pool = new UpstreamPool({
    connectTimeoutMs: config.connectTimeoutMs,
    responseTimeoutMs: config.responseTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
    maxPerHost: config.maxUpstreamConnections,
    stats,
  });
  const self = listener.addr;
  const upstream = poolUpstream(pool, {
    responseTimeoutMs: config.responseTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
    stats,
  });
  const viaName = newViaName();
  const clock = config.clock ?? realClock;
  const handler = proxyHandler({
    config,
    upstream,
    stats,
    self,
    viaName,
    cache,
    clock,
  });
  const server = serveHttp(listener, handler, {
    headTimeoutMs: config.headTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
    maxConnections: config.maxConnections,
    log: config.log,
    answered: answeredHook(times, events),
    count: (event) => stats.count(`downstream.${event}`),
    now: () => clock.now(), // the Date of the server's own 400, 408, ...
  });
  return {
    addr: server.addr,
    stats,
    times,
    cache,
    viaName,
    clock,
    get openConnections() {
      return server.openConnections;
    },
    async shutdown(graceMs?: number) {
      await server.shutdown(graceMs);
      if (cache) await closeCache(cache);
      await pool.close();
    },
  };
}
