/**
 * Owns the upstream half of the cache flow: a request sent upstream for a
 * miss, a revalidation or a range's missing part (with the validators
 * validatorsSent() names, holding a ticket for its key), and
 * afterResponse()'s or afterFailure()'s outcome turned into I/O (store,
 * replace, store a part, freshen, select, remove, pass, serve stale,
 * invalidate, refetch) through filled.ts, part_filled.ts, answers.ts,
 * selected.ts and failed.ts. The leader's lock hears what it does.
 *
 * Must not decide (cache/policy.ts does) nor loop: flow.ts starts the
 * next round when this gives no answer.
 */

import {
  afterResponse,
  type Decision,
  type ForwardReason,
  judgedVariants,
  validatorsSent,
} from "../../cache/policy.ts";
import { isPending } from "../../cache/variants.ts";
import type { OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow } from "../context.ts";
import { withOwnValidators } from "../messages.ts";
import { sendUpstream } from "../relay.ts";
import { UpstreamError } from "../upstream/errors.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";
import { freshened, invalidate, relayed, removed } from "./answers.ts";
import type { FillLock } from "./collapsing.ts";
import { exchangeOf } from "./exchange.ts";
import { serveStale, upstreamFailed } from "./failed.ts";
import { draftEntry, filledResponse, startFill } from "./filled.ts";
import { partFilled } from "./part_filled.ts";
import { selected } from "./selected.ts";

/** A decision that goes upstream. */
export type Forwarding = Extract<
  Decision,
  { kind: "miss" | "revalidate" | "fill-range" }
>;

/** How a request goes upstream (forward()). */
export interface Going {
  decision: Forwarding;
  /** This request's fill of the key, when it holds one. */
  lock: FillLock | undefined;
  /**
   * Told why, when no usable response came (the upstream could not be
   * reached, or answered a server error).
   */
  onFailure?: (why: string) => void;
}

/**
 * Goes upstream for a miss, a revalidation or a range's missing part and
 * acts on the outcome.
 * Undefined when the request must start over as a plain miss (a 304 that
 * matched nothing, a stored body that vanished). The exchange holds a
 * ticket for its key (tickets.ts) until what it stores settled.
 */
export async function forward(
  flow: CacheFlow,
  going: Going,
): Promise<OutgoingResponse | undefined> {
  const { ctx, cache, req } = flow;
  const { decision, lock } = going;
  const { entry, fwd, selectable } = forwardingOf(decision);
  const validators = validatorsSent(decision, {
    method: req.head.method,
    fields: req.head.headers,
  }); // RFC 9111 §4.3.1, §4.3.2, §3.4
  const sent = validators
    ? withOwnValidators(flow.upstream, validators)
    : flow.upstream;
  using ticket = cache.tickets.take(flow.key);
  const started = Date.now(); // real time: the upstream's duration
  const requestTime = ctx.clock.at(started); // the cache's clock (RFC 9111 §4.2.3)
  let up: UpstreamResponse;
  try {
    up = await sendUpstream(flow, sent);
  } catch (e) {
    if (!(e instanceof UpstreamError)) throw e;
    going.onFailure?.(e.message);
    return await upstreamFailed(flow, { entry, error: e, started, fwd });
  }
  const arrived = Date.now();
  const responseTime = ctx.clock.at(arrived);
  if (up.head.status >= 500) {
    going.onFailure?.(`the upstream answered ${up.head.status}`);
  }
  const forwarded = {
    up,
    fwd,
    fwdStatus: up.head.status,
    upstreamMs: arrived - started,
    responseTime,
    ticket,
  };
  const exchange = exchangeOf(flow, { sent, up, requestTime, responseTime });
  const found = entry ? cache.store.variants(flow.key) : undefined;
  const storedNow = found && isPending(found)
    ? await found.catch(() => []) // a store out of reach: nothing to update
    : found;
  const outcome = afterResponse(
    exchange,
    {
      revalidated: entry,
      stored: storedNow
        ? judgedVariants(
          storedNow,
          flow.options.targets ?? [],
        ) // RFC 9111 §4.3.4; RFC 9213 §2.1: as decide() saw them
        : undefined,
      selectable,
      options: flow.options,
    },
  );
  flow.explain?.answered(exchange, outcome); // Cachelab-Explain, when asked
  if (outcome.kind !== "store" && outcome.kind !== "replace") {
    lock?.endsWith({ status: up.head.status, fields: up.head.headers }); // told at release
  }
  switch (outcome.kind) {
    case "store":
    case "replace": {
      const filling = startFill(flow, { up, draft: outcome.draft, ticket });
      const stored = draftEntry(outcome.draft, up.body.length);
      lock?.holdUntil(filling.done); // released once the fill settled
      lock?.publish({ kind: "storing", entry: stored, filling });
      return await filledResponse(flow, {
        ...forwarded,
        filling,
        entry: stored,
      });
    }
    case "store-partial": {
      const { draft, range, replaces } = outcome;
      const filling = startFill(flow, {
        up,
        draft,
        piece: { range, replaces },
        ticket,
      });
      lock?.holdUntil(filling.done); // a part: followers look again once it is stored
      return await partFilled(flow, {
        ...forwarded,
        filling,
        outcome,
        decision,
      });
    }
    case "freshen":
      return await freshened(flow, { ...forwarded, outcome });
    case "select":
      return await selected(flow, { ...forwarded, outcome });
    case "remove":
      return await removed(flow, { ...forwarded, outcome });
    case "pass":
      return relayed(flow, { ...forwarded, detail: outcome.detail });
    case "serve-stale": {
      const stale = await serveStale(flow, {
        entry: outcome.entry,
        now: responseTime,
        fwdStatus: up.head.status,
        detail: outcome.detail,
      });
      if (!stale) return relayed(flow, forwarded);
      await up.body.cancel();
      return stale;
    }
    case "invalidate":
      await invalidate(flow, outcome.keys);
      return relayed(flow, forwarded);
    case "refetch":
      await up.body.cancel();
      ctx.stats.count(
        up.trailingBytes ? "cache.untrusted_304" : "cache.mismatched_304",
      ); // RFC 9111 §4.3.4: fetch it whole
      return undefined;
  }
}

/**
 * The stored response a forwarding decision sends validators of (If-Range
 * for a fill-range, RFC 9111 §3.4), the Cache-Status reason, and the
 * variants a vary-miss asks the origin to choose among.
 */
function forwardingOf(d: Forwarding) {
  const entry = d.kind === "miss" ? undefined : d.entry;
  const fwd: ForwardReason = d.kind === "miss"
    ? d.detail
    : d.kind === "revalidate"
    ? d.fwd
    : "partial";
  return {
    entry,
    fwd,
    selectable: d.kind === "miss" ? d.selectable : undefined, // a vary-miss asking which
  };
}
