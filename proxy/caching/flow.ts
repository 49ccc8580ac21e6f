/**
 * Owns the cache's request flow: the one place where the policy's
 * answers for GET and HEAD (passReason(), decide(), validatorsSent(),
 * followChoice(), afterResponse(), afterFailure()) become I/O, through
 * answers.ts, filled.ts, selected.ts and the store; pass.ts does the same
 * for what the cache passes through. One handler: a bounded loop whose
 * every round switches over decide()'s decision (serve, go upstream for
 * a miss, a revalidation or the missing part of a range, 504), and,
 * upstream, over afterResponse()'s or afterFailure()'s outcome (store,
 * replace, store a part, freshen, select, remove, pass, serve stale,
 * invalidate, refetch). A round ends the request or starts the next one
 * (a stored body that vanished, a 304 that matched nothing, a wait for
 * another request's fill): nothing recurses. Concurrent GETs for one key
 * collapse onto one fill (collapsing.ts) and read the entry as it grows;
 * when the fill stores nothing they can read, the requests still waiting
 * elect a new leader among themselves (followChoice's "again").
 *
 * Must not parse bytes, build responses (answers.ts, filled.ts,
 * selected.ts) nor touch files other than through the Store.
 */

import { followChoice, type LeaderNews } from "../../cache/collapse.ts";
import {
  afterResponse,
  decide,
  type Decision,
  type ForwardReason,
  passReason,
  validatorsSent,
} from "../../cache/policy.ts";
import type { OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow, Routed } from "../context.ts";
import { upstreamRequest, withOwnValidators } from "../messages.ts";
import { sendUpstream } from "../relay.ts";
import { routeKey } from "../route_key.ts";
import { UpstreamError } from "../upstream/errors.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";
import {
  freshened,
  invalidate,
  onlyIfCachedMiss,
  relayed,
  removed,
} from "./answers.ts";
import { revalidateInBackground } from "./background.ts";
import { type FillLock, type FillNews, within } from "./collapsing.ts";
import { exchangeOf } from "./exchange.ts";
import {
  collapsedResponse,
  draftEntry,
  filledResponse,
  startFill,
} from "./filled.ts";
import { passThrough } from "./pass.ts";
import { partFilled } from "./part_filled.ts";
import { serveStale, upstreamFailed } from "./failed.ts";
import { type CacheState, storeOptionsFor } from "./state.ts";
import { selected } from "./selected.ts";
import { serveStored } from "./stored.ts";

/**
 * The longest a request waits for another one filling its key before it
 * goes upstream itself (nginx's proxy_cache_lock_timeout is 5 s too).
 */
const COLLAPSE_WAIT_MS = 5000;
const MISS = { kind: "miss", detail: "uri-miss" } as const;
/**
 * Rounds of one request: a vanished body, a refetch and a wait for
 * another request's fill take one each. The last round goes upstream
 * without conditions and without collapsing, so it always ends.
 */
const MAX_ROUNDS = 4;

/** A decision that goes upstream. */
type Forwarding = Extract<
  Decision,
  { kind: "miss" | "revalidate" | "fill-range" }
>;

/** How a request goes upstream (forward()). */
interface Going {
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
 * Serves a request through the cache. What passReason() names passes
 * through (methods other than GET and HEAD, requests with origin-only
 * preconditions, requests without a key): nothing of theirs is looked up
 * or stored.
 */
export async function serveWithCache(
  request: Routed & { cache: CacheState },
): Promise<OutgoingResponse> {
  const { ctx, cache, req, route } = request;
  const upstream = upstreamRequest(req.head, {
    route,
    clientAddr: req.remoteAddr,
    viaName: ctx.viaName,
  });
  const key = routeKey(route, ctx.self); // RFC 9111 §2: the forwarded target URI
  const method = req.head.method;
  const options = storeOptionsFor(cache, route.kind); // RFC 9213 §3
  const pass = { ...request, key, upstream, options };
  const passing = passReason({
    method,
    fields: req.head.headers,
    keyed: key !== undefined,
  });
  if (passing !== undefined || key === undefined) {
    return await passThrough(pass, passing ?? "bypass");
  }
  const flow: CacheFlow = { ...pass, key };
  const waitMs = Math.min(COLLAPSE_WAIT_MS, ctx.config.responseTimeoutMs);
  let collapsed = false; // this request waited for another one's fill
  let alone = false; // it goes upstream without collapsing again
  let plain = false; // what is stored is not to be used: a plain miss
  for (let round = 1;; round++) {
    const last = round >= MAX_ROUNDS;
    const now = round === 1 ? req.receivedAt : Date.now(); // time passes between rounds
    const decision = plain || last ? MISS : decide(
      method,
      req.head.headers,
      cache.store.variants(key),
      now,
      upstream.headers, // RFC 9111 §4.1: the values the origin would see
    );
    switch (decision.kind) {
      case "fresh":
      case "stale-served":
      case "stale-while-revalidate": {
        const { kind } = decision;
        if (kind === "stale-while-revalidate") {
          revalidateInBackground(flow, { ...decision, forward });
        }
        const res = await serveStored(flow, {
          entry: decision.entry,
          age: decision.age,
          result: kind === "fresh" ? "HIT" : "STALE",
          status: {
            hit: true,
            ttl: decision.ttl,
            collapsed: kind === "fresh" && collapsed,
            detail: kind === "stale-served"
              ? "max-stale"
              : kind === "fresh"
              ? undefined
              : "stale-while-revalidate",
          },
        });
        if (res) return res;
        plain = true; // its body vanished: a miss
        continue;
      }
      case "only-if-cached-miss":
        return onlyIfCachedMiss(ctx, now);
      case "miss":
      case "revalidate":
      case "fill-range": {
        const joins = method === "GET" && !last; // HEAD neither fills nor follows
        using lock = joins ? cache.fills.lead(key) : undefined;
        const other = joins && !lock && !alone
          ? cache.fills.current(key)
          : undefined;
        if (!other) {
          const res = await forward(flow, { decision, lock });
          if (res) return res;
          plain = true; // refetch without conditions, or a vanished body
          continue;
        }
        if (!collapsed) ctx.stats.count("cache.collapsed");
        collapsed = true;
        const news = await within(other.news, waitMs);
        const storing = news?.kind === "storing" ? news : undefined;
        const choice = followChoice({
          method,
          fields: req.head.headers,
          forwarded: upstream.headers,
          now: Date.now(),
          options,
        }, viewOf(news));
        switch (choice.kind) {
          case "follow": // only ever a fill that stores
            return collapsedResponse(flow, {
              entry: storing!.entry,
              age: choice.age,
              ttl: choice.ttl,
              filling: storing!.filling,
            });
          case "await-stored":
            await within(other.released, waitMs);
            continue;
          case "again":
            continue; // lead, or follow whoever leads now
          case "alone":
            alone = true;
            continue;
        }
      }
    }
  }
}

/** The leader's news as followChoice() sees it ("late": none in time). */
function viewOf(news: FillNews | undefined): LeaderNews {
  if (news === undefined) return { kind: "late" };
  if (news.kind === "ended") return news;
  return { kind: "storing", entry: news.entry, storing: news.filling.storing };
}

/**
 * Goes upstream for a miss, a revalidation or a range's missing part and
 * acts on the outcome.
 * Undefined when the request must start over as a plain miss (a 304 that
 * matched nothing, a stored body that vanished). The exchange holds a
 * ticket for its key (tickets.ts) until what it stores settled.
 */
async function forward(
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
  const started = Date.now();
  let up: UpstreamResponse;
  try {
    up = await sendUpstream(flow, sent);
  } catch (e) {
    if (!(e instanceof UpstreamError)) throw e;
    going.onFailure?.(e.message);
    return await upstreamFailed(flow, { entry, error: e, started });
  }
  const responseTime = Date.now();
  if (up.head.status >= 500) {
    going.onFailure?.(`the upstream answered ${up.head.status}`);
  }
  const forwarded = {
    up,
    fwd,
    fwdStatus: up.head.status,
    upstreamMs: responseTime - started,
    responseTime,
    ticket,
  };
  const outcome = afterResponse(
    exchangeOf(flow, { sent, up, started, responseTime }),
    { revalidated: entry, selectable, options: flow.options },
  );
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
