/**
 * Owns what the cache passes through (cache/forwarding.ts passReason()
 * says which): unsafe methods, requests with preconditions only the
 * origin can evaluate (RFC 9111 §4.3.2) and requests without a key.
 * Nothing of theirs is looked up; an unsafe method's success forgets what
 * afterResponse() names (RFC 9111 §4.4: stored or being stored), and a
 * POST response afterResponse() says to store (a cacheable representation
 * of its target, RFC 9110 §9.3.3) is then stored as a fill (filled.ts).
 *
 * Must not store anything other than through filled.ts.
 */

import { afterResponse, type PassReason } from "../../cache/policy.ts";
import type { OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow } from "../context.ts";
import { sendUpstream } from "../relay.ts";
import { UpstreamError } from "../upstream/errors.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";
import { invalidate, passedResponse } from "./answers.ts";
import { exchangeOf } from "./exchange.ts";
import { draftEntry, filledResponse, startFill } from "./filled.ts";

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
  const started = Date.now(); // real time: the upstream's duration
  const requestTime = flow.ctx.clock.at(started); // the cache's clock (RFC 9111 §4.2.3)
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
  const arrived = Date.now();
  const responseTime = flow.ctx.clock.at(arrived);
  const upstreamMs = arrived - started;
  if (flow.key !== undefined && fwd === "method") {
    const keyed = { ...flow, key: flow.key };
    const exchange = exchangeOf(keyed, {
      sent: flow.upstream,
      up,
      requestTime,
      responseTime,
    });
    const outcome = afterResponse(exchange, { options: flow.options });
    flow.explain?.answered(exchange, outcome); // Cachelab-Explain, when asked
    switch (outcome.kind) {
      case "invalidate": {
        await invalidate(flow, outcome.keys); // RFC 9111 §4.4: first
        if (!outcome.store) break;
        using ticket = flow.cache.tickets.take(flow.key); // taken after the invalidation it follows
        const filling = startFill(keyed, {
          up,
          draft: outcome.store,
          ticket,
        }); // RFC 9110 §9.3.3
        flow.ctx.stats.count("cache.post_stored");
        return await filledResponse(keyed, {
          up,
          filling,
          entry: draftEntry(outcome.store, up.body.length),
          fwd,
          fwdStatus: up.head.status,
          upstreamMs,
        });
      }
      default:
        break; // any other unsafe method's response is passed, never stored
    }
  } else {
    flow.explain?.answered(
      exchangeOf({ ...flow, key: flow.key ?? "" }, {
        sent: flow.upstream,
        up,
        requestTime,
        responseTime,
      }),
    ); // relayed as it came: judged for nothing
  }
  return passedResponse(flow, { fwd, up, upstreamMs });
}
