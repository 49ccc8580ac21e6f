/**
 * Owns the qualified forms of no-cache and private (RFC 9111 §5.2.2.4,
 * §5.2.2.7): which fields a shared cache stores without (`private="F"`),
 * which it serves only in a response just successfully revalidated
 * (`no-cache="F"`), and which named fields it keeps in the stored copy
 * all the same because its own decisions rest on them (JUDGED_FIELDS):
 * the one place a stored response's fields are withheld
 * (withholdPrivate(), for draftOf and freshen) and the one rule for what
 * is never replayed downstream (privateFields, noCacheFields, for
 * servedHeaders).
 *
 * Pure: changes only the field lists it is given. Must not decide whether
 * a response is stored or served (storable.ts, policy.ts do).
 */

import type { FieldList } from "../http/headers.ts";
import type { Directives } from "./cache_control.ts";
import { policyOf } from "./targeted.ts";

/**
 * Fields that describe the stored body's bytes: kept whatever a qualified
 * directive names, and sent with it, since the stored body is served as
 * is and its framing depends on them (they carry nothing about any one
 * client).
 */
const BODY_FIELDS: ReadonlySet<string> = new Set([
  "content-length",
  "content-encoding",
  "content-range",
  "transfer-encoding",
]);

/**
 * Fields the cache judges a stored response by, kept in the stored copy
 * whatever a qualified private names (our reading of §5.2.2.7: the
 * directive is about what is replayed to other users, and it must not
 * change the cache's own decisions), and never sent downstream from the
 * cache when named (servedHeaders): its policy (Cache-Control §5.2, and
 * the targeted fields, RFC 9213 §2.1, passed as `targets`), its
 * freshness (Expires, Date, Age, Last-Modified: §4.2), its validators
 * (ETag, Last-Modified: §4.3), its Vary selection (§4.1), its media type
 * (--skip-binary) and the body fields.
 */
const JUDGED_FIELDS: ReadonlySet<string> = new Set([
  "cache-control", // RFC 9111 §5.2
  "expires", // RFC 9111 §5.3
  "date", // RFC 9111 §4.2.3
  "age", // RFC 9111 §4.2.3
  "last-modified", // RFC 9111 §4.2.2, §4.3.1
  "etag", // RFC 9111 §4.3.1
  "vary", // RFC 9111 §4.1
  "content-type", // --skip-binary
  ...BODY_FIELDS,
]);

/**
 * RFC 9111 §5.2.2.7: removes from `fields` (a response, or an updated
 * stored response, about to be stored) the fields a qualified
 * `private="F1, F2"` of its policy names (the first valid field of
 * `targets`, else Cache-Control), except JUDGED_FIELDS and `targets`
 * themselves: those stay, and servedHeaders() never sends them
 * downstream. Changes `fields` in place.
 */
export function withholdPrivate(
  fields: FieldList,
  targets: readonly string[] = [],
): void {
  const named = privateFields(policyOf(fields, targets).directives);
  const judged = new Set(targets.map((name) => name.toLowerCase()));
  removeFields(
    fields,
    named.filter((name) => !JUDGED_FIELDS.has(name) && !judged.has(name)),
  );
}

/**
 * RFC 9111 §5.2.2.7: the lowercase names of the fields a shared cache
 * must not store, from a qualified `private="F1, F2"`; empty when private
 * is absent or unqualified (then nothing is stored at all).
 */
export function privateFields(res: Directives): string[] {
  return removable(res.fieldNames("private"));
}

/**
 * RFC 9111 §5.2.2.4: the lowercase names of the fields that may be sent
 * only in a response just successfully revalidated, from a qualified
 * `no-cache="F1, F2"`; empty when no-cache is absent or unqualified.
 */
export function noCacheFields(res: Directives): string[] {
  return removable(res.fieldNames("no-cache"));
}

/** Removes the named fields (lowercase names) from `fields`. */
export function removeFields(
  fields: FieldList,
  names: readonly string[],
): void {
  if (names.length === 0) return;
  const drop = new Set(names);
  fields.deleteWhere((name) => drop.has(name));
}

function removable(names: string[] | undefined): string[] {
  return (names ?? []).filter((name) => !BODY_FIELDS.has(name));
}
