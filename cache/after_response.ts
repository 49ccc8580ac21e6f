/**
 * Owns the cache's decision once the upstream has answered, the response
 * side of the policy beside decide(): given the stored response the
 * request revalidated (if any), the request as it was sent upstream and
 * the response head, a named outcome (store, replace, freshen, select,
 * pass, remove, serve-stale, invalidate, refetch; outcomes.ts), after the
 * named states of Varnish's `vcl_backend_response` and
 * http-cache-semantics' `revalidatedPolicy`. Every response that may end up stored (new, merged
 * from a 304, updated by a HEAD) is judged by the one storability().
 * An unsafe method's response is after_unsafe.ts's, a 304 or a HEAD's
 * 200 to a revalidation after_not_modified.ts's, a 304 to a vary-miss
 * after_selection.ts's; what happens when no response came at all is
 * after_failure.ts's (afterFailure, re-exported here).
 *
 * Pure: times are parameters; outcomes are returned, never acted on.
 * Must not read the clock, touch the store, files or sockets.
 */

import { afterHead, afterNotModified } from "./after_not_modified.ts";
import { afterSelection } from "./after_selection.ts";
import { afterUnsafe } from "./after_unsafe.ts";
import { asksUnheld } from "./partial.ts";
import { afterPartialContent } from "./partial_response.ts";
import type { Exchange, Prior, ResponseOutcome } from "./outcomes.ts";
import { draftOf } from "./draft.ts";
import { staleOnError } from "./stale.ts";
import { type Storability, storability } from "./storable.ts";

export {
  afterFailure,
  type Failure,
  type FailureKind,
  type FailureOptions,
  type FailureOutcome,
} from "./after_failure.ts";
export { draftOf } from "./draft.ts";
export { postResponseDraft } from "./after_unsafe.ts";
export type {
  Exchange,
  OtherUpdates,
  Prior,
  ResponseOutcome,
} from "./outcomes.ts";

/** Statuses after which a stale response may stand in (RFC 5861 §4). */
const SERVER_ERRORS: ReadonlySet<number> = new Set([500, 502, 503, 504]);

/**
 * RFC 9110 §14.2, §15.5.17: a response to a Range request that is
 * neither the whole representation (200: the range was ignored) nor a
 * part of it (206, afterPartialContent) depends on the Range, which the
 * cache key does not hold (a 416 says the range lies past the end; any
 * other status may too): stored, it would answer requests without that
 * Range. Never stored; undefined when the rule does not apply.
 */
function rangeAnswer(x: Exchange): Storability | undefined {
  if (!x.requestFields.has("range")) return undefined;
  if (x.status === 200) return undefined; // RFC 9110 §14.2: the range ignored
  return { storable: false, detail: "range" };
}

/** Decides what the cache does with an upstream response. */
export function afterResponse(x: Exchange, prior: Prior): ResponseOutcome {
  const entry = prior.revalidated;
  const safe = x.method === "GET" || x.method === "HEAD";
  if (!safe) return afterUnsafe(x, prior); // RFC 9111 §4.4, RFC 9110 §9.3.3
  // RFC 5861 §4: a server error may be replaced by a stale response.
  // RFC 9111 §3.3: not a partial entry lacking bytes of the range asked.
  if (
    entry && SERVER_ERRORS.has(x.status) &&
    !asksUnheld(entry, x.requestFields) &&
    staleOnError(entry, x.requestFields, x.responseTime)
  ) {
    return { kind: "serve-stale", entry, detail: "stale-if-error" };
  }
  // Our rule: a 304 that may answer another request validates nothing:
  // the request is sent again without conditions.
  if (entry && x.status === 304 && x.trailingBytes) return { kind: "refetch" };
  if (entry && x.status === 304) {
    return afterNotModified(x, { ...prior, revalidated: entry });
  }
  // RFC 9111 §4.3.4: a 304 to a vary-miss that listed stored entity-tags
  // selects one of them (one that may answer another request selects nothing).
  if (!entry && prior.selectable && x.status === 304) {
    if (x.trailingBytes) return { kind: "refetch" };
    return afterSelection(x, { ...prior, selectable: prior.selectable });
  }
  // RFC 9111 §4.3.5: a 200 to HEAD may update the stored GET response
  // (one that may answer another request updates nothing).
  if (
    entry && x.method === "HEAD" && x.status === 200 && !x.trailingBytes
  ) {
    return afterHead(x, { ...prior, revalidated: entry });
  }
  // RFC 9111 §3.3, §3.4: a 206 may be stored as a part of its representation.
  if (x.method === "GET" && x.status === 206) {
    return afterPartialContent(x, prior);
  }
  const verdict = rangeAnswer(x) ?? storability(
    x.method,
    x.requestFields,
    x.status,
    x.responseFields,
    prior.options,
  );
  if (verdict.storable && entry) {
    const draft = draftOf(x, prior.options);
    return { kind: "replace", draft, replaced: entry }; // RFC 9111 §4.3.3
  }
  if (verdict.storable) {
    return { kind: "store", draft: draftOf(x, prior.options) }; // RFC 9111 §3
  }
  // RFC 9111 §4.3.3: a full response to a revalidation says the stored
  // one is not suitable, even when it cannot take its place; a 5xx may
  // still be replaced by it (above, RFC 5861 §4), or leaves it be. A
  // response to HEAD has no content: not a full response.
  if (entry && x.method === "GET" && x.status < 500) {
    return { kind: "remove", entry, detail: verdict.detail };
  }
  return { kind: "pass", detail: verdict.detail };
}
