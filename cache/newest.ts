/**
 * Owns which of two responses for one stored variant wins when they
 * arrive out of order (two fills of one key, a fill and an update, a
 * copy and a fill): the most recent (RFC 9111 §4: "the most recent
 * response (as determined by the Date header field)"; when each arrived
 * orders them within a second too). A response received before the one
 * stored for its variant must not replace it, nor an update received
 * before it be written over it.
 *
 * Pure. Must not touch the store: the caller passes what it holds.
 */

import { variantId } from "./key.ts";
import type { EntryMeta } from "./meta.ts";

/**
 * True when `stored` (the variants of `response`'s key) holds a response
 * for the same variant that arrived after `response` did (its
 * `responseTime`): `response` must not be written over it.
 */
export function storedIsNewer(
  response: Pick<EntryMeta, "vary" | "responseTime">,
  stored: readonly EntryMeta[],
): boolean {
  const id = variantId(response.vary);
  return stored.some((meta) =>
    meta.responseTime > response.responseTime && variantId(meta.vary) === id
  ); // RFC 9111 §4: the most recent response wins
}

/**
 * True when an update of the stored response `previous` (a 304 or a HEAD
 * merged into it: `entry`, perhaps under another Vary) arrived before a
 * response now stored for either variant: writing it would put an older
 * word over a newer one (RFC 9111 §4).
 */
export function updateOutdated(
  update: { previous: EntryMeta; entry: EntryMeta },
  stored: readonly EntryMeta[],
): boolean {
  const { previous, entry } = update;
  return storedIsNewer(entry, stored) ||
    storedIsNewer(
      { vary: previous.vary, responseTime: entry.responseTime },
      stored,
    );
}
