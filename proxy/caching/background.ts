/**
 * Owns stale-while-revalidate's background revalidation (RFC 5861 §3):
 * at most one per key at a time, run through the flow's own code as the
 * filler of the key, its response read to the end and dropped, its
 * failures counted (nobody waits for it), tracked by tasks.ts.
 *
 * Must not decide what to revalidate nor how: flow.ts does, and the
 * revalidation runs through its code (the `forward` it passes in).
 */

import type { EntryMeta } from "../../cache/meta.ts";
import type { IncomingRequest, OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow } from "../context.ts";
import type { Fill } from "./collapsing.ts";

/** How flow.ts goes upstream for a revalidation (its forward()). */
export type Forward = (
  flow: CacheFlow,
  going: {
    decision: {
      kind: "revalidate";
      entry: EntryMeta;
      conditional: [string, string][];
      fwd: "stale";
    };
    lock: Fill | undefined;
  },
) => Promise<OutgoingResponse | undefined>;

/**
 * Revalidates a stale entry once in the background (RFC 5861 §3): at
 * most one per key at a time, through `forward`, as the filler of the key
 * when nobody else is; its response is read to the end (so that a new
 * one is stored) and dropped.
 */
export function revalidateInBackground(
  flow: CacheFlow,
  stale: {
    entry: EntryMeta;
    conditional: [string, string][];
    forward: Forward;
  },
): void {
  const { ctx, cache, req } = flow;
  const started = cache.background.start(flow.key, async () => {
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
    try {
      using lock = cache.fills.lead(flow.key);
      const res = await stale.forward({ ...flow, req: quiet }, {
        decision,
        lock,
      });
      await drain(res);
    } catch (e) {
      ctx.stats.count("cache.background_errors"); // nobody waits for it: count, never crash
      if (!cache.background.closing) {
        console.error(
          `cachelab: background revalidation of ${flow.key} failed: ${e}`,
        );
      }
    }
  });
  if (started) ctx.stats.count("cache.background_revalidations");
}

/** Reads a response body to its end (so a background fill is stored). */
async function drain(res: OutgoingResponse | undefined): Promise<void> {
  const body = res?.body;
  if (!body || body instanceof Uint8Array) return;
  while (await body.read() !== null) {
    // the fill stores as it is read
  }
}
