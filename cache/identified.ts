/**
 * Owns which stored responses a 304 identifies for update (RFC 9111
 * §4.3.4), among the variants a vary-miss listed (identifiedBy304) or
 * among every stored response of the key when the 304 answered the
 * revalidation of one of them (identifiedOnRevalidation), and the most
 * recent of several stored responses.
 *
 * Pure. Must not update anything (validation.ts freshen() does, for the
 * outcomes after_not_modified.ts and after_selection.ts return), nor touch
 * the store.
 */

import type { FieldList } from "../http/headers.ts";
import { factsOf } from "./entry_facts.ts";
import { variantId } from "./key.ts";
import type { EntryMeta } from "./meta.ts";
import { notModifiedMatches } from "./validation.ts";

/**
 * RFC 9111 §4.3.4: the stored responses a 304 identifies for update among
 * `stored` (the variants whose entity-tags the request listed):
 * - a strong ETag in the 304: every one with that same strong ETag ("all
 *   of the stored responses with the same strong validator");
 * - else a weak ETag: the most recent one whose ETag matches it weakly;
 * - else a Last-Modified: the most recent one with that Last-Modified;
 * - else (no validator): the one listed, when only one was (the 304
 *   answers a request built from it alone), else none.
 * Most recent: by Date, then by the time received. Empty when the 304
 * identifies nothing: nothing may be updated.
 */
export function identifiedBy304(
  stored: readonly EntryMeta[],
  notModified: FieldList,
): EntryMeta[] {
  const etag = notModified.first("etag");
  if (etag !== undefined && !etag.trim().startsWith("W/")) {
    return stored.filter((entry) => notModifiedMatches(entry, notModified)); // strong: all
  }
  if (etag !== undefined || notModified.has("last-modified")) {
    const matching = stored.filter((entry) =>
      notModifiedMatches(entry, notModified)
    );
    const recent = mostRecent(matching);
    return recent === undefined ? [] : [recent]; // weak or Last-Modified: the most recent
  }
  return stored.length === 1 ? [stored[0]!] : [];
}

/** The most recent of stored responses: by Date, then by the time received. */
export function mostRecent(
  entries: readonly EntryMeta[],
): EntryMeta | undefined {
  let best: EntryMeta | undefined;
  for (const entry of entries) {
    if (best === undefined) {
      best = entry;
      continue;
    }
    const date = factsOf(entry).date;
    const bestDate = factsOf(best).date;
    const newer = date > bestDate ||
      (date === bestDate && entry.responseTime > best.responseTime);
    if (newer) best = entry;
  }
  return best;
}
/**
 * RFC 9111 §4.3.4: the stored responses a 304 to the revalidation of
 * `revalidated` identifies for update, among every response stored for
 * the key (`stored`: the variants of the key as the store holds them
 * now; the one it holds for `revalidated`'s variant stands for nothing,
 * `revalidated` does), as identifiedBy304() says:
 * - a strong ETag in the 304: `revalidated` and every other stored
 *   response with that same strong ETag, partial ones too ("all of the
 *   stored responses with the same strong validator");
 * - else a weak ETag or a Last-Modified: the most recent matching one;
 * - else (no validator): `revalidated`, when it is the only stored
 *   response (the 304 answers a request built from it alone; RFC 9110
 *   §15.4.5 lets a 304 leave Last-Modified out), else none.
 * `revalidated` comes first when it is identified. Empty when nothing is.
 */
export function identifiedOnRevalidation(
  revalidated: EntryMeta,
  stored: readonly EntryMeta[],
  notModified: FieldList,
): EntryMeta[] {
  const own = variantId(revalidated.vary);
  const others = stored.filter((entry) => variantId(entry.vary) !== own);
  const identified = identifiedBy304([revalidated, ...others], notModified);
  return identified;
}
