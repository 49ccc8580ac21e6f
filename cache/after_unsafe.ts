/**
 * Owns the cache's decision after an unsafe method's response (RFC 9111
 * §4.4): the stored responses it invalidates, and, for a POST whose
 * response is a cacheable representation of its own target (RFC 9110
 * §9.3.3), the draft that stores it as the answer to a later GET.
 *
 * Pure: outcomes are returned, never acted on. Must not read the clock,
 * touch the store, files or sockets.
 */

import { draftOf } from "./draft.ts";
import { invalidationTargets, referencedKey } from "./invalidation.ts";
import type { Exchange, Prior, ResponseOutcome } from "./outcomes.ts";
import { hasExplicitFreshness, storability } from "./storable.ts";
import type { EntryDraft } from "./store.ts";
import { policyOf } from "./targeted.ts";

/**
 * Statuses whose content is the representation a GET of the target would
 * get (RFC 9110 §8.7: a 2xx with Content-Location naming the target URI
 * carries a current representation of it; §15.3.1, §15.3.4).
 */
const REPRESENTATION_STATUSES: ReadonlySet<number> = new Set([200, 203]);

/**
 * RFC 9111 §4.4: an unsafe method's success invalidates its target (and
 * same-origin Location / Content-Location); a POST response that may be
 * stored (postResponseDraft) is then stored for its target.
 */
export function afterUnsafe(x: Exchange, prior: Prior): ResponseOutcome {
  const keys = invalidationTargets(
    x.method,
    x.key,
    x.status,
    x.responseFields,
  );
  if (keys.length === 0) return { kind: "pass", detail: "method" };
  const store = postResponseDraft(x, prior);
  // RFC 9111 §4.4: the invalidation comes first; then the POST response is stored.
  return store
    ? { kind: "invalidate", keys, store }
    : { kind: "invalidate", keys };
}

/**
 * RFC 9110 §9.3.3: "Responses to POST requests are only cacheable when
 * they include explicit freshness information and a Content-Location
 * header field that has the same value as the POST's target URI"; such a
 * response can answer a later GET of that URI. The draft to store, or
 * undefined. The response must pass every other storing rule as a GET
 * response would (RFC 9111 §3: no-store, private, Authorization,
 * Set-Cookie, Vary: *, size, ...).
 */
export function postResponseDraft(
  x: Exchange,
  prior: Prior,
): EntryDraft | undefined {
  if (x.method !== "POST") return undefined; // RFC 9110 §9.3.3
  if (!REPRESENTATION_STATUSES.has(x.status)) return undefined; // RFC 9110 §8.7
  const location = x.responseFields.getAll("content-location");
  if (location.length !== 1) return undefined; // RFC 9110 §8.7: one URI
  // RFC 9110 §9.3.3: Content-Location names the POST's target URI.
  if (referencedKey(x.key, location[0]!) !== x.key) return undefined;
  const policy = policyOf(x.responseFields, prior.options.targets);
  // RFC 9110 §9.3.3: explicit freshness (RFC 9111 §4.2.1), never heuristic.
  if (!hasExplicitFreshness(policy, x.responseFields)) return undefined;
  const verdict = storability(
    "GET",
    x.requestFields,
    x.status,
    x.responseFields,
    prior.options,
  ); // RFC 9111 §3, as the response to a GET of the target
  if (!verdict.storable) return undefined;
  return draftOf(x, prior.options);
}
