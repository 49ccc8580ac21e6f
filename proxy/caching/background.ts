/**
 * Owns stale-while-revalidate's background revalidation (RFC 5861 §3):
 * at most one per key at a time, run through the flow's own code as the
 * filler of the key, its response read to the end and dropped, its
 * failures counted and written to stderr, one line each (nobody waits for
 * it), tracked by tasks.ts. When another request already fills the key,
 * there is none: that fill refreshes the key.
 *
 * Must not decide what to revalidate nor how: flow.ts does, and the
 * revalidation goes upstream through the flow's own forward.ts.
 */

import type { EntryMeta } from "../../cache/meta.ts";
import type { IncomingRequest, OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow } from "../context.ts";
import { forward } from "./forward.ts";

/**
 * Revalidates a stale entry once in the background (RFC 5861 §3), as the
 * filler of the key, through forward(); its response is read to the end
 * (so that a new one is stored) and dropped. Nothing starts when another
 * request fills the key (its fill refreshes it) or a revalidation of the
 * key is running.
 */
export function revalidateInBackground(
  flow: CacheFlow,
  stale: { entry: EntryMeta; conditional: [string, string][] },
): void {
  const { ctx, cache, req } = flow;
  const lock = cache.fills.lead(flow.key);
  if (!lock) {
    ctx.stats.count("cache.background_skipped"); // that fill refreshes the key
    return;
  }
  const report = (why: string) => {
    ctx.stats.count("cache.background_errors"); // nobody waits for it: count, never crash
    if (!cache.background.closing) {
      console.error(
        `cachelab: background revalidation of ${flow.key} failed: ${why}`,
      );
    }
  };
  const started = cache.background.start(flow.key, async () => {
    using held = lock;
    const quiet: IncomingRequest = {
      ...req,
      sendInterim: () => Promise.resolve(),
    };
    const decision = {
      kind: "revalidate",
      entry: stale.entry,
      conditional: stale.conditional,
      fwd: "stale",
    } as const;
    let failed: string | undefined;
    try {
      const res = await forward({ ...flow, req: quiet, explain: undefined }, { // the client's explanation is already sent
        decision,
        lock: held,
        onFailure: (why) => (failed ??= why),
      });
      await drain(res);
    } catch (e) {
      failed ??= String(e);
    }
    if (failed !== undefined) report(failed);
  });
  if (started) ctx.stats.count("cache.background_revalidations");
  else lock[Symbol.dispose](); // one is running already
}

/** Reads a response body to its end (so a background fill is stored). */
async function drain(res: OutgoingResponse | undefined): Promise<void> {
  const body = res?.body;
  if (!body || body instanceof Uint8Array) return;
  while (await body.read() !== null) {
    // the fill stores as it is read
  }
}
