/**
 * Owns what is derived from a stored entry's headers once and reused on
 * every request it serves: the field list, the directives of its caching
 * policy (Cache-Control, or the targeted field recorded at store time,
 * RFC 9213 §2.1) and the Date value. Entries are immutable (a 304 makes a new
 * one), so memoising by object identity keeps the policy pure.
 *
 * Must not be mutated by callers: clone `fields` before changing it.
 */

import { FieldList } from "../http/headers.ts";
import type { Directives } from "./cache_control.ts";
import { dateValue } from "./freshness.ts";
import type { EntryMeta } from "./meta.ts";
import { policyOf, targetsOf } from "./targeted.ts";

/** Facts about one stored entry, computed on first use. */
export interface EntryFacts {
  /** The stored header fields (shared: clone before changing). */
  readonly fields: FieldList;
  /**
   * The directives of its caching policy: those of `entry.policyField`
   * when set (RFC 9213 §2.1), else its Cache-Control directives.
   */
  readonly directives: Directives;
  /** Its Date value in ms (the response time when absent or invalid). */
  readonly date: number;
}

const memo = new WeakMap<EntryMeta, EntryFacts>();

/** The facts of an entry, computed once per entry object. */
export function factsOf(entry: EntryMeta): EntryFacts {
  let facts = memo.get(entry);
  if (facts === undefined) {
    const fields = new FieldList(entry.headers);
    facts = {
      fields,
      directives: policyOf(fields, targetsOf(entry.policyField)).directives,
      date: dateValue(fields, entry.responseTime),
    };
    memo.set(entry, facts);
  }
  return facts;
}
