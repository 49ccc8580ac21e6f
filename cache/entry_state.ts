/**
 * Owns the one-word state of a stored response as the admin listener
 * shows it: `partial` (it holds parts of its representation, RFC 9111
 * §3.3), `no-cache` (validated on every use, §5.2.2.4), `fresh` (§4.2)
 * or `stale` (§4.2.4), and its age and remaining freshness at a time.
 *
 * Must not read the clock: `now` is a parameter (the proxy's clock).
 */

import { factsOf } from "./entry_facts.ts";
import { currentAge, freshUntilAt, remainingSeconds } from "./freshness.ts";
import type { EntryMeta } from "./meta.ts";

/** What a stored response is at some time. */
export type EntryState = "fresh" | "stale" | "no-cache" | "partial";

/** The state, age and freshness of a stored response at `now`. */
export interface EntryClock {
  state: EntryState;
  /** RFC 9111 §4.2.3 current_age in whole seconds. */
  ageSeconds: number;
  /** Remaining freshness in seconds (RFC 9211 §2.5 ttl, rounded down); negative once stale. */
  freshSeconds: number;
}

/** The state of `meta` at `now` (ms since epoch), in the order the policy checks them. */
export function entryClock(meta: EntryMeta, now: number): EntryClock {
  const ageSeconds = currentAge(meta, now);
  const freshSeconds = Math.floor(remainingSeconds(meta, now));
  return { state: entryState(meta, now), ageSeconds, freshSeconds };
}

function entryState(meta: EntryMeta, now: number): EntryState {
  if (meta.partial) return "partial"; // RFC 9111 §3.3: answers ranges only
  const res = factsOf(meta).directives;
  // RFC 9111 §5.2.2.4: the unqualified no-cache is validated on every use.
  if (res.has("no-cache") && res.fieldNames("no-cache") === undefined) {
    return "no-cache";
  }
  return now < freshUntilAt(meta, now) ? "fresh" : "stale"; // RFC 9111 §4.2
}
