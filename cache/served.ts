/**
 * Owns the header fields a stored response is served with (RFC 9111 §4,
 * §5.1; §5.2.2.4, §5.2.2.7): Age replaced, the fields a qualified
 * no-cache or private names left out.
 *
 * Pure: reads the entry only. Must not decide whether to serve it
 * (policy.ts decide() does).
 */

import type { FieldList } from "../http/headers.ts";
import { ageFieldValue } from "./age.ts";
import { factsOf } from "./entry_facts.ts";
import type { EntryMeta } from "./meta.ts";
import { noCacheFields, privateFields, removeFields } from "./qualified.ts";

/** Optional inputs of servedHeaders. */
export interface ServeOptions {
  /**
   * The stored response was just successfully revalidated (a 304 or a
   * HEAD freshened it for this very request): the fields a qualified
   * no-cache names may be sent. Absent or false: they are left out.
   */
  revalidated?: boolean;
}

/**
 * The header fields of a stored response as served: the stored fields
 * with Age replaced by the current age, at most 2^31 (RFC 9111 §4,
 * §5.1), without the
 * fields a qualified `no-cache="F"` names unless `opts.revalidated`
 * (RFC 9111 §5.2.2.4: "MUST NOT send the specified fields in a response
 * to a subsequent request without successful revalidation"), and never
 * with the fields a qualified `private="F"` names (§5.2.2.7: draftOf
 * does not store them; an entry written by code that did is still safe).
 * The handler adds Cache-Status.
 */
export function servedHeaders(
  entry: EntryMeta,
  age: number,
  opts: ServeOptions = {},
): FieldList {
  const facts = factsOf(entry);
  const fields = facts.fields.clone();
  removeFields(fields, privateFields(facts.directives)); // RFC 9111 §5.2.2.7
  if (!opts.revalidated) removeFields(fields, noCacheFields(facts.directives)); // RFC 9111 §5.2.2.4
  fields.set("Age", ageFieldValue(age)); // RFC 9111 §5.1: at most 2^31
  return fields;
}
