/**
 * Owns the size of what the cache adds to an upstream request to validate
 * stored responses (RFC 9111 §4.3.1): the conditional fields of a
 * revalidation or a fill, and the entity-tags a vary-miss lists, kept
 * within SENT_VALIDATORS_MAX_BYTES (limits.ts) so that the request head
 * never outgrows the proxy's outbound limit, however long the stored
 * entity-tags or however many variants are stored.
 *
 * Pure. Must not decide when to validate (policy.ts does).
 */

import { factsOf } from "./entry_facts.ts";
import { SENT_VALIDATORS_MAX_BYTES, VARY_MISS_TAGS_MAX } from "./limits.ts";
import type { EntryMeta } from "./meta.ts";
import { storedEntityTags } from "./validation.ts";

/** Bytes of one field line on the wire: `Name: value\r\n`. */
function lineBytes([name, value]: [string, string]): number {
  return name.length + 2 + value.length + 2;
}

/**
 * The conditional fields in order, leaving out each one that would take
 * the total past SENT_VALIDATORS_MAX_BYTES (RFC 9111 §4.3.1: a validator
 * too long to send cannot be sent; without it the request is a plain
 * one, whose full response replaces the stored one). Range is never left
 * out (it is the client's or the fill's, not a validator): pass only
 * validator fields.
 */
export function fitValidators(
  fields: readonly [string, string][],
): [string, string][] {
  const out: [string, string][] = [];
  let bytes = 0;
  for (const field of fields) {
    const size = lineBytes(field);
    if (bytes + size > SENT_VALIDATORS_MAX_BYTES) continue;
    out.push(field);
    bytes += size;
  }
  return out;
}

/** The variants a vary-miss lists, and their If-None-Match value. */
export interface VaryTags {
  /** The entity-tags, most recent variant first, comma-separated. */
  value: string;
  /** The variants whose entity-tag is listed: those a 304 may select. */
  listed: EntryMeta[];
}

/**
 * RFC 9111 §4.3.1: the entity-tags of `variants` (complete stored
 * variants) for a vary-miss's If-None-Match, the most recent first (RFC
 * 9111 §4: by Date, then by the time received), at most
 * VARY_MISS_TAGS_MAX distinct ones and SENT_VALIDATORS_MAX_BYTES for the
 * field line (a tag that does not fit is skipped). Undefined when none
 * is listed.
 */
export function varyMissTags(
  variants: readonly EntryMeta[],
): VaryTags | undefined {
  const recentFirst = [...variants].sort(byRecency);
  const tags: string[] = [];
  const listed: EntryMeta[] = [];
  let bytes = lineBytes(["If-None-Match", ""]);
  for (const entry of recentFirst) {
    const [tag] = storedEntityTags([entry]);
    if (tag === undefined) continue;
    if (tags.includes(tag)) {
      listed.push(entry); // RFC 9111 §4.3.4: a 304 names the tag, not the variant
      continue;
    }
    if (tags.length === VARY_MISS_TAGS_MAX) continue;
    const size = tag.length + (tags.length === 0 ? 0 : 2); // ", "
    if (bytes + size > SENT_VALIDATORS_MAX_BYTES) continue;
    tags.push(tag);
    listed.push(entry);
    bytes += size;
  }
  if (tags.length === 0) return undefined;
  return { value: tags.join(", "), listed };
}

/** Most recent first: by Date, then by the time received (RFC 9111 §4). */
function byRecency(a: EntryMeta, b: EntryMeta): number {
  const dates = factsOf(b).date - factsOf(a).date;
  return dates !== 0 ? dates : b.responseTime - a.responseTime;
}
