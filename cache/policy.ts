/**
 * Owns the shared-cache decisions of RFC 9111 (with RFC 5861 and RFC 8246):
 * given a request and the stored variants of its primary key, what to do
 * (decide), whether a stale entry may stand in for a failed upstream
 * (staleOnError; served.ts: the fields a stored response is served with). It
 * re-exports the rest of the policy API so the handler imports one module.
 *
 * Pure: `now` is a parameter; decisions are returned, never acted on.
 * Must not read the clock, touch the store, files or sockets.
 */

import type { FieldList } from "../http/headers.ts";
import { requestDirectives } from "./cache_control.ts";
import {
  currentAge,
  forbidsStale,
  freshUntilAt,
  ttlSeconds,
} from "./freshness.ts";
import type { EntryMeta } from "./meta.ts";
import { factsOf } from "./entry_facts.ts";
import { varyMissTags } from "./sent_validators.ts";
import { selectVariant } from "./vary.ts";
import {
  allowsMaxStale,
  exceedsMaxAge,
  lacksMinFresh,
  stalenessOf,
  takesStale,
} from "./stale.ts";
import { partialUse, validatingFields } from "./partial.ts";
import { judgedVariants } from "./judged.ts";
import type { ByteRange } from "./store.ts";

export {
  type Directives,
  parseCacheControl,
  requestDirectives,
  responseDirectives,
} from "./cache_control.ts";
export {
  currentAge,
  type EntryTimes,
  entryTimes,
  freshnessLifetime,
  hasValidator,
  type PolicyOptions,
  ttlSeconds,
} from "./freshness.ts";
export {
  type Policy,
  policyOf,
  targetedDirectives,
  targetsFor,
} from "./targeted.ts";
export {
  isBinaryMediaType,
  type NotStoredDetail,
  storability,
  type StoreOptions,
} from "./storable.ts";
export {
  normalizeFieldValue,
  normalizeVaryValue,
  selectVariant,
  varyOf,
} from "./vary.ts";
export {
  clientValidators,
  conditionalHeaders,
  freshen,
  headResponseMatches,
  notModifiedMatches,
  storedEntityTags,
} from "./validation.ts";
export {
  identifiedBy304,
  identifiedOnRevalidation,
  mostRecent,
} from "./identified.ts";
export { invalidationTargets } from "./invalidation.ts";
export { type PassReason, passReason, validatorsSent } from "./forwarding.ts";
export {
  asksUnheld,
  type PartialUse,
  partialUse,
  requestedRange,
  strongValidator,
  validatingFields,
} from "./partial.ts";
export { staleOnError } from "./stale.ts";
export { servedHeaders, type ServeOptions } from "./served.ts";
export { judgedUnder, judgedVariants } from "./judged.ts";
export { ageFieldValue, relayedAge } from "./age.ts";
export {
  afterResponse,
  draftOf,
  type Exchange,
  type OtherUpdates,
  postResponseDraft,
  type Prior,
  type ResponseOutcome,
} from "./after_response.ts";
export {
  afterFailure,
  type Failure,
  type FailureKind,
  type FailureOptions,
  type FailureOutcome,
} from "./after_failure.ts";
export {
  cacheStatus,
  type CacheStatusParams,
  type ForwardReason,
} from "./cache_status.ts";

/**
 * Why no stored response could be used (RFC 9211 §2.2 fwd values):
 * "partial" when the stored response is a partial one that cannot answer
 * this request (not a range it can place); "miss" when responses are
 * stored for the URI but this request's policy would not have stored any
 * of them (RFC 9213 §2.1, §3: judged.ts).
 */
export type MissDetail =
  | "uri-miss"
  | "vary-miss"
  | "method"
  | "partial"
  | "miss";

/**
 * Why decide() sends a stored response upstream to be validated:
 * "request-no-cache" (RFC 9111 §5.2.1.4), "no-cache" in the response
 * (§5.2.2.4), the request's "max-age" exceeded (§5.2.1.1), its
 * "min-fresh" not met (§5.2.1.3), stale and "must-revalidate" (or
 * proxy-revalidate, s-maxage, §4.2.4), or "stale" with nothing allowing
 * it to be served stale (§4.2.4).
 */
export type RevalidateWhy =
  | "request-no-cache"
  | "no-cache"
  | "max-age"
  | "min-fresh"
  | "must-revalidate"
  | "stale";

/** What the handler does with a request. */
export type Decision =
  /** Serve the stored response; no upstream (RFC 9111 §4.2). */
  | { kind: "fresh"; entry: EntryMeta; age: number; ttl: number }
  /** Serve the stale response now, the client allows it via max-stale (RFC 9111 §4.2.4, §5.2.1.2); ttl < 0. */
  | { kind: "stale-served"; entry: EntryMeta; age: number; ttl: number }
  /** Serve stale now and revalidate once in the background (RFC 5861 §3); ttl < 0. */
  | {
    kind: "stale-while-revalidate";
    entry: EntryMeta;
    age: number;
    ttl: number;
    conditional: [string, string][];
  }
  /**
   * Send upstream with these conditional fields (RFC 9111 §4.3.1); empty
   * when the entry has no validator (a plain fetch; the entry is kept for
   * staleOnError). `fwd` is the Cache-Status reason: "stale" when the entry
   * is stale, "request" when it is fresh but the request forbade its use.
   * `why` names the rule that asked for it (decide() sets it; a
   * background revalidation may leave it out).
   */
  | {
    kind: "revalidate";
    entry: EntryMeta;
    conditional: [string, string][];
    fwd: "stale" | "request";
    why?: RevalidateWhy;
  }
  /**
   * A partial entry holds only part of the one range the request asks
   * for (RFC 9111 §3.3, §3.4): ask upstream for `missing` alone, with
   * `conditional` (its Range and an If-Range with the entry's strong
   * validator) replacing the request's Range and If-Range; the answer to
   * the request is `range`, from the entry once the new part joined it.
   */
  | {
    kind: "fill-range";
    entry: EntryMeta;
    range: ByteRange;
    missing: ByteRange;
    conditional: [string, string][];
  }
  /**
   * No usable entry: forward. For a vary-miss whose stored complete
   * variants carry entity-tags, `conditional` is an If-None-Match listing
   * them (RFC 9111 §4.3.1; it replaces the client's own), so that the
   * origin's 304 selects one of `selectable` (§4.3.4) instead of sending
   * a body the cache already holds.
   */
  | {
    kind: "miss";
    detail: MissDetail;
    conditional?: [string, string][];
    selectable?: readonly EntryMeta[];
  }
  /** only-if-cached and nothing usable: answer 504 (RFC 9111 §5.2.1.7). */
  | { kind: "only-if-cached-miss" };

const ONLY_IF_CACHED_MISS: Decision = { kind: "only-if-cached-miss" };

/** Optional inputs of decide(). */
export interface DecideOptions {
  /**
   * The target list of this request's route (RFC 9213 §2.1, §3:
   * state.ts storeOptionsFor): every stored variant is judged under it
   * (judged.ts judgedUnder), and the entries in the decision are those
   * judged copies. Absent: each entry under the policy it was stored by.
   */
  targets?: readonly string[];
}

/**
 * The heart: given the request and the stored variants for its key, what
 * to do. `forwarded` holds the request fields as they go upstream
 * (hop-by-hop fields removed, the proxy's own added): they select the Vary
 * variant, since the stored values are those the origin saw (RFC 9111
 * §4.1); it defaults to `reqHeaders`. With `opts.targets`, a stored
 * response this request's policy would not have stored is not used
 * (fwd=miss), and the others are judged with that policy.
 */
export function decide(
  method: string,
  reqHeaders: FieldList,
  stored: readonly EntryMeta[],
  now: number,
  forwarded: FieldList = reqHeaders,
  opts: DecideOptions = {},
): Decision {
  const req = requestDirectives(reqHeaders);
  const onlyIfCached = req.has("only-if-cached"); // RFC 9111 §5.2.1.7
  const miss = (detail: MissDetail): Decision =>
    onlyIfCached ? ONLY_IF_CACHED_MISS : { kind: "miss", detail };
  // RFC 9111 §4: the stored method (GET) must allow reuse; GET entries answer GET and HEAD.
  if (method !== "GET" && method !== "HEAD") return miss("method");
  if (stored.length === 0) return miss("uri-miss"); // RFC 9111 §4: target URI
  // RFC 9213 §2.1, §3: judged with this request's target list.
  const variants = opts.targets === undefined
    ? stored
    : judgedVariants(stored, opts.targets);
  if (variants.length === 0) return miss("miss"); // RFC 9111 §3 under this policy
  const entry = selectVariant(variants, forwarded); // RFC 9111 §4.1
  if (entry === undefined) {
    const selection = onlyIfCached ? undefined : varySelection(variants);
    return selection ?? miss("vary-miss");
  }
  // RFC 9111 §3.3: a partial entry answers only a range it holds; for
  // that range it is judged like any stored response below.
  const part = entry.partial ? partialUse(method, reqHeaders, entry) : HELD;
  if (part.kind === "miss") return miss("partial");
  if (part.kind === "fill") {
    const { range, missing, conditional } = part;
    return onlyIfCached
      ? ONLY_IF_CACHED_MISS // RFC 9111 §5.2.1.7
      : { kind: "fill-range", entry, range, missing, conditional };
  }

  const res = factsOf(entry).directives;
  const fresh = now < freshUntilAt(entry, now); // RFC 9111 §4.2: lifetime > current_age
  const age = currentAge(entry, now);
  const ttl = ttlSeconds(entry, now); // RFC 9211 §2.5
  const revalidate = (
    fwd: "stale" | "request",
    why: RevalidateWhy,
  ): Decision =>
    onlyIfCached ? ONLY_IF_CACHED_MISS : {
      kind: "revalidate",
      entry,
      conditional: validatingFields(entry, reqHeaders.has("range")),
      fwd,
      why,
    };
  const reason = fresh ? "request" : "stale";

  if (req.has("no-cache")) return revalidate(reason, "request-no-cache"); // RFC 9111 §5.2.1.4, §5.4
  // RFC 9111 §5.2.2.4: the unqualified form needs validation on every
  // use; the qualified form is served while fresh, without the named
  // fields (servedHeaders).
  const everyUse = res.has("no-cache") &&
    res.fieldNames("no-cache") === undefined;
  if (everyUse) return revalidate("stale", "no-cache");
  // RFC 9111 §5.2.1.1; RFC 8246 §2.1: a fresh immutable response is
  // served despite a reload's max-age (only no-cache forces validation).
  const immutableFresh = fresh && res.has("immutable");
  if (exceedsMaxAge(req, entry, now) && !immutableFresh) {
    return revalidate(reason, "max-age");
  }
  if (lacksMinFresh(req, entry, now)) return revalidate(reason, "min-fresh"); // RFC 9111 §5.2.1.3
  if (fresh) return { kind: "fresh", entry, age, ttl }; // RFC 9111 §4.2

  // Stale from here on (RFC 9111 §4.2.4).
  // RFC 9111 §4.2.4, §5.2.2.2, §5.2.2.8, §5.2.2.10: never serve stale;
  // this also overrides the request's max-stale.
  if (forbidsStale(res)) return revalidate("stale", "must-revalidate");
  const staleness = stalenessOf(entry, now);
  const swr = res.seconds("stale-while-revalidate"); // RFC 5861 §3
  // RFC 9111 §5.2.1: not to a request that wants it fresh, nor staler
  // than its max-stale.
  const withinSwr = typeof swr === "number" && staleness <= swr;
  if (withinSwr && takesStale(req, staleness)) {
    return {
      kind: "stale-while-revalidate",
      entry,
      age,
      ttl,
      conditional: validatingFields(entry, reqHeaders.has("range")),
    };
  }
  if (allowsMaxStale(req, staleness)) {
    return { kind: "stale-served", entry, age, ttl }; // RFC 9111 §5.2.1.2
  }
  return revalidate("stale", "stale"); // RFC 9111 §4.2.4
}

/** A complete entry: no range to check. */
const HELD = { kind: "held" } as const;

/**
 * RFC 9111 §4.3.1: when no stored variant matches, the request may still
 * be answered by one of them: ask the origin with an If-None-Match that
 * lists their entity-tags (strong and weak, as stored), in place of the
 * client's own validators (forwarding.ts validatorsSent(): the client's
 * are evaluated against the selected response, §4.3.2): the most recent
 * variants' first, as many as fit (sent_validators.ts varyMissTags). Not
 * when no variant has an entity-tag.
 */
function varySelection(variants: readonly EntryMeta[]): Decision | undefined {
  const complete = variants.filter((entry) => !entry.partial); // RFC 9111 §3.3: a part answers no whole request
  const tags = varyMissTags(complete);
  if (tags === undefined) return undefined;
  return {
    kind: "miss",
    detail: "vary-miss",
    conditional: [["If-None-Match", tags.value]], // RFC 9111 §4.3.1
    selectable: tags.listed,
  };
}
