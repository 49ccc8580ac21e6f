/**
 * Owns the proxy's request path: the one place where routing, the
 * upstream and (when configured) the cache meet. Each request is routed
 * (reverse, forward, tunnel or refused), answered by the proxy itself when
 * RFC 9110 says so, or exchanged with its upstream; failures become 502 or
 * 504 with a reason.
 *
 * Must not parse bytes (http/ does) nor take RFC 9111 decisions
 * (cache/policy.ts does).
 */

import { FieldList, stripHopByHop } from "../http/headers.ts";
import type { Handler } from "../http/server.ts";
import type {
  IncomingRequest,
  OutgoingResponse,
  ResponseHead,
} from "../http/types.ts";
import type { ProxyConfig } from "./config.ts";
import { errorResponse, failureStatus, UpstreamError } from "./errors.ts";
import { exchange, type UpstreamResponse } from "./exchange.ts";
import {
  answersItself,
  downstreamFields,
  upstreamRequest,
  VIA_NAME,
} from "./messages.ts";
import { formatHttpDate } from "../http/dates.ts";
import { latin1Bytes } from "../http/bytes.ts";
import { serializeRequestHead } from "../http/head.ts";
import type { Stats } from "./stats.ts";
import { type Route, route } from "./target.ts";
import { relayTunnel } from "./tunnel.ts";
import { connectWithTimeout, type UpstreamPool } from "./upstream_pool.ts";

/** What the handler works with. */
export interface ProxyContext {
  config: ProxyConfig;
  pool: UpstreamPool;
  stats: Stats;
  /** The proxy's own listening address, to refuse requests that loop back to it. */
  self: Deno.NetAddr;
}

/** A route that goes through an upstream exchange. */
export type HttpRoute = Extract<Route, { kind: "reverse" | "forward" }>;

/** Builds the proxy's request handler. */
export function proxyHandler(ctx: ProxyContext): Handler {
  return async (req) => {
    const now = req.receivedAt;
    const r = route(req.head, ctx.config);
    switch (r.kind) {
      case "reject":
        ctx.stats.count(`refused.${r.status}`);
        return withClose(errorResponse(r.status, r.reason, now), req);
      case "tunnel":
        return await openTunnel(ctx, r.host, r.port, now);
    }
    if (r.kind === "forward" && loopsBack(r, ctx.self)) {
      ctx.stats.count("refused.loop");
      return withClose(
        errorResponse(508, "request would loop back to this proxy", now),
        req,
      );
    }
    if (answersItself(req.head)) return selfAnswer(req, now);
    return await forward(ctx, req, r);
  };
}

/**
 * Sends the request upstream and relays the response, mapping upstream
 * failures to 502/504. The upstream time goes to the access log.
 */
export async function forward(
  ctx: ProxyContext,
  req: IncomingRequest,
  r: HttpRoute,
): Promise<OutgoingResponse> {
  const started = Date.now();
  let up: UpstreamResponse;
  try {
    up = await fetchUpstream(ctx, req, r);
  } catch (e) {
    if (!(e instanceof UpstreamError)) throw e;
    return upstreamErrorResponse(ctx, req, e);
  }
  const res = relayResponse(up.head, up.body, req.receivedAt);
  res.logSuffix = `${Date.now() - started}ms`;
  return res;
}

/** One upstream exchange for a client's request, interim responses relayed. */
export async function fetchUpstream(
  ctx: ProxyContext,
  req: IncomingRequest,
  r: HttpRoute,
): Promise<UpstreamResponse> {
  const head = upstreamRequest(req.head, r, req.remoteAddr);
  const fields = req.head.headers;
  const hasBody = fields.has("content-length") ||
    fields.has("transfer-encoding");
  ctx.stats.count("upstream.requests");
  return await exchange(
    ctx.pool,
    r.host,
    r.port,
    head,
    hasBody ? req.body : null,
    {
      responseTimeoutMs: ctx.config.responseTimeoutMs,
      idleTimeoutMs: ctx.config.idleTimeoutMs,
      expectContinue: req.head.version === "HTTP/1.1" &&
        fields.get("expect")?.toLowerCase() === "100-continue",
      onInterim: async (interim: ResponseHead) => {
        const relayed = interim.headers.clone();
        stripHopByHop(relayed);
        await req.sendInterim(interim.status, relayed);
      },
    },
  );
}

/** The downstream response for an upstream one: status and reason verbatim. */
export function relayResponse(
  head: ResponseHead,
  body: OutgoingResponse["body"],
  now: number,
): OutgoingResponse {
  return {
    status: head.status,
    reason: head.reason,
    headers: downstreamFields(head.headers, head.version, now),
    body,
  };
}

/** The 502/504 for an upstream failure, counted by kind. */
export function upstreamErrorResponse(
  ctx: ProxyContext,
  req: IncomingRequest,
  e: UpstreamError,
): OutgoingResponse {
  ctx.stats.count(`errors.${e.failure}`);
  return errorResponse(failureStatus(e.failure), e.message, req.receivedAt);
}

async function openTunnel(
  ctx: ProxyContext,
  host: string,
  port: number,
  now: number,
): Promise<OutgoingResponse> {
  let target: Deno.TcpConn;
  try {
    target = await connectWithTimeout(host, port, ctx.config.connectTimeoutMs);
  } catch (e) {
    if (!(e instanceof UpstreamError)) throw e;
    ctx.stats.count(`errors.${e.failure}`);
    return errorResponse(failureStatus(e.failure), e.message, now);
  }
  ctx.stats.count("tunnels");
  return {
    status: 200,
    reason: "Connection Established",
    headers: new FieldList(),
    upgrade: async (client, buffered) => {
      await relayTunnel(client, buffered, target, ctx.config.idleTimeoutMs);
    },
  };
}

/** TRACE or OPTIONS with Max-Forwards: 0, answered here (RFC 9110 §7.6.2). */
function selfAnswer(req: IncomingRequest, now: number): OutgoingResponse {
  const headers = new FieldList([["Date", formatHttpDate(now)], [
    "Via",
    `1.1 ${VIA_NAME}`,
  ]]);
  if (req.head.method === "OPTIONS") {
    headers.append("Content-Length", "0");
    return { status: 200, headers, body: null };
  }
  headers.append("Content-Type", "message/http"); // RFC 9110 §9.3.8: TRACE echoes the request
  return {
    status: 200,
    headers,
    body: latin1Bytes(serializeRequestHead(req.head)),
  };
}

function loopsBack(r: HttpRoute, self: Deno.NetAddr): boolean {
  if (r.port !== self.port) return false;
  const host = r.host.toLowerCase();
  return host === self.hostname || host === "localhost" ||
    host === "127.0.0.1" ||
    host === "::1" || (self.hostname === "0.0.0.0" || self.hostname === "::");
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
