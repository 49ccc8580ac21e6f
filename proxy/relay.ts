/**
 * Owns exchanging a client's request with its upstream and relaying the
 * answer: the upstream request built and sent, interim responses passed
 * on, the response relayed with status and reason verbatim, and upstream
 * failures turned into 502/504 with a reason. Used as is without a cache,
 * and by the cache flow for its misses and revalidations.
 *
 * Must not take caching decisions nor parse bytes.
 */

import { checkRequestSize } from "../http/client.ts";
import { UPSTREAM_HEAD_LIMITS } from "../http/head.ts";
import { stripHopByHop } from "../http/headers.ts";
import type {
  BodyReader,
  IncomingRequest,
  OutgoingResponse,
  RequestHead,
  ResponseHead,
} from "../http/types.ts";
import type { HttpRoute, ProxyContext } from "./context.ts";
import { errorResponse } from "./errors.ts";
import { failureStatus, UpstreamError } from "./upstream/errors.ts";
import { exchange, type UpstreamResponse } from "./upstream/exchange.ts";
import { downstreamFields, upstreamRequest } from "./messages.ts";
import { withStatus } from "./report.ts";

/**
 * Sends the request upstream and relays the response, mapping upstream
 * failures to 502/504 (the path without a cache). The upstream time goes
 * to the access log.
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
    return withStatus(
      upstreamErrorResponse(ctx, req, e),
      BYPASS,
      "BYPASS",
      Date.now() - started,
    );
  }
  const res = relayResponse(up.head, up.body, req.receivedAt);
  return withStatus(res, BYPASS, "BYPASS", Date.now() - started);
}

/** Cache-Status without a cache (--no-cache): every request goes forward. */
const BYPASS = { hit: false, fwd: "bypass" } as const;

/**
 * One upstream exchange for a client's request, interim responses relayed.
 * `head` is the request to send, built by messages.ts upstreamRequest()
 * (the cache builds it itself, to key Vary by it and swap in its own
 * validators).
 */
export async function fetchUpstream(
  ctx: ProxyContext,
  req: IncomingRequest,
  r: HttpRoute,
  head: RequestHead = upstreamRequest(req.head, r, req.remoteAddr),
): Promise<UpstreamResponse> {
  checkRequestSize(head, UPSTREAM_HEAD_LIMITS); // 431 here, not from the upstream
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
      count: (name) => ctx.stats.count(name),
    },
  );
}

/**
 * The downstream response for an upstream one: status and reason
 * verbatim. An upstream body known to be empty (HEAD, 204, 304, or
 * Content-Length: 0) is relayed as none, so the upstream's own
 * Content-Length passes unchanged.
 */
export function relayResponse(
  head: ResponseHead,
  body: BodyReader,
  now: number,
): OutgoingResponse {
  return {
    status: head.status,
    reason: head.reason,
    headers: downstreamFields(head.headers, head.version, now),
    body: body.length === 0 ? null : body,
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
