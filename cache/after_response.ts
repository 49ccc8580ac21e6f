/**
 * Owns the cache's decision once the upstream has answered, the response
 * side of the policy beside decide(): given the stored response the
 * request revalidated (if any), the request as it was sent upstream and
 * the response head, a named outcome (store, replace, freshen, select,
 * pass, remove, serve-stale, invalidate, refetch; outcomes.ts), after the
 * named states of Varnish's `vcl_backend_response` and
 * http-cache-semantics' `revalidatedPolicy`. Every response that may end up stored (new, merged
 * from a 304, updated by a HEAD) is judged by the one storability().
 * An unsafe method's response is after_unsafe.ts's, a 304 to a vary-miss
 * after_selection.ts's; what happens when no response came at all is
 * after_failure.ts's (afterFailure, re-exported here).
 *
 * Pure: times are parameters; outcomes are returned, never acted on.
 * Must not read the clock, touch the store, files or sockets.
 */

import { FieldList } from "../http/headers.ts";
import { afterSelection } from "./after_selection.ts";
import { afterUnsafe } from "./after_unsafe.ts";
import { afterPartialContent } from "./partial_response.ts";
import type { EntryMeta } from "./meta.ts";
import type { Exchange, Prior, ResponseOutcome } from "./outcomes.ts";
import { draftOf } from "./draft.ts";
import { staleOnError } from "./stale.ts";
import { storability } from "./storable.ts";
import {
  freshen,
  headResponseMatches,
  notModifiedMatches,
} from "./validation.ts";
import { varyNames, varyOf } from "./vary.ts";

export {
  afterFailure,
  type Failure,
  type FailureKind,
  type FailureOptions,
  type FailureOutcome,
} from "./after_failure.ts";
export { draftOf } from "./draft.ts";
export { postResponseDraft } from "./after_unsafe.ts";
export type { Exchange, Prior, ResponseOutcome } from "./outcomes.ts";

/** Statuses after which a stale response may stand in (RFC 5861 §4). */
const SERVER_ERRORS: ReadonlySet<number> = new Set([500, 502, 503, 504]);
/** Request fields that say nothing, to judge a response on its own. */
const NO_FIELDS = new FieldList();

/** Decides what the cache does with an upstream response. */
export function afterResponse(x: Exchange, prior: Prior): ResponseOutcome {
  const entry = prior.revalidated;
  const safe = x.method === "GET" || x.method === "HEAD";
  if (!safe) return afterUnsafe(x, prior); // RFC 9111 §4.4, RFC 9110 §9.3.3
  // RFC 5861 §4: a server error may be replaced by a stale response.
  if (
    entry && SERVER_ERRORS.has(x.status) &&
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
  const verdict = storability(
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
  // A successful full response to a revalidation outdates the stored one
  // even when it cannot take its place (RFC 9111 §4.3.3).
  if (entry && x.method === "GET" && x.status < 300) {
    return { kind: "remove", entry, detail: verdict.detail };
  }
  return { kind: "pass", detail: verdict.detail };
}

/** What the cache knew before a request that revalidated a stored response. */
type Revalidation = Prior & { revalidated: EntryMeta };

/** RFC 9111 §4.3.4: a 304 updates the stored response it identifies. */
function afterNotModified(x: Exchange, prior: Revalidation): ResponseOutcome {
  const entry = prior.revalidated;
  // RFC 9111 §4.3.4: a validator that matches no stored response: no update.
  if (!notModifiedMatches(entry, x.responseFields)) return { kind: "refetch" };
  const merged = freshen(
    entry,
    x.responseFields,
    x.requestTime,
    x.responseTime,
    { targets: prior.options.targets },
  );
  return judgeUpdate(x, { prior, updated: merged, answer: "stored" });
}

/** RFC 9111 §4.3.5: a 200 to HEAD freshens the stored GET response or outdates it. */
function afterHead(x: Exchange, prior: Revalidation): ResponseOutcome {
  const entry = prior.revalidated;
  // RFC 9111 §4.3.5: validators or length differ: the stored one is outdated.
  if (!headResponseMatches(entry, x.responseFields)) {
    return { kind: "remove", entry, detail: "outdated" };
  }
  const merged = freshen(
    entry,
    x.responseFields,
    x.requestTime,
    x.responseTime,
    { targets: prior.options.targets },
  );
  return judgeUpdate(x, { prior, updated: merged, answer: "upstream" });
}

/**
 * An updated response is a response like any other (RFC 9111 §3, §4.1):
 * every storing rule runs again on the merged fields. A rule of the
 * response's own (no-store, private, Set-Cookie, Vary: *, ...) removes
 * the stored response; a rule of this request's (no-store, Authorization)
 * only keeps the update from being stored. A changed Vary files the entry
 * under the request that led to the update. `updated` is the stored
 * response `prior.revalidated` with the update's fields merged; `answer`
 * says what answers the request (the stored body, or the upstream's
 * response to a HEAD).
 */
function judgeUpdate(
  x: Exchange,
  update: {
    prior: Revalidation;
    updated: EntryMeta;
    answer: "stored" | "upstream";
  },
): ResponseOutcome {
  const { prior, updated, answer } = update;
  const entry = prior.revalidated;
  const fields = new FieldList(updated.headers);
  const names = varyNames(fields);
  const rekeyed = !sameNames(names, entry.vary.map(([name]) => name));
  const merged: EntryMeta = rekeyed
    ? { ...updated, vary: varyOf(fields, x.requestFields) } // RFC 9111 §4.1
    : updated;
  // The stored response is a GET response (RFC 9111 §4.3.5 for HEAD).
  const own = storability(
    "GET",
    NO_FIELDS,
    entry.status,
    fields,
    prior.options,
  );
  if (!own.storable) {
    return {
      kind: "remove",
      entry,
      serve: answer === "stored" ? merged : undefined,
      detail: own.detail,
    };
  }
  const forRequest = storability(
    "GET",
    x.requestFields,
    entry.status,
    fields,
    prior.options,
  );
  return {
    kind: "freshen",
    entry: merged,
    previous: entry,
    answer,
    persist: forRequest.storable,
    rekeyed,
  };
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}
