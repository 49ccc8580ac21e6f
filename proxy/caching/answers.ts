/**
 * Owns the cache flow's answers other than a plain hit: an upstream
 * response stored while it is relayed (the fill started, the leader
 * answered from it) or relayed unstored, a request collapsed onto a fill
 * answered from the entry as it grows, a stored response a 304 validated
 * (REVALIDATED), a stale response standing in for a failure
 * (stale-if-error), and the 504 of only-if-cached; each with its
 * Cache-Status, log words and counters.
 *
 * Must not decide which answer is due: flow.ts does, from the policy's
 * decisions and outcomes.
 */

import type { EntryMeta } from "../../cache/meta.ts";
import {
  cacheStatus,
  currentAge,
  type ForwardReason,
} from "../../cache/policy.ts";
import type { EntryDraft } from "../../cache/store.ts";
import type { OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow, ProxyContext } from "../context.ts";
import { errorResponse } from "../errors.ts";
import { relayResponse, upstreamErrorResponse } from "../relay.ts";
import { logResult, withStatus } from "../report.ts";
import type { UpstreamError } from "../upstream/errors.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";
import { Filling } from "./fill.ts";
import { serveStored, storedHead } from "./stored.ts";

/**
 * Bodies of a known length up to this size are read whole before the
 * response head goes out, so Cache-Status can say whether they were
 * stored; the writer sends such a body with its head in one write anyway.
 */
const READ_AHEAD_MAX_BYTES = 64 * 1024;

/** Why the cache went forward and what came back (RFC 9211 §2.2, §2.3). */
interface Forwarded {
  fwd: ForwardReason;
  fwdStatus: number;
  /** Time to the upstream's response head (ms). */
  upstreamMs: number;
}

/**
 * Starts storing `up` under `draft`: the fill runs at the upstream's pace
 * until it settles, tracked so that shutdown stops it, and counted
 * (cache.stored, cache.store_aborted, ...).
 */
export function startFill(
  flow: CacheFlow,
  fill: { up: UpstreamResponse; draft: EntryDraft },
): Filling {
  const { ctx, cache } = flow;
  const { up } = fill;
  const length = up.body.length;
  const filling = new Filling(up.body, cache.store.begin(fill.draft), {
    maxBytes: cache.options.maxObjectBytes,
    keepWhole: length !== undefined && length <= READ_AHEAD_MAX_BYTES,
    trusted: () => !up.trailingBytes,
    onSettled: (outcome) =>
      ctx.stats.count(
        outcome === "stored"
          ? "cache.stored"
          : `cache.store_${outcome.replace("-", "_")}`,
      ),
  });
  cache.background.track(filling);
  return filling;
}

/**
 * The leader's response for a response being stored: a small body sent
 * once stored (Cache-Status `stored`, or why not), a larger one read from
 * the entry as it grows (`detail=storing`; the log line says
 * MISS-NOT-STORED when the fill was abandoned).
 */
export async function filledResponse(
  flow: CacheFlow,
  filled: Forwarded & { up: UpstreamResponse; filling: Filling },
): Promise<OutgoingResponse> {
  flow.ctx.stats.count("cache.misses");
  const { up, filling, upstreamMs, fwd, fwdStatus } = filled;
  const out = relayResponse(up, flow.req.receivedAt);
  if (!filling.keepsWhole) {
    if (out.body !== null) {
      out.body = filling.leaderBody((end) => {
        if (end === "not-stored") {
          logResult(out, { result: "MISS-NOT-STORED", upstreamMs }); // the log says what Cache-Status could not
        }
      });
    }
    return withStatus(out, {
      status: { hit: false, fwd, fwdStatus, detail: "storing" },
      result: "MISS",
      upstreamMs,
    });
  }
  const whole = await filling.whole();
  if (out.body !== null) out.body = whole;
  const stored = filling.outcome === "stored";
  return withStatus(out, {
    status: stored
      ? { hit: false, fwd, fwdStatus, stored: true } // RFC 9211 §2.5
      : { hit: false, fwd, fwdStatus, detail: `not-stored-${filling.outcome}` },
    result: stored ? "MISS" : "MISS-NOT-STORED",
    upstreamMs,
  });
}

/**
 * The response for a request collapsed onto a fill that stores `entry`
 * (RFC 9211 §2.6): the stored fields as a hit has them, the body read
 * from the entry as it grows, at this client's pace.
 */
export function collapsedResponse(
  flow: CacheFlow,
  following: { entry: EntryMeta; age: number; ttl: number; filling: Filling },
): OutgoingResponse {
  const { entry } = following;
  const headers = storedHead({
    entry,
    age: following.age,
    cacheStatus: cacheStatus({
      hit: true,
      ttl: following.ttl,
      collapsed: true,
    }),
  });
  flow.ctx.stats.count("cache.hits");
  const res: OutgoingResponse = {
    status: entry.status,
    reason: entry.reason,
    headers,
    body: following.filling.follow(),
  };
  logResult(res, { result: "HIT" });
  return res;
}

/** A draft as the entry it will be, for answering collapsed requests (its body size as announced, or 0). */
export function draftEntry(
  draft: EntryDraft,
  length: number | undefined,
): EntryMeta {
  return { ...draft, bodySize: length ?? 0, bodyFile: "" };
}

/** RFC 9111 §5.2.1.7: only-if-cached and nothing usable is stored. */
export function onlyIfCachedMiss(
  ctx: ProxyContext,
  now: number,
): OutgoingResponse {
  ctx.stats.count("cache.only_if_cached_misses");
  const reason = "nothing usable is stored and the request said only-if-cached";
  return withStatus(errorResponse(504, reason, now), {
    status: { hit: false, detail: "only-if-cached" },
    result: "MISS",
  });
}

/** Relays an upstream response the cache does not store (counted as a miss). */
export function relayed(
  flow: CacheFlow,
  up: UpstreamResponse,
  report: {
    fwd: ForwardReason;
    fwdStatus: number;
    detail?: string;
    upstreamMs: number;
  },
): OutgoingResponse {
  flow.ctx.stats.count("cache.misses");
  if (report.detail !== undefined) flow.ctx.stats.count("cache.not_stored");
  const { upstreamMs, ...status } = report;
  return withStatus(relayResponse(up, flow.req.receivedAt), {
    status: { hit: false, ...status },
    result: "MISS",
    upstreamMs,
  });
}

/** Serves a stored response a 304 validated (RFC 9111 §4.3.4); undefined when its body vanished. */
export async function serveRevalidated(
  flow: CacheFlow,
  entry: EntryMeta,
  how: {
    fwd: ForwardReason;
    responseTime: number;
    upstreamMs: number;
    detail?: string;
  },
): Promise<OutgoingResponse | undefined> {
  return await serveStored(flow, {
    entry,
    age: currentAge(entry, how.responseTime),
    result: "REVALIDATED",
    upstreamMs: how.upstreamMs,
    status: {
      hit: false,
      fwd: how.fwd,
      fwdStatus: 304,
      ttl: Math.floor((entry.freshUntil - how.responseTime) / 1000),
      detail: how.detail,
    },
  });
}

/** Serves a stale entry because the upstream failed (RFC 5861 §4); undefined when its body is gone. */
export async function serveStale(
  flow: CacheFlow,
  entry: EntryMeta,
  how: { now: number; fwdStatus?: number },
): Promise<OutgoingResponse | undefined> {
  flow.ctx.stats.count("cache.stale_if_error");
  return await serveStored(flow, {
    entry,
    age: currentAge(entry, how.now),
    result: "STALE",
    status: {
      hit: false,
      fwd: "stale",
      fwdStatus: how.fwdStatus,
      ttl: Math.floor((entry.freshUntil - how.now) / 1000),
      detail: "stale-if-error",
    },
  });
}

/** The 502/504 for an upstream failure, with `status` as afterFailure() said. */
export function failedResponse(
  flow: CacheFlow,
  failed: {
    entry: EntryMeta | undefined;
    error: UpstreamError;
    status: number;
    upstreamMs: number;
  },
): OutgoingResponse {
  const { entry, error } = failed;
  const res = upstreamErrorResponse(flow.ctx, {
    error,
    now: flow.req.receivedAt,
  });
  res.status = failed.status;
  return withStatus(res, {
    status: {
      hit: false,
      fwd: entry ? "stale" : "miss",
      detail: error.failure,
    },
    result: "MISS",
    upstreamMs: failed.upstreamMs,
  });
}
