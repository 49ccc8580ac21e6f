/**
 * Owns the cache flow's answers other than a plain hit: an upstream
 * response relayed unstored, a stored response a 304 validated
 * (REVALIDATED), a stale response standing in for a failure
 * (stale-if-error), and the 504 of only-if-cached; each with its
 * Cache-Status, log words and counters.
 *
 * Must not decide which answer is due: flow.ts does, from the policy's
 * decisions and outcomes.
 */

import type { EntryMeta } from "../../cache/meta.ts";
import { currentAge, type ForwardReason } from "../../cache/policy.ts";
import type { OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow, ProxyContext } from "../context.ts";
import { errorResponse } from "../errors.ts";
import { relayResponse } from "../relay.ts";
import { withStatus } from "../report.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";
import { serveStored } from "./stored.ts";

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
