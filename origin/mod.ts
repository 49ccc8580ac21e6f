/**
 * Owns starting the origin static file server from its configuration:
 * binding the listener and running the http/ server loop with the origin
 * handler.
 *
 * Must not parse flags (main.ts does) nor hold file-serving logic
 * (handler.ts and the modules beside it).
 */

import { UPSTREAM_HEAD_LIMITS } from "../http/head.ts";
import { listenResettable } from "../http/resettable_listener.ts";
import { type HttpServer, serveHttp } from "../http/server.ts";
import type { OriginConfig } from "./config.ts";
import { originHandler } from "./handler.ts";

/** A running origin: an HttpServer that can end the lab's waits before it stops. */
export interface OriginServer extends HttpServer {
  /**
   * Ends every wait of the lab (delays, slow bodies; their connections are
   * closed unanswered) and every later one, while the origin keeps
   * serving everything else. shutdown() does this too.
   */
  endWaits(): void;
}

export { originHandler, type OriginHandlerOptions } from "./handler.ts";
export { type LabScript, parseLabScript } from "./lab/script.ts";

/**
 * Binds `config.host:config.port` and serves files under `config.root`
 * (and the /lab/ routes when `config.lab` is given). Its shutdown() first
 * ends every wait of the lab (delays, slow bodies): their connections are
 * closed unanswered rather than held for the grace period. endWaits()
 * ends them alone, while the origin keeps serving (a lab stopping what
 * waits on it first).
 */
export async function startOrigin(config: OriginConfig): Promise<OriginServer> {
  // The lab's connections can be reset (/lab/rst): node:net underneath.
  const listener = config.lab
    ? await listenResettable(config.host, config.port)
    : Deno.listen({ hostname: config.host, port: config.port }); // throws e.g. Deno.errors.AddrInUse, for main.ts to report
  // The lab's waits end when the server stops, not when their timers do.
  const stopping = new AbortController();
  const handler = originHandler({
    root: config.root,
    cacheControl: config.cacheControl,
    now: config.now,
    lab: config.lab && { ...config.lab, stop: stopping.signal },
  });
  const server = serveHttp(listener, handler, {
    headTimeoutMs: config.headTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
    limits: UPSTREAM_HEAD_LIMITS, // room for what a proxy in front adds
    log: config.log,
    now: config.now, // the Date of the server's own 400, 408, ... too
  });
  return {
    get addr() {
      return server.addr;
    },
    get openConnections() {
      return server.openConnections;
    },
    endWaits(): void {
      stopping.abort();
    },
    shutdown(graceMs?: number): Promise<void> {
      stopping.abort();
      return server.shutdown(graceMs);
    },
  };
}
