/**
 * Owns the cache's request flow: the one place where the policy's
 * answers for GET and HEAD (passReason(), decide(), followChoice(); and,
 * through forward.ts, validatorsSent(), afterResponse(), afterFailure())
 * become I/O; pass.ts does the same for what the cache passes through.
 * One handler: a bounded loop whose every round switches over decide()'s
 * decision (serve, go upstream for a miss, a revalidation or the missing
 * part of a range, 504), and, upstream (forward.ts), over the outcome. A
 * round ends the request or starts the next one (a stored body that
 * vanished, a 304 that matched nothing, a wait for another request's
 * fill): nothing recurses. Concurrent GETs for one key collapse onto one
 * fill (collapsing.ts) and read the entry as it grows; when the fill
 * stores nothing they can read, the requests still waiting elect a new
 * leader among themselves (followChoice's "again"). Nodes sharing a
 * store collapse too: the local leader claims the nodes' lock of the key
 * (shared_fills.ts) or waits for the node holding it, then looks again.
 *
 * Must not parse bytes, build responses (answers.ts, filled.ts,
 * selected.ts) nor touch files other than through the Store.
 */

import { followChoice, type LeaderNews } from "../../cache/collapse.ts";
import { decide, passReason } from "../../cache/policy.ts";
import type { OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow, Routed } from "../context.ts";
import { upstreamRequest } from "../messages.ts";
import { routeKey } from "../route_key.ts";
import { onlyIfCachedMiss } from "./answers.ts";
import { revalidateInBackground } from "./background.ts";
import { type FillNews, within } from "./collapsing.ts";
import { asksExplanation, explained, ExplainLog } from "./explaining.ts";
import { collapsedResponse } from "./filled.ts";
import { forward } from "./forward.ts";
import { passThrough } from "./pass.ts";
import { type CacheState, storeOptionsFor } from "./state.ts";
import { leadAcrossNodes } from "./shared_fills.ts";
import { serveStored } from "./stored.ts";
import { lookUp, UNAVAILABLE, withoutStore } from "./unavailable.ts";

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

/**
 * Serves a request through the cache. What passReason() names passes
 * through (methods other than GET and HEAD, requests with origin-only
 * preconditions, requests without a key): nothing of theirs is looked up
 * or stored.
 */
export function serveWithCache(
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
  // Cachelab-Explain: 1 or an events subscriber (explaining.ts); nothing
  // is made for a request that did not ask while nobody subscribes.
  const field = asksExplanation(req.head.headers);
  const note = ctx.config.events?.listening === true;
  const log = field || note ? new ExplainLog(options) : undefined;
  if (passing !== undefined || key === undefined) {
    const why = passing ?? "bypass";
    if (!log) return passThrough(pass, why);
    log.decided({ kind: "pass", why }, req.receivedAt);
    return passThrough({ ...pass, explain: log }, why).then((res) =>
      explained(res, log, { field, note })
    );
  }
  if (!log) return serveKeyed({ ...pass, key });
  return serveKeyed({ ...pass, key, explain: log }).then((res) =>
    explained(res, log, { field, note })
  );
}

/** The rounds of a request the cache may answer (GET, HEAD with a key). */
async function serveKeyed(flow: CacheFlow): Promise<OutgoingResponse> {
  const { ctx, cache, req, key, upstream, options } = flow;
  const method = req.head.method;
  const waitMs = Math.min(COLLAPSE_WAIT_MS, ctx.config.responseTimeoutMs);
  let collapsed = false; // this request waited for another one's fill
  let alone = false; // it goes upstream without collapsing again
  let plain = false; // what is stored is not to be used: a plain miss
  let lookedAcross = false; // it waited for another node's fill of the key
  for (let round = 1;; round++) {
    const last = round >= MAX_ROUNDS;
    const now = round === 1 ? req.receivedAt : ctx.clock.now(); // time passes between rounds
    let found = plain || last ? undefined : lookUp(cache.store, key);
    if (found instanceof Promise) found = await found;
    if (found === UNAVAILABLE) return await withoutStore(flow); // as a plain proxy
    const decision = found === undefined ? MISS : decide(
      method,
      req.head.headers,
      found,
      now,
      upstream.headers, // RFC 9111 §4.1: the values the origin would see
      { targets: options.targets ?? [] }, // RFC 9213 §2.1, §3: judged by this route's policy
    );
    flow.explain?.decided(decision, now);
    switch (decision.kind) {
      case "fresh":
      case "stale-served":
      case "stale-while-revalidate": {
        const { kind } = decision;
        if (kind === "stale-while-revalidate") {
          revalidateInBackground(flow, decision);
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
          const across = lock && cache.shared && !alone && !lookedAcross
            ? await leadAcrossNodes(cache.shared, {
              key,
              lock,
              maxWaitMs: waitMs,
              stats: ctx.stats,
            })
            : "lead";
          if (across === "look-again") {
            collapsed = true; // RFC 9211 §2.6: on another node's fill
            lookedAcross = true; // next, a miss goes upstream itself
            continue;
          }
          const res = await forward(flow, { decision, lock });
          if (res) return res;
          plain = true; // refetch without conditions, or a vanished body
          continue;
        }
        if (!collapsed) ctx.stats.count("cache.collapsed");
        collapsed = true;
        const news = await within(other.news, waitMs);
        const storing = news?.kind === "storing" ? news : undefined;
        const followedAt = ctx.clock.now();
        const choice = followChoice({
          method,
          fields: req.head.headers,
          forwarded: upstream.headers,
          now: followedAt,
          options,
        }, viewOf(news));
        switch (choice.kind) {
          case "follow": // only ever a fill that stores
            flow.explain?.decided({
              kind: "fresh",
              entry: storing!.entry,
              age: choice.age,
              ttl: choice.ttl,
            }, followedAt); // RFC 9211 §2.6: a hit on a fill in progress
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
