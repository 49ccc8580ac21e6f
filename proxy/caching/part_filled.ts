/**
 * Owns the answer of a request whose response is stored as a piece of a
 * partial entry (RFC 9111 §3.3, §3.4). When the request's own Range went
 * upstream, the 206 is relayed as it is stored (filled.ts). When the
 * cache asked the origin only for the bytes its partial entry lacked
 * (decide()'s fill-range), the client gets the range it asked for: the
 * held bytes before the new part, the new part as it is stored, the held
 * bytes after it (the held ones opened before the answer starts). When
 * that cannot be (another representation came, the origin sent another
 * range, the held bytes went meanwhile), the origin's 206 is relayed as it
 * is: its Content-Range says what it holds (RFC 9110 §15.3.7).
 *
 * Must not decide whether to store nor what to ask: flow.ts does, from the
 * policy's decision and outcome.
 */

import { bytesReader } from "../../cache/body_reader.ts";
import { chainReaders } from "../../cache/chain_reader.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import type { Decision, ResponseOutcome } from "../../cache/policy.ts";
import type { ByteRange, Store } from "../../cache/store.ts";
import { contentRange } from "../../http/range.ts";
import type { BodyReader, OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow } from "../context.ts";
import { relayResponse } from "../relay.ts";
import { withStatus } from "../report.ts";
import type { Forwarded } from "./answers.ts";
import type { Filling } from "./fill.ts";
import { filledResponse } from "./filled.ts";

/** A fill storing a piece, and what led to it. */
export interface PartFill extends Forwarded {
  filling: Filling;
  outcome: Extract<ResponseOutcome, { kind: "store-partial" }>;
  /** The decision that sent the request upstream. */
  decision: Decision;
}

/** The answer to the request whose response `filled.filling` stores as a piece. */
export async function partFilled(
  flow: CacheFlow,
  filled: PartFill,
): Promise<OutgoingResponse> {
  const { ctx, cache, req } = flow;
  const { decision, outcome, filling, up } = filled;
  const piece = outcome.range;
  const covers = decision.kind === "fill-range" && outcome.combine &&
    piece.start <= decision.missing.start && piece.end >= decision.missing.end;
  if (!covers) return await filledResponse(flow, filled);
  const { range, entry } = decision;
  const held = await openAround(cache.store, { entry, range, piece });
  if (!held) return await filledResponse(flow, filled); // held bytes went meanwhile
  const from = Math.max(range.start, piece.start);
  const to = Math.min(range.end, piece.end);
  let middle: BodyReader;
  let stored: boolean | undefined;
  if (filling.keepsWhole) {
    const whole = await filling.whole(); // a small part: stored before the head goes out
    middle = whole instanceof Uint8Array ? bytesReader(whole) : whole;
    stored = filling.outcome === "stored";
  } else {
    middle = filling.follow();
  }
  const parts = [
    ...held.before,
    sliceOf(middle, {
      skip: from - piece.start,
      count: to - from + 1,
      toEnd: to === piece.end,
    }),
    ...held.after,
  ];
  const out = relayResponse(up, { now: req.receivedAt, viaName: ctx.viaName });
  out.body = chainReaders(parts, range.end - range.start + 1);
  const length = outcome.draft.partial.length ?? entry.partial?.length ?? null;
  out.headers.set(
    "Content-Range",
    contentRange(range.start, range.end, length),
  ); // RFC 9110 §14.4
  ctx.stats.count("cache.partial_fills");
  const { fwdStatus, upstreamMs } = filled;
  return withStatus(out, {
    status: {
      hit: false,
      fwd: "partial", // RFC 9211 §2.2
      fwdStatus,
      stored: stored === true,
      detail: stored === undefined
        ? "storing"
        : stored
        ? undefined
        : `not-stored-${filling.outcome}`,
    },
    result: "PARTIAL",
    upstreamMs,
  });
}

/**
 * Readers of the held bytes of `range` before and after `piece`, opened
 * now, or undefined when the entry no longer holds them.
 */
async function openAround(
  store: Store,
  around: { entry: EntryMeta; range: ByteRange; piece: ByteRange },
): Promise<{ before: BodyReader[]; after: BodyReader[] } | undefined> {
  const { entry, range, piece } = around;
  const wanted: ByteRange[] = [];
  if (range.start < piece.start) {
    wanted.push({ start: range.start, end: piece.start - 1 });
  }
  if (piece.end < range.end) {
    wanted.push({ start: piece.end + 1, end: range.end });
  }
  const opened: BodyReader[] = [];
  for (const part of wanted) {
    const reader = await store.openBody(entry, part).catch(() => undefined);
    if (!reader) {
      await Promise.all(opened.map((r) => r.cancel()));
      return undefined;
    }
    opened.push(reader);
  }
  const before = range.start < piece.start ? opened.slice(0, 1) : [];
  return { before, after: opened.slice(before.length) };
}

/**
 * The bytes `skip` to `skip + count - 1` of `source`; it throws when the
 * source ends before them. When they run to the source's end (`toEnd`),
 * it ends only once the source did (a part ends once it is stored, so the
 * access log says what happened); else the rest of the source is
 * cancelled.
 */
function sliceOf(
  source: BodyReader,
  { skip, count, toEnd }: { skip: number; count: number; toEnd: boolean },
): BodyReader {
  let skipped = 0;
  let given = 0;
  let ended = false;
  return {
    length: count,
    async read() {
      while (given < count) {
        const chunk = await source.read();
        if (chunk === null) {
          throw new Error(
            `Cannot read the body: the part ended ${count - given} bytes short`,
          );
        }
        const drop = Math.min(skip - skipped, chunk.length);
        skipped += drop;
        const take = chunk.subarray(drop, drop + count - given);
        if (take.length === 0) continue;
        given += take.length;
        return take;
      }
      if (ended) return null;
      ended = true;
      if (!toEnd) await source.cancel(); // the rest is not asked for
      else if (await source.read() !== null) {
        throw new Error(
          "Cannot read the body: the part is longer than its range",
        );
      }
      return null;
    },
    trailers: () => undefined,
    cancel: () => source.cancel(),
  };
}
