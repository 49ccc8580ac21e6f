/**
 * Owns secondary keys (RFC 9111 §4.1): which request field values a
 * response varies on, how those values are normalised before they are
 * stored and compared, and which stored variant a request selects.
 *
 * Must not build primary keys (key.ts) nor judge freshness (policy.ts).
 */

import { type FieldList, splitList } from "../http/headers.ts";
import type { EntryMeta } from "./meta.ts";
import { factsOf } from "./entry_facts.ts";

/**
 * Request fields whose whole value is case-insensitive, so lowercasing is
 * a safe normalisation: content codings (RFC 9110 §8.4.1), charsets
 * (§8.3.2) and language tags (§8.5.1). Accept is left alone: media-type
 * parameter values may be case-sensitive (§8.3.1).
 */
const CASE_INSENSITIVE_VALUES = new Set([
  "accept-encoding",
  "accept-charset",
  "accept-language",
]);

/** The response's Vary field names, lowercase, de-duplicated, in order ("*" kept). */
export function varyNames(resHeaders: FieldList): string[] {
  const names: string[] = [];
  for (const element of resHeaders.list("vary")) {
    const name = element.toLowerCase();
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * The normalised value of one request field for Vary matching (RFC 9111
 * §4.1 allows normalisation that keeps semantics): field lines combined
 * with ", " (RFC 9110 §5.3), whitespace around list commas collapsed and
 * empty list elements dropped (§5.6.1), lowercased only for fields whose
 * values are case-insensitive. null when the request lacks the field.
 */
export function normalizeVaryValue(
  name: string,
  reqHeaders: FieldList,
): string | null {
  const lines = reqHeaders.getAll(name);
  if (lines.length === 0) return null;
  const joined = lines.flatMap((line) => splitList(line)).join(", ");
  return CASE_INSENSITIVE_VALUES.has(name.toLowerCase())
    ? joined.toLowerCase()
    : joined;
}

/**
 * RFC 9111 §4.1: the request values to persist in meta.vary for this
 * response; `reqHeaders` are the fields of the request as it was sent
 * upstream (what the origin chose the response by).
 */
export function varyOf(
  resHeaders: FieldList,
  reqHeaders: FieldList,
): [string, string | null][] {
  return varyNames(resHeaders).map((name) => [
    name,
    name === "*" ? null : normalizeVaryValue(name, reqHeaders),
  ]);
}

/** RFC 9111 §4.1: does this stored variant's secondary key match the request? */
function varyMatches(entry: EntryMeta, reqHeaders: FieldList): boolean {
  for (const [name, stored] of entry.vary) {
    if (name === "*") return false; // RFC 9111 §4.1: "*" always fails to match
    if (normalizeVaryValue(name, reqHeaders) !== stored) return false;
  }
  return true;
}

/**
 * RFC 9111 §4.1: the stored variant matching the request's Vary fields;
 * when several match, the most recent by Date, then by response time.
 */
export function selectVariant(
  variants: readonly EntryMeta[],
  reqHeaders: FieldList,
): EntryMeta | undefined {
  let best: EntryMeta | undefined;
  let bestDate = -Infinity;
  for (const entry of variants) {
    if (!varyMatches(entry, reqHeaders)) continue;
    const date = factsOf(entry).date;
    const newer = best === undefined ||
      date > bestDate ||
      (date === bestDate && entry.responseTime > best.responseTime);
    if (!newer) continue;
    best = entry;
    bestDate = date;
  }
  return best;
}
