/**
 * Owns when a stale stored response may still be used without the origin
 * agreeing: the request's max-stale (RFC 9111 §5.2.1.2) and stale-if-error
 * in either message (RFC 5861 §4), bounded by the response directives that
 * forbid stale use (RFC 9111 §4.2.4).
 *
 * Pure: `now` is a parameter. Must not read the clock nor touch the store.
 */

import type { FieldList } from "../http/headers.ts";
import { type Directives, requestDirectives } from "./cache_control.ts";
import { factsOf } from "./entry_facts.ts";
import { exactAge, forbidsStale, remainingSeconds } from "./freshness.ts";
import type { EntryMeta } from "./meta.ts";

/**
 * RFC 9111 §5.2.1.2: max-stale without a value accepts any staleness,
 * with a value at most that many seconds; an invalid value accepts none.
 */
export function allowsMaxStale(req: Directives, staleness: number): boolean {
  if (!req.has("max-stale")) return false;
  if (req.value("max-stale") === undefined) return true;
  const limit = req.seconds("max-stale");
  return typeof limit === "number" && staleness <= limit;
}

/**
 * After upstream failed (connect error, timeout) or answered 500, 502,
 * 503 or 504 (RFC 5861 §4): may this stored entry be served instead?
 * Never when a response directive forbids stale use (RFC 9111 §4.2.4,
 * §5.2.2.2: "MUST generate an error response rather than reuse") or the
 * request said no-cache (§5.2.1.4). Otherwise only with explicit
 * permission: stale-if-error in the response or the request (RFC 5861 §4)
 * or the request's max-stale (RFC 9111 §4.2.4), within its limit.
 */
export function staleOnError(
  entry: EntryMeta,
  reqHeaders: FieldList,
  now: number,
): boolean {
  const req = requestDirectives(reqHeaders);
  const res = factsOf(entry).directives;
  if (forbidsStale(res)) return false; // RFC 9111 §4.2.4
  if (req.has("no-cache")) return false; // RFC 9111 §5.2.1.4
  const staleness = Math.max(0, -remainingSeconds(entry, now));
  return within(res.seconds("stale-if-error"), staleness) || // RFC 5861 §4 (response)
    within(req.seconds("stale-if-error"), staleness) || // RFC 5861 §4 (request)
    allowsMaxStale(req, staleness); // RFC 9111 §4.2.4, §5.2.1.2
}

function within(
  limit: number | "invalid" | undefined,
  staleness: number,
): boolean {
  return typeof limit === "number" && staleness <= limit;
}

/**
 * RFC 9111 §5.2.1.1, §5.2.1.3: the request said it wants a fresh
 * response: max-age ("Unless the max-stale request directive is also
 * present, the client does not wish to receive a stale response") or
 * min-fresh (it asks for freshness left), without max-stale. Then no
 * permission of the response's own (stale-while-revalidate, RFC 5861 §3)
 * serves it stale: it is revalidated first.
 */
export function wantsFresh(req: Directives): boolean {
  if (req.has("max-stale")) return false; // RFC 9111 §5.2.1.2
  return req.has("max-age") || // RFC 9111 §5.2.1.1
    req.has("min-fresh"); // RFC 9111 §5.2.1.3
}

/**
 * RFC 9111 §5.2.1.1: the request's max-age is exceeded. An invalid value
 * counts as 0: the client asked for something recent; we never guess it
 * meant more.
 */
export function exceedsMaxAge(
  req: Directives,
  entry: EntryMeta,
  now: number,
): boolean {
  const maxAge = req.seconds("max-age");
  if (maxAge === undefined) return false;
  const limit = maxAge === "invalid" ? 0 : maxAge;
  return exactAge(entry, now) > limit;
}

/**
 * RFC 9111 §5.2.1.3: less freshness left than min-fresh asks. An invalid
 * value is unsatisfiable.
 */
export function lacksMinFresh(
  req: Directives,
  entry: EntryMeta,
  now: number,
): boolean {
  const minFresh = req.seconds("min-fresh");
  if (minFresh === undefined) return false;
  if (minFresh === "invalid") return true;
  return remainingSeconds(entry, now) < minFresh;
}
