/**
 * Owns judging a stored response under the target list of the request at
 * hand (RFC 9213 §2.1, §3): a forward-proxy request and a reverse-proxy
 * request share one key, but CDN-Cache-Control targets only caches that
 * act for the origin, so the policy that stored a response (its recorded
 * `policyField`) may not be the one of the request now reading it. Under
 * this request's policy the response is either not usable (that policy
 * would not have stored it) or seen with the freshness times, stale
 * permissions and revalidation requirements that policy gives; the store
 * keeps the entry as it was stored.
 *
 * Pure: derived entries are memoised by entry object and target list, so
 * the same stored entry judged twice is the same object. Must not read
 * the clock, touch the store, nor decide what to serve (policy.ts does).
 */

import { factsOf } from "./entry_facts.ts";
import { entryTimes } from "./freshness.ts";
import type { EntryMeta } from "./meta.ts";
import { policyForbidsStoring } from "./storable.ts";
import { policyOf } from "./targeted.ts";

/** The entry seen under one target list, or null when that policy would not store it. */
const memo = new WeakMap<EntryMeta, Map<string, EntryMeta | null>>();

/**
 * The stored `entry` as a request whose target list is `targets` (field
 * names in order; empty: Cache-Control alone) sees it. The entry itself
 * when the same field decides as at store time (RFC 9213 §2.1: the same
 * directives); undefined when under this policy the response would not
 * have been stored (no-store, unqualified private, must-understand with a
 * status not understood: RFC 9111 §3, §5.2.2.3, §5.2.2.5, §5.2.2.7);
 * else a copy with `policyField`, `freshUntil`, `correctedInitialAge` and
 * `keepUntil` computed under this policy (RFC 9111 §4.2.1, §4.2.3), so
 * every reader of its policy (entry_facts.ts) and freshness judges it
 * with this request's directives.
 */
export function judgedUnder(
  entry: EntryMeta,
  targets: readonly string[],
): EntryMeta | undefined {
  return judgedAs(entry, targets, listName(targets));
}

/** The memo key of a target list. */
function listName(targets: readonly string[]): string {
  return targets.length === 0 ? "" : targets.join(",").toLowerCase();
}

function judgedAs(
  entry: EntryMeta,
  targets: readonly string[],
  name: string,
): EntryMeta | undefined {
  let seen = memo.get(entry);
  if (seen === undefined) {
    seen = new Map();
    memo.set(entry, seen);
  }
  let judged = seen.get(name);
  if (judged === undefined) {
    judged = judge(entry, targets);
    seen.set(name, judged);
  }
  return judged ?? undefined;
}

function judge(entry: EntryMeta, targets: readonly string[]): EntryMeta | null {
  const fields = factsOf(entry).fields;
  const policy = policyOf(fields, targets); // RFC 9213 §2.1
  if (policy.field === entry.policyField) return entry; // the policy it was stored under
  if (policyForbidsStoring(entry.status, policy.directives) !== undefined) {
    return null; // RFC 9111 §3: this request's policy would not have stored it
  }
  const { policyField: _stored, ...rest } = entry;
  const times = entryTimes(
    entry.status,
    fields,
    entry.requestTime,
    entry.responseTime,
    { targets },
  ); // RFC 9111 §4.2.1, §4.2.3 under this policy
  return { ...rest, ...times };
}

/**
 * The stored variants of a key as a request with `targets` sees them
 * (judgedUnder), without those its policy would not have stored; in the
 * same order.
 */
export function judgedVariants(
  variants: readonly EntryMeta[],
  targets: readonly string[],
): readonly EntryMeta[] {
  const name = listName(targets);
  let out: EntryMeta[] | undefined; // made only when one differs
  for (let i = 0; i < variants.length; i++) {
    const entry = variants[i]!;
    const judged = judgedAs(entry, targets, name);
    if (judged === entry && out === undefined) continue;
    out ??= variants.slice(0, i);
    if (judged !== undefined) out.push(judged);
  }
  return out ?? variants;
}
