/**
 * Owns the cache flow's answers other than a hit, a fill (filled.ts), a
 * vary-miss selection (selected.ts) and a failure (failed.ts): an
 * upstream response relayed unstored or passed through, a stored response
 * a 304 validated (REVALIDATED, its update kept or removed), and the 504
 * of only-if-cached; and the store side of the outcomes that go with them
 * (freshen, remove, invalidate). Each with its Cache-Status, log words
 * and counters.
 *
 * Must not decide which answer is due: flow.ts does, from the policy's
 * decisions and outcomes.
 */

import type { EntryMeta } from "../../cache/meta.ts";
import {
  currentAge,
  type ForwardReason,
  type PassReason,
  type ResponseOutcome,
  ttlSeconds,
} from "../../cache/policy.ts";
import type { OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow, ProxyContext, Routed } from "../context.ts";
import { errorResponse } from "../errors.ts";
import { relayResponse, upstreamErrorResponse } from "../relay.ts";
import { withStatus } from "../report.ts";
import type { UpstreamError } from "../upstream/errors.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";
import { forgetKey } from "./forget.ts";
import type { CacheState } from "./state.ts";
import { updateOthers, writeUpdate } from "./others.ts";
import { serveStored } from "./stored.ts";
import type { Ticket } from "./tickets.ts";

/** An upstream response as the cache reports it (RFC 9211 §2.2, §2.3). */
export interface Forwarded {
  up: UpstreamResponse;
  fwd: ForwardReason;
  fwdStatus: number;
  /** Time to the upstream's response head (ms). */
  upstreamMs: number;
  /** When the response head arrived (ms since the epoch). */
  responseTime: number;
  /** The exchange's claim to store or update (tickets.ts): void once its key was forgotten. */
  ticket: Ticket;
}

/** RFC 9111 §5.2.1.7: only-if-cached and nothing usable is stored. */
export function onlyIfCachedMiss(
  ctx: ProxyContext,
  now: number,
): OutgoingResponse {
  ctx.stats.count("cache.only_if_cached_misses");
  const reason = "nothing usable is stored and the request said only-if-cached";
  return withStatus(errorResponse(504, { reason, now }), {
    status: { hit: false, detail: "only-if-cached" },
    result: "MISS",
  });
}

/** Relays an upstream response the cache does not store (counted as a miss). */
export function relayed(
  flow: CacheFlow,
  relaying: Forwarded & { detail?: string },
): OutgoingResponse {
  const { ctx, req } = flow;
  const { up, fwd, fwdStatus, detail, upstreamMs } = relaying;
  ctx.stats.count("cache.misses");
  if (detail !== undefined) ctx.stats.count("cache.not_stored");
  if (detail !== undefined) ctx.stats.count(`cache.not_stored.${detail}`); // by reason, for /metrics
  if (detail === "head-too-large") ctx.stats.count("cache.head_too_large"); // stored_head.ts
  const res = relayResponse(up, { now: req.receivedAt, viaName: ctx.viaName });
  return withStatus(res, {
    status: { hit: false, fwd, fwdStatus, detail },
    result: "MISS",
    upstreamMs,
  });
}

/**
 * A 304 or a HEAD 200 updated the stored response (RFC 9111 §4.3.4,
 * §4.3.5): the update is stored (re-keyed when its Vary changed) unless
 * the request forbade storing, the key was forgotten since the request
 * went upstream, or a response that arrived later is stored (RFC 9111
 * §4), and so are the other stored responses the 304 identified
 * (others.ts); then the stored body is served with it, or, for a HEAD,
 * the upstream's answer relayed. Undefined when the stored body vanished.
 */
export async function freshened(
  flow: CacheFlow,
  update: Forwarded & {
    outcome: Extract<ResponseOutcome, { kind: "freshen" }>;
  },
): Promise<OutgoingResponse | undefined> {
  const { ctx } = flow;
  const { outcome } = update;
  const stored = outcome.persist
    ? await writeUpdate(flow, { ...update, update: outcome })
    : undefined;
  await updateOthers(flow, { ...update, others: outcome.others }); // RFC 9111 §4.3.4
  const { detail } = outcome; // "head-too-large": the update was not stored
  if (detail !== undefined) ctx.stats.count("cache.head_too_large");
  if (outcome.answer === "upstream") {
    ctx.stats.count("cache.head_freshened");
    return relayed(flow, { ...update, detail: detail ?? "method" });
  }
  const res = await serveRevalidated(flow, {
    ...update,
    entry: stored ?? outcome.entry,
    detail,
  });
  if (res) ctx.stats.count("cache.revalidated"); // else its body vanished: the flow fetches
  return res;
}

/**
 * The stored response must go (RFC 9111 §3, §4.3.3, §4.3.5), the other
 * stored responses that 304 identified are updated or removed (others.ts):
 * the answer is the update a 304 validated, served from the stored body opened
 * before the entry goes, or else the upstream's response relayed.
 * Undefined when the stored body vanished.
 */
export async function removed(
  flow: CacheFlow,
  removal: Forwarded & {
    outcome: Extract<ResponseOutcome, { kind: "remove" }>;
  },
): Promise<OutgoingResponse | undefined> {
  const { ctx, req } = flow;
  const { outcome } = removal;
  if (outcome.others) {
    await updateOthers(flow, { ...removal, others: outcome.others }); // RFC 9111 §4.3.4
  }
  if (outcome.serve) {
    const res = await serveRevalidated(flow, {
      ...removal,
      entry: outcome.serve,
      detail: outcome.detail,
    });
    await removeCounted(flow, outcome.entry);
    if (!res) return undefined; // its body vanished (the store dropped it): the flow fetches
    ctx.stats.count("cache.update_removed");
    ctx.stats.count("cache.revalidated");
    return res;
  }
  await removeCounted(flow, outcome.entry);
  const isHead = req.head.method === "HEAD";
  if (isHead) ctx.stats.count("cache.head_invalidated");
  return relayed(flow, {
    ...removal,
    detail: isHead ? "method" : outcome.detail,
  });
}

/**
 * Removes a stored response; a store that fails (out of reach, refusing)
 * is counted (cache.update_errors), never thrown: the answer goes out.
 */
export async function removeCounted(
  flow: { ctx: ProxyContext; cache: CacheState },
  entry: EntryMeta,
): Promise<void> {
  await Promise.resolve().then(() => flow.cache.store.remove(entry)).catch(
    () => flow.ctx.stats.count("cache.update_errors"),
  );
}

/** Serves a stored response a 304 validated (RFC 9111 §4.3.4); undefined when its body vanished. */
async function serveRevalidated(
  flow: CacheFlow,
  how: Forwarded & { entry: EntryMeta; detail?: string },
): Promise<OutgoingResponse | undefined> {
  const { entry, responseTime } = how;
  return await serveStored(flow, {
    entry,
    age: currentAge(entry, responseTime),
    result: "REVALIDATED",
    upstreamMs: how.upstreamMs,
    revalidated: true, // RFC 9111 §5.2.2.4: qualified no-cache fields may go
    status: {
      hit: false,
      fwd: how.fwd,
      fwdStatus: 304,
      ttl: ttlSeconds(entry, responseTime),
      detail: how.detail,
    },
  });
}

/** A passed-through request's response relayed, or its 502/504 (BYPASS). */
export function passedResponse(
  routed: Routed,
  passed:
    & { fwd: PassReason; upstreamMs: number }
    & ({ up: UpstreamResponse } | { error: UpstreamError }),
): OutgoingResponse {
  const { ctx, req } = routed;
  const { fwd, upstreamMs } = passed;
  if ("error" in passed) {
    return withStatus(
      upstreamErrorResponse(ctx, { error: passed.error, now: req.receivedAt }),
      { status: { hit: false, fwd }, result: "BYPASS", upstreamMs },
    );
  }
  const { up } = passed;
  ctx.stats.count("cache.bypass");
  const res = relayResponse(up, { now: req.receivedAt, viaName: ctx.viaName });
  return withStatus(res, {
    status: { hit: false, fwd, fwdStatus: up.head.status },
    result: "BYPASS",
    upstreamMs,
  });
}

/**
 * Forgets the primary keys an unsafe request changed (RFC 9111 §4.4),
 * stored or being stored (forget.ts): counted per key whose stored
 * responses went (cache.invalidations), per response in flight that
 * will not be stored (cache.invalidated_in_flight) and per key the store
 * failed to forget (cache.invalidation_errors: out of reach or refusing;
 * never thrown, the unsafe request's answer goes out as it came).
 */
export async function invalidate(
  flow: { ctx: ProxyContext; cache: CacheState },
  keys: readonly string[],
): Promise<void> {
  for (const key of keys) {
    const forgotten = await forgetKey(flow.cache, key); // never rejects
    if (forgotten.failed) flow.ctx.stats.count("cache.invalidation_errors");
    if (forgotten.removed) flow.ctx.stats.count("cache.invalidations");
    if (forgotten.inFlight > 0) {
      flow.ctx.stats.count("cache.invalidated_in_flight", forgotten.inFlight);
    }
  }
  if (keys.length > 0) flow.cache.peers?.announce({ keys }); // other nodes sharing the store
}
