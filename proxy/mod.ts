/**
 * Owns starting the caching proxy from its configuration: binding the
 * listener, wiring the upstream pool, counters and handler into the HTTP
 * server, and shutting them down in order.
 *
 * Must not parse flags (main.ts does) nor handle requests (handler.ts).
 */

import { type HttpServer, serveHttp } from "../http/server.ts";
import type { ProxyConfig } from "./config.ts";
import { proxyHandler } from "./handler.ts";
import { Stats } from "./stats.ts";
import { UpstreamPool } from "./upstream_pool.ts";

/** A running proxy with its counters. */
export interface ProxyServer extends HttpServer {
  readonly stats: Stats;
}

/** Binds the proxy and starts serving. */
export function startProxy(config: ProxyConfig): Promise<ProxyServer> {
  const listener = Deno.listen({ hostname: config.host, port: config.port });
  const stats = new Stats();
  const pool = new UpstreamPool({
    connectTimeoutMs: config.connectTimeoutMs,
    responseTimeoutMs: config.responseTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
    stats,
  });
  const self = listener.addr;
  const handler = proxyHandler({ config, pool, stats, self });
  const server = serveHttp(listener, handler, {
    headTimeoutMs: config.headTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
    maxConnections: config.maxConnections,
    log: config.log,
    count: (event) => stats.count(`downstream.${event}`),
  });
  return Promise.resolve({
    addr: server.addr,
    stats,
    get openConnections() {
      return server.openConnections;
    },
    async shutdown(graceMs?: number) {
      await server.shutdown(graceMs);
      pool.close();
    },
  });
}
