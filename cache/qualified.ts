/**
 * Owns the qualified forms of no-cache and private (RFC 9111 §5.2.2.4,
 * §5.2.2.7): which fields a shared cache stores without (`private="F"`)
 * and which it serves only in a response just successfully revalidated
 * (`no-cache="F"`).
 *
 * Pure: changes only the field lists it is given. Must not decide whether
 * a response is stored or served (storable.ts, policy.ts do).
 */

import type { FieldList } from "../http/headers.ts";
import type { Directives } from "./cache_control.ts";

/**
 * Fields that describe the stored body's bytes: kept whatever a qualified
 * directive names, since the stored body is served as is and its framing
 * depends on them (they carry nothing about any one client).
 */
const BODY_FIELDS: ReadonlySet<string> = new Set([
  "content-length",
  "content-encoding",
  "content-range",
  "transfer-encoding",
]);

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
