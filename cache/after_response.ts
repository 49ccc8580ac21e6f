/**
 * Owns the cache's decision once the upstream has answered, the response
 * side of the policy beside decide(): given the stored response the
 * request revalidated (if any), the request as it was sent upstream and
 * the response head, a named outcome (store, replace, freshen, pass,
 * remove, serve-stale, invalidate, refetch), after the named states of
 * Varnish's `vcl_backend_response` and http-cache-semantics'
 * `revalidatedPolicy`. Every response that may end up stored (new, merged
 * from a 304, updated by a HEAD) is judged by the one storability().
 * What happens when no response came at all is after_failure.ts's
 * (afterFailure, re-exported here).
 *
 * Pure: times are parameters; outcomes are returned, never acted on.
 * Must not read the clock, touch the store, files or sockets.
 */

import { formatHttpDate } from "../http/dates.ts";
import { FieldList, stripHopByHop } from "../http/headers.ts";
import { entryTimes, type PolicyOptions } from "./freshness.ts";
import { invalidationTargets } from "./invalidation.ts";
import { type EntryMeta, META_VERSION } from "./meta.ts";
import { privateFields, removeFields } from "./qualified.ts";
import { staleOnError } from "./stale.ts";
import { policyOf } from "./targeted.ts";
import {
  type NotStoredDetail,
  storability,
  type StoreOptions,
} from "./storable.ts";
import type { EntryDraft } from "./store.ts";
import {
  freshen,
  headResponseMatches,
  notModifiedMatches,
} from "./validation.ts";
import { varyNames, varyOf } from "./vary.ts";

export {
  afterFailure,
  type FailureKind,
  type FailureOptions,
  type FailureOutcome,
} from "./after_failure.ts";

/** One upstream exchange as the cache sees it once the response head arrived. */
export interface Exchange {
  /** The primary cache key of the target URI that was forwarded (RFC 9111 §2). */
  key: string;
  /** The request method. */
  method: string;
  /**
   * The request fields as they were sent upstream (hop-by-hop fields
   * removed): Vary, Cache-Control and Authorization are read from them.
   */
  requestFields: FieldList;
  status: number;
  /** The reason phrase as received. */
  reason: string;
  /** The response fields as received (hop-by-hop fields still in). */
  responseFields: FieldList;
  /** When the request went upstream (ms since epoch). */
  requestTime: number;
  /** When the response head arrived (ms since epoch). */
  responseTime: number;
  /**
   * Bytes arrived right behind a response without a body (HEAD, 304):
   * it may be the answer to another request, so it updates no stored
   * response. For a response with a body this is known only once the
   * body ended: the storing side checks it then.
   */
  trailingBytes?: boolean;
}

/** What the cache knew before the request went upstream. */
export interface Prior {
  /**
   * The stored response whose validators the request carried (or that a
   * HEAD or a plain fetch was sent to refresh), if any.
   */
  revalidated?: EntryMeta;
  /**
   * How storing is configured for this request; `options.targets` is the
   * target list of this route (RFC 9213 §2.1) and decides the policy of
   * every response judged here, `options.storeSetCookie` the Set-Cookie
   * rule (RFC 9111 §7.3).
   */
  options: StoreOptions;
}

/** What to do with an upstream response. */
export type ResponseOutcome =
  /** A new response that may be stored: store it while relaying it (RFC 9111 §3). */
  | { kind: "store"; draft: EntryDraft }
  /**
   * A full response to a revalidation that may be stored: it replaces the
   * stored one (RFC 9111 §4.3.3).
   */
  | { kind: "replace"; draft: EntryDraft; replaced: EntryMeta }
  /**
   * A 304 (answer from `entry`) or a 200 to a HEAD (relay the upstream's
   * answer) that identifies the stored response: `entry` is the stored
   * response with its fields updated (RFC 9111 §4.3.4, §4.3.5). `persist`
   * is false when the request forbade storing (RFC 9111 §5.2.1.5, §3.5):
   * the update then answers this request only and the stored response
   * stays as it was. `rekeyed` when the updated Vary differs from the
   * stored one: the entry is filed under the request that led to the 304.
   */
  | {
    kind: "freshen";
    entry: EntryMeta;
    previous: EntryMeta;
    answer: "stored" | "upstream";
    persist: boolean;
    rekeyed: boolean;
  }
  /** Relay the response without storing it; `detail` says why (RFC 9211 §2.8). */
  | { kind: "pass"; detail: NotStoredDetail }
  /**
   * The stored response must go: outdated by this response, or no longer
   * storable once updated. Answer from `serve` (the updated response a 304
   * validated) when given, else relay the upstream's response.
   */
  | {
    kind: "remove";
    entry: EntryMeta;
    serve?: EntryMeta;
    detail: NotStoredDetail | "outdated";
  }
  /** Serve the stored response stale instead of this server error (RFC 5861 §4). */
  | { kind: "serve-stale"; entry: EntryMeta; detail: "stale-if-error" }
  /**
   * An unsafe method succeeded: remove the stored responses of these
   * primary keys (RFC 9111 §4.4), then relay.
   */
  | { kind: "invalidate"; keys: string[] }
  /**
   * A 304 whose validator matches no stored response must not update
   * anything: send the request again without conditions (RFC 9111 §4.3.4).
   */
  | { kind: "refetch" };

/** Statuses after which a stale response may stand in (RFC 5861 §4). */
const SERVER_ERRORS: ReadonlySet<number> = new Set([500, 502, 503, 504]);
/** Request fields that say nothing, to judge a response on its own. */
const NO_FIELDS = new FieldList();

/** Decides what the cache does with an upstream response. */
export function afterResponse(x: Exchange, prior: Prior): ResponseOutcome {
  const entry = prior.revalidated;
  const safe = x.method === "GET" || x.method === "HEAD";
  if (!safe) return afterUnsafe(x);
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
  if (entry && x.status === 304) return afterNotModified(x, entry, prior);
  // RFC 9111 §4.3.5: a 200 to HEAD may update the stored GET response
  // (one that may answer another request updates nothing).
  if (
    entry && x.method === "HEAD" && x.status === 200 && !x.trailingBytes
  ) {
    return afterHead(x, entry, prior);
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

/** RFC 9111 §4.4: an unsafe method's success invalidates its target. */
function afterUnsafe(x: Exchange): ResponseOutcome {
  const keys = invalidationTargets(
    x.method,
    x.key,
    x.status,
    x.responseFields,
  );
  if (keys.length === 0) return { kind: "pass", detail: "method" };
  return { kind: "invalidate", keys };
}

/** RFC 9111 §4.3.4: a 304 updates the stored response it identifies. */
function afterNotModified(
  x: Exchange,
  entry: EntryMeta,
  prior: Prior,
): ResponseOutcome {
  // RFC 9111 §4.3.4: a validator that matches no stored response: no update.
  if (!notModifiedMatches(entry, x.responseFields)) return { kind: "refetch" };
  const merged = freshen(
    entry,
    x.responseFields,
    x.requestTime,
    x.responseTime,
    { targets: prior.options.targets },
  );
  return judgeUpdate(x, entry, merged, "stored", prior);
}

/** RFC 9111 §4.3.5: a 200 to HEAD freshens the stored GET response or outdates it. */
function afterHead(
  x: Exchange,
  entry: EntryMeta,
  prior: Prior,
): ResponseOutcome {
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
  return judgeUpdate(x, entry, merged, "upstream", prior);
}

/**
 * An updated response is a response like any other (RFC 9111 §3, §4.1):
 * every storing rule runs again on the merged fields. A rule of the
 * response's own (no-store, private, Set-Cookie, Vary: *, ...) removes
 * the stored response; a rule of this request's (no-store, Authorization)
 * only keeps the update from being stored. A changed Vary files the entry
 * under the request that led to the update.
 */
function judgeUpdate(
  x: Exchange,
  entry: EntryMeta,
  updated: EntryMeta,
  answer: "stored" | "upstream",
  prior: Prior,
): ResponseOutcome {
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

/**
 * The metadata of a response about to be stored (RFC 9111 §3, §4.2.3):
 * hop-by-hop fields removed (§3.1), the fields a qualified private names
 * removed (§5.2.2.7), a Date supplied when missing (RFC 9110 §6.6.1), the
 * Vary values of the request as sent upstream (§4.1), and the absolute
 * times computed once, here, with the policy of `opts.targets` (RFC 9213
 * §2.1; `policyField` records a targeted field that decided).
 */
export function draftOf(x: Exchange, opts: PolicyOptions = {}): EntryDraft {
  const policy = policyOf(x.responseFields, opts.targets);
  const withheld = privateFields(policy.directives); // RFC 9111 §5.2.2.7
  const kept = x.responseFields.clone();
  removeFields(kept, withheld);
  const fields = kept.clone();
  stripHopByHop(fields); // RFC 9111 §3.1
  if (!fields.has("date")) {
    fields.append("Date", formatHttpDate(x.responseTime)); // RFC 9110 §6.6.1
  }
  return {
    version: META_VERSION,
    key: x.key,
    vary: varyOf(x.responseFields, x.requestFields), // RFC 9111 §4.1
    status: x.status,
    reason: x.reason,
    headers: fields.toArray(),
    requestTime: x.requestTime,
    responseTime: x.responseTime,
    ...entryTimes(x.status, kept, x.requestTime, x.responseTime, opts),
  };
}
