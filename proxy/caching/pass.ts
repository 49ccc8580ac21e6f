/**
 * Owns what the cache passes through: unsafe methods, requests with
 * preconditions only the origin can evaluate (RFC 9111 §4.3.2) and
 * requests without a key. Nothing of theirs is looked up; an unsafe
 * method's success invalidates what afterResponse() names (RFC 9111
 * §4.4), and a POST response afterResponse() says to store (a cacheable
 * representation of its target, RFC 9110 §9.3.3) is then stored as a
 * fill (filled.ts). Also owns how an upstream exchange is shown to the
 * policy (exchangeOf).
 *
 * Must not store anything other than through filled.ts.
 */

import { afterResponse, type Exchange } from "../../cache/policy.ts";
import type {
  IncomingRequest,
  OutgoingResponse,
  RequestHead,
} from "../../http/types.ts";
import type { CacheFlow } from "../context.ts";
import { sendUpstream } from "../relay.ts";
import { UpstreamError } from "../upstream/errors.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";
import { invalidate, passedResponse, type PassReason } from "./answers.ts";
import { filledResponse, startFill } from "./filled.ts";

/** A request passed through: it may have no key (then nothing is invalidated). */
export type PassFlow = Omit<CacheFlow, "key"> & { key: string | undefined };

/**
 * Forwards a request the cache passes through; an unsafe method's
 * success invalidates what afterResponse() names (RFC 9111 §4.4).
 */
export async function passThrough(
  flow: PassFlow,
  fwd: PassReason,
): Promise<OutgoingResponse> {
  const started = Date.now();
  let up: UpstreamResponse;
  try {
    up = await sendUpstream(flow, flow.upstream);
  } catch (e) {
    if (!(e instanceof UpstreamError)) throw e;
    return passedResponse(flow, {
      fwd,
      error: e,
      upstreamMs: Date.now() - started,
    });
  }
  const responseTime = Date.now();
  if (flow.key !== undefined && fwd === "method") {
    const outcome = afterResponse(
      exchangeOf({ ...flow, key: flow.key }, {
        sent: flow.upstream,
        up,
        started,
        responseTime,
      }),
      { options: flow.options },
    );
    switch (outcome.kind) {
      case "invalidate": {
        await invalidate(flow, outcome.keys); // RFC 9111 §4.4: first
        if (!outcome.store) break;
        const stored = { ...flow, key: flow.key };
        const filling = startFill(stored, { up, draft: outcome.store }); // RFC 9110 §9.3.3
        flow.ctx.stats.count("cache.post_stored");
        return await filledResponse(stored, {
          up,
          filling,
          fwd,
          fwdStatus: up.head.status,
          upstreamMs: responseTime - started,
        });
      }
      default:
        break; // any other unsafe method's response is passed, never stored
    }
  }
  return passedResponse(flow, { fwd, up, upstreamMs: responseTime - started });
}

/** One upstream exchange as the policy sees it (cache/after_response.ts). */
export function exchangeOf(
  flow: { key: string; req: IncomingRequest },
  x: {
    sent: RequestHead;
    up: UpstreamResponse;
    started: number;
    responseTime: number;
  },
): Exchange {
  const { head, body } = x.up;
  return {
    key: flow.key,
    method: flow.req.head.method,
    requestFields: x.sent.headers, // as sent upstream (RFC 9111 §4.1)
    status: head.status,
    reason: head.reason,
    responseFields: head.headers,
    requestTime: x.started,
    responseTime: x.responseTime,
    trailingBytes: body.length === 0 && x.up.trailingBytes, // final at once for an empty body
  };
}
