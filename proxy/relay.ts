/**
 * Owns the path without a cache: a client's request sent through the
 * upstream seam and the answer relayed, status and reason verbatim; and
 * the pieces the caching flow shares with it: sending a routed request
 * upstream, the downstream response for an upstream one, and the 502/504
 * for an upstream failure.
 *
 * Must not take caching decisions nor parse bytes.
 */

import { keptTransferCodings } from "../http/transfer_coding.ts";
import type {
  BodyReader,
  OutgoingResponse,
  RequestHead,
  ResponseHead,
} from "../http/types.ts";
import type { ProxyContext, Routed } from "./context.ts";
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
export async function relay(routed: Routed): Promise<OutgoingResponse> {
  const { ctx, req, route } = routed;
  const started = Date.now();
  const head = upstreamRequest(req.head, {
    route,
    clientAddr: req.remoteAddr,
    viaName: ctx.viaName,
  });
  let up: UpstreamResponse;
  try {
    up = await sendUpstream(routed, head);
  } catch (e) {
    if (!(e instanceof UpstreamError)) throw e;
    return withStatus(
      upstreamErrorResponse(ctx, { error: e, now: req.receivedAt }),
      { status: BYPASS, result: "BYPASS", upstreamMs: Date.now() - started },
    );
  }
  const res = relayResponse(up, { now: req.receivedAt, viaName: ctx.viaName });
  return withStatus(res, {
    status: BYPASS,
    result: "BYPASS",
    upstreamMs: Date.now() - started,
  });
}

/**
 * Sends a routed client's request upstream through the seam, as `head`
 * (messages.ts upstreamRequest(), perhaps with the cache's validators),
 * with the client's body, Expect and interim responses. Rejects as
 * Upstream.exchange() does.
 */
export async function sendUpstream(
  routed: Routed,
  head: RequestHead,
): Promise<UpstreamResponse> {
  const { route } = routed;
  return await routed.ctx.upstream.exchange(
    requestFor(routed.req, { host: route.host, port: route.port, head }),
  );
}

/**
 * The downstream response for an upstream one: status and reason
 * verbatim. An upstream body known to be empty (HEAD, 204, 304, or
 * Content-Length: 0) is relayed as none, so the upstream's own
 * Content-Length passes unchanged. `now` dates a response without Date.
 */
export function relayResponse(
  up: { head: ResponseHead; body: BodyReader },
  hop: { now: number; viaName: string },
): OutgoingResponse {
  const { head, body } = up;
  return {
    status: head.status,
    reason: head.reason,
    headers: downstreamFields(head.headers, { ...hop, version: head.version }),
    body: body.length === 0 ? null : body,
    transferCodings: keptTransferCodings(head.headers), // RFC 9112 §7: relayed as it came, chunked on top
  };
}

/** The 502/504 for an upstream failure (`now`: for its Date), counted by kind. */
export function upstreamErrorResponse(
  ctx: ProxyContext,
  failed: { error: UpstreamError; now: number },
): OutgoingResponse {
  const e = failed.error;
  ctx.stats.count(`errors.${e.failure}`);
  return errorResponse(failureStatus(e.failure), {
    reason: e.message,
    now: failed.now,
  });
}
