/**
 * Owns the answers around a fill: starting it (the store writer begun
 * with the policy's draft, the fill tracked and counted, its commit
 * vetoed when the response turns out untrustworthy, its key was forgotten
 * or a newer response for its variant is stored), the response of the
 * request that started it (the leader: a small body sent once stored, a
 * larger one read from the entry as it grows), and the response of a
 * request collapsed onto it (the stored fields as a hit has them, the
 * body read from the entry as it grows at its own client's pace). A
 * client's own If-None-Match / If-Modified-Since is answered against the
 * response being stored (RFC 9111 §4.3.2): 304 when it holds.
 *
 * Must not decide whether to store, nor whether a collapsed request may
 * use the fill: cache/after_response.ts and cache/collapse.ts do.
 */

import { READ_AHEAD_MAX_BYTES } from "../../cache/limits.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import { storedIsNewer } from "../../cache/newest.ts";
import { withVariants } from "../../cache/variants.ts";
import {
  cacheStatus,
  type CacheStatusParams,
  currentAge,
  type ForwardReason,
} from "../../cache/policy.ts";
import type {
  EntryDraft,
  PartialDraft,
  PieceOptions,
} from "../../cache/store.ts";
import type { BodyReader, OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow } from "../context.ts";
import { relayResponse } from "../relay.ts";
import { logResult, withStatus } from "../report.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";
import { Filling } from "./fill.ts";
import { distrustFillIfOutOfStep } from "./out_of_step.ts";
import { notModifiedAnswer, storedHead } from "./stored.ts";
import type { Ticket } from "./tickets.ts";

/**
 * Starts storing `up` under `draft` (with `piece`, as a piece of a
 * partial entry, Store.beginPartial): the fill runs at the upstream's pace
 * until it settles, tracked so that shutdown stops it, and counted
 * (cache.stored, cache.store_aborted, ...). `ticket` is the exchange's
 * (tickets.ts): once its key is forgotten, nothing is stored; it is held
 * until the fill settled.
 */
export function startFill(
  flow: CacheFlow,
  fill:
    & { up: UpstreamResponse; ticket: Ticket }
    & (
      | { draft: EntryDraft; piece?: undefined }
      | { draft: PartialDraft; piece: PieceOptions }
    ),
): Filling {
  const { ctx, cache } = flow;
  const { up, draft, ticket } = fill;
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
    veto: () =>
      up.trailingBytes || outOfStep() ? "untrusted" : fill.piece // a piece joins its representation's entry: the store's choice
        ? undefined
        : withVariants(
          cache.store.variants(draft.key),
          (stored) => storedIsNewer(draft, stored) ? "superseded" : undefined, // RFC 9111 §4
        ),
    forgotten: () => ticket.forgotten,
    onSettled: (outcome) => {
      ctx.stats.count(
        outcome === "stored"
          ? "cache.stored"
          : `cache.store_${outcome.replace("-", "_")}`,
      );
      if (outcome === "stored") {
        cache.peers?.announce({ keys: [draft.key], replaced: true }); // their copies of older versions go
      }
    },
  });
  ticket.holdUntil(filling.done);
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
 * The leader's response for a response being stored (`entry`, its
 * draft): a small body sent once stored (Cache-Status `stored`, or why
 * not, RFC 9211 §2.5), a larger one read from the entry as it grows
 * (`detail=storing`; the log line says MISS-NOT-STORED when the fill was
 * abandoned). A 304 instead when the client's own conditionals hold for
 * what is stored (a small body: only once stored); not for a piece of a
 * partial entry (no `entry`: a Range request's validators went upstream).
 */
export async function filledResponse(
  flow: CacheFlow,
  filled: {
    up: UpstreamResponse;
    filling: Filling;
    entry?: EntryMeta;
    fwd: ForwardReason;
    fwdStatus: number;
    upstreamMs: number;
  },
): Promise<OutgoingResponse> {
  const { ctx, req } = flow;
  ctx.stats.count("cache.misses");
  const { up, filling, upstreamMs, fwd, fwdStatus } = filled;
  const storing = !filling.keepsWhole;
  const whole = storing ? undefined : await filling.whole();
  const stored = storing || filling.outcome === "stored";
  const status: CacheStatusParams = storing
    ? { hit: false, fwd, fwdStatus, detail: "storing" }
    : stored
    ? { hit: false, fwd, fwdStatus, stored: true }
    : { hit: false, fwd, fwdStatus, detail: `not-stored-${filling.outcome}` };
  const report = {
    status,
    result: stored ? "MISS" as const : "MISS-NOT-STORED" as const,
    upstreamMs,
  };
  const entry = filled.entry;
  const notModified = stored && entry
    ? notModifiedAnswer(req, {
      entry,
      age: currentAge(entry, ctx.clock.now()),
      cacheStatus: cacheStatus(status),
      viaName: ctx.viaName,
    })
    : undefined; // RFC 9111 §4.3.2: against what is stored only
  if (notModified) return withStatus(notModified, report);
  const out = relayResponse(up, {
    now: req.receivedAt,
    viaName: ctx.viaName,
  });
  if (out.body !== null) {
    out.body = whole ?? filling.leaderBody((end) => {
      if (end === "not-stored") {
        logResult(out, { result: "MISS-NOT-STORED", upstreamMs }); // the log says what Cache-Status could not
      }
    });
  }
  return withStatus(out, report);
}

/**
 * The response for a request collapsed onto a fill that stores `entry`
 * (RFC 9211 §2.6): the stored fields as a hit has them, the body read
 * from the entry as it grows, at this client's pace (the log line says
 * HIT-ABORTED when the fill failed and cut it off), or a 304 when the
 * client's own conditionals hold for it (RFC 9111 §4.3.2).
 */
export function collapsedResponse(
  flow: CacheFlow,
  following: { entry: EntryMeta; age: number; ttl: number; filling: Filling },
): OutgoingResponse {
  const { ctx } = flow;
  const { entry } = following;
  const answer = {
    entry,
    age: following.age,
    cacheStatus: cacheStatus({
      hit: true,
      ttl: following.ttl,
      collapsed: true,
    }),
    viaName: ctx.viaName,
  };
  ctx.stats.count("cache.hits");
  const notModified = notModifiedAnswer(flow.req, answer);
  if (notModified) {
    logResult(notModified, { result: "HIT" });
    return notModified;
  }
  const res: OutgoingResponse = {
    status: entry.status,
    reason: entry.reason,
    headers: storedHead(answer),
    body: reportingCut(following.filling.follow(), () => {
      ctx.stats.count("cache.collapsed_cut");
      logResult(res, { result: "HIT-ABORTED" });
    }),
  };
  logResult(res, { result: "HIT" });
  return res;
}

/** `body`, calling `onCut` once when a read throws (the fill failed). */
function reportingCut(body: BodyReader, onCut: () => void): BodyReader {
  let cut = false;
  return {
    length: body.length,
    read: async () => {
      try {
        return await body.read();
      } catch (error) {
        if (!cut) onCut();
        cut = true;
        throw error;
      }
    },
    trailers: () => body.trailers(),
    cancel: () => body.cancel(),
  };
}
