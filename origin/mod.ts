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

export { originHandler, type OriginHandlerOptions } from "./handler.ts";
export { type LabScript, parseLabScript } from "./lab/script.ts";

/**
 * Binds `config.host:config.port` and serves files under `config.root`
 * (and the /lab/ routes when `config.lab` is given).
 */
export async function startOrigin(config: OriginConfig): Promise<HttpServer> {
  // The lab's connections can be reset (/lab/rst): node:net underneath.
  const listener = config.lab
    ? await listenResettable(config.host, config.port)
    : Deno.listen({ hostname: config.host, port: config.port }); // throws e.g. Deno.errors.AddrInUse, for main.ts to report
  const handler = originHandler({
    root: config.root,
    cacheControl: config.cacheControl,
    now: config.now,
    lab: config.lab,
  });
  return serveHttp(listener, handler, {
    headTimeoutMs: config.headTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
    limits: UPSTREAM_HEAD_LIMITS, // room for what a proxy in front adds
    log: config.log,
  });
}
