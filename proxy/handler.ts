/**
 * Owns the proxy's request path: routing and dispatch. Each request is
 * routed (reverse, forward, tunnel or refused), refused when it would
 * loop (508) or reach the admin listener (403), answered by the proxy
 * itself when RFC 9110 says so, or
 * handed to the cache flow (caching/flow.ts) or, without a cache, to the
 * relay (relay.ts).
 *
 * Must not parse bytes (http/ does) nor take RFC 9111 decisions
 * (cache/policy.ts does).
 */

import { latin1Bytes } from "../http/bytes.ts";
import { formatHttpDate } from "../http/dates.ts";
import { serializeRequestHead } from "../http/head.ts";
import { isSensitive } from "../http/field_kinds.ts";
import { FieldList } from "../http/headers.ts";
import type { Handler } from "../http/server.ts";
import type { IncomingRequest, OutgoingResponse } from "../http/types.ts";
import { serveWithCache } from "./caching/flow.ts";
import { errorResponse } from "./errors.ts";
import type { ProxyContext } from "./context.ts";
import { relay } from "./relay.ts";
import { loopsBack, mayReachGuarded, viaNamesSelf } from "./loops.ts";
import { answersItself } from "./messages.ts";
import { type Route, route } from "./target.ts";
import { openTunnel } from "./tunnel.ts";

/**
 * Builds the proxy's request handler. The request's `receivedAt` (real
 * time, read by http/connection.ts) is moved onto the proxy's clock
 * (ctx.clock) here, once: everything past this point reasons with it.
 */
export function proxyHandler(ctx: ProxyContext): Handler {
  return async (received) => {
    const now = ctx.clock.at(received.receivedAt);
    const req: IncomingRequest = now === received.receivedAt
      ? received // the real clock: no copy on the hot path
      : { ...received, receivedAt: now };
    const r = route(req.head, ctx.config);
    if (r.kind === "reject") {
      ctx.stats.count(`refused.${r.status}`);
      return withClose(errorResponse(r.status, { reason: r.reason, now }), req);
    }
    const loop = loopReason(req, { route: r, ctx });
    if (loop) {
      ctx.stats.count("refused.loop");
      return withClose(errorResponse(508, { reason: loop, now }), req); // RFC 5842 §7.2
    }
    if (r.kind !== "reverse" && reachesGuarded(r, ctx.config.guarded)) {
      ctx.stats.count("refused.guarded");
      const reason = "the admin listener is not reachable through the proxy";
      return withClose(errorResponse(403, { reason, now }), req);
    }
    if (r.kind === "tunnel") {
      return await openTunnel(ctx, { host: r.host, port: r.port, now });
    }
    if (answersItself(req.head)) return selfAnswer(req, ctx.viaName);
    if (ctx.cache) {
      return await serveWithCache({ ctx, cache: ctx.cache, req, route: r });
    }
    return await relay({ ctx, req, route: r });
  };
}

/**
 * Why the request would loop back to this proxy (its route names one of
 * our addresses, or its Via names us), or undefined.
 */
function loopReason(
  req: IncomingRequest,
  to: { route: Exclude<Route, { kind: "reject" }>; ctx: ProxyContext },
): string | undefined {
  const { route: r, ctx } = to;
  if (viaNamesSelf(req.head.headers, ctx.viaName)) {
    return "request already came through this proxy (Via)";
  }
  if (loopsBack(r, ctx.self)) {
    return r.kind === "reverse"
      ? "the upstream is this proxy itself"
      : "request would loop back to this proxy";
  }
  return undefined;
}

/** True when a forward or tunnel route would reach a guarded listener (ProxyConfig.guarded). */
function reachesGuarded(
  to: { host: string; port: number },
  guarded: readonly Deno.NetAddr[] | undefined,
): boolean {
  return guarded !== undefined &&
    guarded.some((addr) => mayReachGuarded(to, addr));
}

/**
 * TRACE or OPTIONS with Max-Forwards: 0, answered here (RFC 9110 §7.6.2).
 * TRACE echoes the request head without the fields likely to carry
 * credentials (RFC 9110 §9.3.8).
 */
function selfAnswer(req: IncomingRequest, viaName: string): OutgoingResponse {
  const headers = new FieldList([["Date", formatHttpDate(req.receivedAt)], [
    "Via",
    `1.1 ${viaName}`,
  ]]);
  if (req.head.method === "OPTIONS") {
    headers.append("Content-Length", "0");
    return { status: 200, headers, body: null };
  }
  headers.append("Content-Type", "message/http"); // RFC 9110 §9.3.8: TRACE echoes the request
  const echoed = req.head.headers.clone();
  echoed.deleteWhere(isSensitive); // RFC 9110 §9.3.8: exclude sensitive fields
  return {
    status: 200,
    headers,
    body: latin1Bytes(serializeRequestHead({ ...req.head, headers: echoed })),
  };
}

function withClose(
  res: OutgoingResponse,
  req: IncomingRequest,
): OutgoingResponse {
  if (
    req.head.headers.has("content-length") ||
    req.head.headers.has("transfer-encoding")
  ) {
    res.close = true; // an unread request body is not worth draining for a refusal
  }
  return res;
}
