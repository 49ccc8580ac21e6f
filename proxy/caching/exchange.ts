/**
 * Owns how an upstream exchange is shown to the policy: the request as
 * it was sent and the response head as it arrived, with their times
 * (cache/outcomes.ts Exchange), for afterResponse().
 *
 * Must not judge the response: cache/after_response.ts does.
 */

import type { Exchange } from "../../cache/policy.ts";
import type { IncomingRequest, RequestHead } from "../../http/types.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";

/** One upstream exchange as the policy sees it once the response head arrived. */
export function exchangeOf(
  flow: { key: string; req: IncomingRequest },
  x: {
    sent: RequestHead;
    up: UpstreamResponse;
    /** When the request went upstream, on the cache's clock (ms; RFC 9111 §4.2.3 request_time). */
    requestTime: number;
    /** When the response head arrived, on the cache's clock (ms; RFC 9111 §4.2.3 response_time). */
    responseTime: number;
  },
): Exchange {
  const { head } = x.up;
  return {
    key: flow.key,
    method: flow.req.head.method,
    requestFields: x.sent.headers, // as sent upstream (RFC 9111 §4.1)
    status: head.status,
    reason: head.reason,
    responseFields: head.headers,
    requestTime: x.requestTime,
    responseTime: x.responseTime,
    trailingBytes: x.up.trailingBytes, // as known now: final for a response without a body
  };
}
