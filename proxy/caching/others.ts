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
import type { EntryMeta } from "../../cache/meta.ts";
import { isPending } from "../../cache/variants.ts";
import type { OtherUpdates } from "../../cache/policy.ts";
import type { CacheFlow } from "../context.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";
import { forgetIfOutOfStep } from "./out_of_step.ts";
import type { Ticket } from "./tickets.ts";

/** A stored response and what a 304 made of it. */
type StoredUpdate = { previous: EntryMeta; entry: EntryMeta };

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
    const stored = await writeUpdate(flow, { update, up, ticket });
    if (stored) ctx.stats.count("cache.others_freshened");
  }
  for (const gone of others.removals) {
    await cache.store.remove(gone).catch(() => {
      ctx.stats.count("cache.update_errors");
    });
    ctx.stats.count("cache.others_removed");
  }
}

/**
 * Writes one update of a stored response in its place (`store.rekey`):
 * the entry as stored, or undefined when it was not written: the key was
 * forgotten since the request went upstream, a response for the same
 * variant arrived later (RFC 9111 §4), or the store failed (counted,
 * cache.update_errors; never thrown). An update whose 304 came on a
 * connection found out of step is removed again (out_of_step.ts).
 */
export async function writeUpdate(
  flow: CacheFlow,
  what: { update: StoredUpdate; up: UpstreamResponse; ticket: Ticket },
): Promise<EntryMeta | undefined> {
  const { ctx, cache } = flow;
  const { update, up, ticket } = what;
  if (ticket.forgotten) return undefined;
  const found = cache.store.variants(flow.key);
  const variants = isPending(found)
    ? await found.catch(() => undefined)
    : found;
  if (!variants) return undefined; // a store out of reach: nothing updated
  if (updateOutdated(update, variants)) return undefined; // RFC 9111 §4
  const stored = await cache.store.rekey(update.previous, update.entry)
    .catch(() => {
      ctx.stats.count("cache.update_errors"); // a cache failure never fails the response
      return undefined;
    });
  forgetIfOutOfStep(flow, { up, updated: stored });
  return stored;
}
