/**
 * Owns the path without a cache: a client's request sent through the
 * upstream seam and the answer relayed, status and reason verbatim; and
 * the two pieces the caching flow shares with it: the downstream response
 * for an upstream one, and the 502/504 for an upstream failure.
 *
 * Must not take caching decisions nor parse bytes.
 */

import type {
  BodyReader,
  IncomingRequest,
  OutgoingResponse,
  ResponseHead,
} from "../http/types.ts";
import type { HttpRoute, ProxyContext } from "./context.ts";
import { errorResponse } from "./errors.ts";
import { downstreamFields, upstreamRequest } from "./messages.ts";
import { withStatus } from "./report.ts";
import { failureStatus, UpstreamError } from "./upstream/errors.ts";
import { requestFor, type UpstreamResponse } from "./upstream/mod.ts";

/** Cache-Status without a cache (--no-cache): every request goes forward. */
const BYPASS = { hit: false, fwd: "bypass" } as const;

/**
 * Sends the request upstream and relays the response, mapping upstream
 * failures to 502/504 (the path without a cache). The upstream time goes
 * to the access log.
 */
export async function relay(
  ctx: ProxyContext,
  req: IncomingRequest,
  route: HttpRoute,
): Promise<OutgoingResponse> {
  const started = Date.now();
  const head = upstreamRequest(req.head, route, req.remoteAddr);
  let up: UpstreamResponse;
  try {
    up = await ctx.upstream.exchange(
      requestFor(req, { host: route.host, port: route.port, head }),
    );
  } catch (e) {
    if (!(e instanceof UpstreamError)) throw e;
    return withStatus(
      upstreamErrorResponse(ctx, { error: e, now: req.receivedAt }),
      { status: BYPASS, result: "BYPASS", upstreamMs: Date.now() - started },
    );
  }
  const res = relayResponse(up, req.receivedAt);
  return withStatus(res, {
    status: BYPASS,
    result: "BYPASS",
    upstreamMs: Date.now() - started,
  });
}

/**
 * The downstream response for an upstream one: status and reason
 * verbatim. An upstream body known to be empty (HEAD, 204, 304, or
 * Content-Length: 0) is relayed as none, so the upstream's own
 * Content-Length passes unchanged.
 */
export function relayResponse(
  up: { head: ResponseHead; body: BodyReader },
  now: number,
): OutgoingResponse {
  const { head, body } = up;
  return {
    status: head.status,
    reason: head.reason,
    headers: downstreamFields(head.headers, head.version, now),
    body: body.length === 0 ? null : body,
  };
}

/** The 502/504 for an upstream failure (`now`: for its Date), counted by kind. */
export function upstreamErrorResponse(
  ctx: ProxyContext,
  failed: { error: UpstreamError; now: number },
): OutgoingResponse {
  const e = failed.error;
  ctx.stats.count(`errors.${e.failure}`);
  return errorResponse(failureStatus(e.failure), e.message, failed.now);
}
