/**
 * Owns undoing what the cache did with a response that turns out not to
 * be trustworthy after all: when the upstream connection it came on shows
 * it is out of step (bytes nobody asked for arrive behind it or behind a
 * later response, or while the connection sits idle), that response may
 * have been another request's answer, so the entry stored or updated from
 * it is removed (a late HEAD body read as the next request's response is
 * the classic case). Removing is always safe: the next request fetches.
 *
 * Must not decide what to store (cache/after_response.ts) nor watch
 * connections (upstream/pool.ts does, and calls back here).
 */

import type { EntryMeta } from "../../cache/meta.ts";
import type { EntryDraft } from "../../cache/store.ts";
import type { CacheFlow } from "../context.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";
import type { Filling } from "./fill.ts";

/** What tells the entry stored from a draft (a complete one or a piece's). */
type DraftTimes = Pick<
  EntryDraft,
  "key" | "vary" | "requestTime" | "responseTime"
>;

/**
 * When `up`'s connection turns out out of step, `fill` is not committed
 * (its veto says "untrusted"), or, once committed, its entry is removed.
 * Returns the check the fill asks before it commits.
 */
export function distrustFillIfOutOfStep(
  flow: CacheFlow,
  fill: { up: UpstreamResponse; draft: DraftTimes; filling: () => Filling },
): () => boolean {
  let outOfStep = false;
  fill.up.onOutOfStep(() => {
    outOfStep = true; // not committed yet: the fill will not commit
    void fill.filling().done.then(async (outcome) => {
      if (outcome !== "stored") return;
      const variants = await flow.cache.store.variants(fill.draft.key);
      const stored = variants.find((meta) => sameResponse(meta, fill.draft));
      if (stored) forget(flow, stored);
    }).catch(() => {}); // a store out of reach: nothing to remove now
  });
  return () => outOfStep;
}

/** When `up`'s connection turns out out of step, the entry `updated` from it is removed. */
export function forgetIfOutOfStep(
  flow: CacheFlow,
  update: { up: UpstreamResponse; updated: EntryMeta | undefined },
): void {
  const { updated } = update;
  if (updated === undefined) return;
  update.up.onOutOfStep(() => forget(flow, updated));
}

function forget(flow: CacheFlow, meta: EntryMeta): void {
  flow.ctx.stats.count("cache.out_of_step_removed");
  void flow.cache.store.remove(meta).catch(() => {}); // a meta replaced meanwhile removes nothing
}

/** The stored entry was made from this draft's response (same variant, same exchange times). */
function sameResponse(meta: EntryMeta, draft: DraftTimes): boolean {
  return meta.requestTime === draft.requestTime &&
    meta.responseTime === draft.responseTime &&
    JSON.stringify(meta.vary) === JSON.stringify(draft.vary);
}
