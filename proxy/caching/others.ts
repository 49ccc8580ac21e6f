/**
 * Owns writing what a 304 did to the stored responses of the key other
 * than the one it revalidated (afterResponse()'s `others`, RFC 9111
 * §4.3.4: a strong validator identifies every stored response that
 * carries it): each update written in place of its stored response
 * (cache.others_freshened), each response the update made unstorable
 * removed (cache.others_removed). Nothing is written once the key was
 * forgotten since the request went upstream, nor over a response for the
 * same variant that arrived later (RFC 9111 §4); an update whose 304 came
 * on a connection found out of step is removed.
 *
 * Must not decide what to update: cache/after_not_modified.ts does.
 */

import { updateOutdated } from "../../cache/newest.ts";
import type { OtherUpdates } from "../../cache/policy.ts";
import type { CacheFlow } from "../context.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";
import { forgetIfOutOfStep } from "./out_of_step.ts";
import type { Ticket } from "./tickets.ts";

/**
 * Writes `others` (updates, then removals); a cache failure is counted
 * (cache.update_errors), never thrown.
 */
export async function updateOthers(
  flow: CacheFlow,
  what: { others: OtherUpdates; up: UpstreamResponse; ticket: Ticket },
): Promise<void> {
  const { ctx, cache } = flow;
  const { others, up, ticket } = what;
  for (const update of others.updates) {
    if (ticket.forgotten) return;
    if (updateOutdated(update, cache.store.variants(flow.key))) continue; // RFC 9111 §4
    const stored = await cache.store.rekey(update.previous, update.entry)
      .catch(() => {
        ctx.stats.count("cache.update_errors"); // a cache failure never fails the response
        return undefined;
      });
    if (stored) ctx.stats.count("cache.others_freshened");
    forgetIfOutOfStep(flow, { up, updated: stored });
  }
  for (const gone of others.removals) {
    await cache.store.remove(gone).catch(() => {
      ctx.stats.count("cache.update_errors");
    });
    ctx.stats.count("cache.others_removed");
  }
}
