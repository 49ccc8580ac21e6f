/**
 * Owns the answers around a fill: starting it (the store writer begun
 * with the policy's draft, the fill tracked and counted), the response of
 * the request that started it (the leader: a small body sent once stored,
 * a larger one read from the entry as it grows), and the response of a
 * request collapsed onto it (the stored fields as a hit has them, the
 * body read from the entry as it grows at its own client's pace).
 *
 * Must not decide whether to store, nor whether a collapsed request may
 * use the fill: flow.ts asks the policy.
 */

import { READ_AHEAD_MAX_BYTES } from "../../cache/limits.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import { cacheStatus, type ForwardReason } from "../../cache/policy.ts";
import type {
  EntryDraft,
  PartialDraft,
  PieceOptions,
} from "../../cache/store.ts";
import type { OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow } from "../context.ts";
import { relayResponse } from "../relay.ts";
import { logResult, withStatus } from "../report.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";
import { Filling } from "./fill.ts";
import { distrustFillIfOutOfStep } from "./out_of_step.ts";
import { storedHead } from "./stored.ts";

/**
 * Starts storing `up` under `draft` (with `piece`, as a piece of a
 * partial entry, Store.beginPartial): the fill runs at the upstream's pace
 * until it settles, tracked so that shutdown stops it, and counted
 * (cache.stored, cache.store_aborted, ...).
 */
export function startFill(
  flow: CacheFlow,
  fill:
    & { up: UpstreamResponse }
    & (
      | { draft: EntryDraft; piece?: undefined }
      | { draft: PartialDraft; piece: PieceOptions }
    ),
): Filling {
  const { ctx, cache } = flow;
  const { up } = fill;
  const length = up.body.length;
  const outOfStep = distrustFillIfOutOfStep(flow, {
    ...fill,
    filling: () => filling,
  });
  const writer = fill.piece
    ? cache.store.beginPartial(fill.draft, fill.piece) // a part (RFC 9111 §3.3)
    : cache.store.begin(fill.draft);
  const filling: Filling = new Filling(writer, {
    upstream: up.body,
    maxBytes: cache.options.maxObjectBytes,
    keepWhole: length !== undefined && length <= READ_AHEAD_MAX_BYTES,
    trusted: () => !up.trailingBytes && !outOfStep(),
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

/** A draft as the entry it will be, for answering collapsed requests (its body size as announced, or 0). */
export function draftEntry(
  draft: EntryDraft,
  length: number | undefined,
): EntryMeta {
  return { ...draft, bodySize: length ?? 0, bodyFile: "" };
}

/**
 * The leader's response for a response being stored: a small body sent
 * once stored (Cache-Status `stored`, or why not, RFC 9211 §2.5), a
 * larger one read from the entry as it grows (`detail=storing`; the log
 * line says MISS-NOT-STORED when the fill was abandoned).
 */
export async function filledResponse(
  flow: CacheFlow,
  filled: {
    up: UpstreamResponse;
    filling: Filling;
    fwd: ForwardReason;
    fwdStatus: number;
    upstreamMs: number;
  },
): Promise<OutgoingResponse> {
  const { ctx, req } = flow;
  ctx.stats.count("cache.misses");
  const { up, filling, upstreamMs, fwd, fwdStatus } = filled;
  const out = relayResponse(up, {
    now: req.receivedAt,
    viaName: ctx.viaName,
  });
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
      ? { hit: false, fwd, fwdStatus, stored: true }
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
  const { ctx } = flow;
  const { entry } = following;
  const headers = storedHead({
    entry,
    age: following.age,
    cacheStatus: cacheStatus({
      hit: true,
      ttl: following.ttl,
      collapsed: true,
    }),
    viaName: ctx.viaName,
  });
  ctx.stats.count("cache.hits");
  const res: OutgoingResponse = {
    status: entry.status,
    reason: entry.reason,
    headers,
    body: following.filling.follow(),
  };
  logResult(res, { result: "HIT" });
  return res;
}
