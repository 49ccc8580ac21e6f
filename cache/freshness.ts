/**
 * Owns freshness arithmetic (RFC 9111 §4.2): the freshness lifetime
 * (explicit, then heuristic) and where it came from, and the
 * absolute times persisted in the entry metadata at store time. Dates the
 * cache received are read leniently (RFC 9111 §4.2); the directives are
 * those of the response's policy (RFC 9213 §2.1, targeted.ts). The age
 * calculation (§4.2.3) is age_terms.ts's, re-exported here.
 *
 * Pure: `now` and the request/response times are parameters; nothing here
 * reads the clock. Must not decide what to serve (policy.ts does).
 */

import type { FieldList } from "../http/headers.ts";
import { parseHttpDateLenient } from "../http/dates.ts";
import type { Directives } from "./cache_control.ts";
import { dateValue, initialAgeTerms } from "./age_terms.ts";
import type { EntryMeta } from "./meta.ts";
import { type Policy, policyOf } from "./targeted.ts";

export {
  currentAge,
  dateValue,
  exactAge,
  type InitialAgeTerms,
  initialAgeTerms,
  residentTime,
} from "./age_terms.ts";

/** Heuristic freshness: this fraction of the time since Last-Modified (RFC 9111 §4.2.2 "typical setting ... 10%"). */
const HEURISTIC_FRACTION = 0.1;
/** Heuristic freshness never exceeds one day (our choice; §4.2.2 leaves the bound to the cache). */
const HEURISTIC_CAP_SECONDS = 86400;

/** Status codes defined as heuristically cacheable (RFC 9110 §15.1, RFC 9111 §4.2.2). */
export const HEURISTICALLY_CACHEABLE: ReadonlySet<number> = new Set([
  200,
  203,
  204,
  206,
  300,
  301,
  308,
  404,
  405,
  410,
  414,
  451, // RFC 7725 §3: cacheable by default
  501,
]);

/** Which response fields decide the caching policy (RFC 9213 §2.1). */
export interface PolicyOptions {
  /**
   * The targeted fields to consult, in order (e.g. ["Cachelab-Cache-Control",
   * "CDN-Cache-Control"]); absent or empty: Cache-Control only.
   */
  targets?: readonly string[];
}

/** The absolute times stored with an entry. */
export interface EntryTimes {
  /** RFC 9111 §4.2.3 corrected_initial_age, whole seconds. */
  correctedInitialAge: number;
  /** Fresh while now < freshUntil (ms since epoch). */
  freshUntil: number;
  /** null when revalidatable (has a validator), else the end of any stale window (ms). */
  keepUntil: number | null;
  /**
   * The lowercase targeted field that decided (RFC 9213 §2.1); absent
   * (not merely undefined) when Cache-Control did.
   */
  policyField?: string;
}

/** True when the response carries a validator (RFC 9111 §4.3.1: ETag or Last-Modified). */
export function hasValidator(resHeaders: FieldList): boolean {
  return resHeaders.has("etag") || resHeaders.has("last-modified");
}

/**
 * The freshness lifetime in whole seconds (RFC 9111 §4.2.1, §4.2.2):
 * s-maxage over max-age over Expires minus Date, then the heuristic.
 * Invalid explicit freshness yields 0 (already stale). When a targeted
 * field of `opts.targets` decides (RFC 9213 §2.1), its max-age and
 * s-maxage are the only explicit freshness: Cache-Control and Expires are
 * ignored. Last-Modified is not, so without a targeted max-age or s-maxage
 * the heuristic still applies (RFC 9111 §4.2.2: no explicit expiration
 * time was given).
 */
export function freshnessLifetime(
  status: number,
  resHeaders: FieldList,
  responseTime: number,
  opts: PolicyOptions = {},
): number {
  const policy = policyOf(resHeaders, opts.targets);
  return lifetimeOf(status, resHeaders, responseTime, policy);
}

function lifetimeOf(
  status: number,
  resHeaders: FieldList,
  responseTime: number,
  policy: Policy,
): number {
  return lifetimeWithSource(status, resHeaders, responseTime, policy).seconds;
}

/**
 * Where a freshness lifetime came from (RFC 9111 §4.2.1, §4.2.2):
 * "no-cache" for the unqualified no-cache (0, validated on every use),
 * "s-maxage", "max-age", "expires" (Expires minus Date), "heuristic"
 * (10% of Date minus Last-Modified), "none" (no freshness at all).
 */
export type LifetimeSource =
  | "no-cache"
  | "s-maxage"
  | "max-age"
  | "expires"
  | "heuristic"
  | "none";

/** A freshness lifetime in whole seconds and where it came from. */
export interface SourcedLifetime {
  seconds: number;
  source: LifetimeSource;
}

/**
 * freshnessLifetime()'s value with its source, under `policy` (policyOf()
 * the response fields, RFC 9213 §2.1): the one computation both use.
 */
export function lifetimeWithSource(
  status: number,
  resHeaders: FieldList,
  responseTime: number,
  policy: Policy,
): SourcedLifetime {
  const cc = policy.directives;
  // RFC 9111 §5.2.2.4: the unqualified no-cache needs validation on every
  // use; the qualified form only keeps the named fields from being served.
  if (cc.has("no-cache") && cc.fieldNames("no-cache") === undefined) {
    return { seconds: 0, source: "no-cache" };
  }
  const sMaxAge = cc.seconds("s-maxage"); // RFC 9111 §5.2.2.10 (shared cache)
  if (sMaxAge !== undefined) return explicit(sMaxAge, "s-maxage");
  const maxAge = cc.seconds("max-age"); // RFC 9111 §5.2.2.1
  if (maxAge !== undefined) return explicit(maxAge, "max-age");
  const date = dateValue(resHeaders, responseTime);
  // RFC 9213 §2.1: a deciding targeted field makes the cache ignore Expires.
  const expires = policy.field === undefined
    ? resHeaders.getAll("expires")
    : [];
  if (expires.length > 0) {
    const seconds = expiresLifetime(expires, date, responseTime); // RFC 9111 §5.3
    return { seconds, source: "expires" };
  }
  const seconds = heuristicLifetime(status, cc, resHeaders, date, responseTime);
  return { seconds, source: seconds > 0 ? "heuristic" : "none" };
}

/** An explicit lifetime directive's value; invalid: 0 (already stale). */
function explicit(
  value: number | "invalid",
  source: "s-maxage" | "max-age",
): SourcedLifetime {
  return { seconds: value === "invalid" ? 0 : value, source };
}

function expiresLifetime(
  expires: string[],
  date: number,
  responseTime: number,
): number {
  // RFC 9111 §4.2.1: more than one Expires value: consider it stale.
  if (expires.length > 1) return 0;
  const at = parseHttpDateLenient(expires[0]!, responseTime); // RFC 9111 §4.2
  // RFC 9111 §5.3: an invalid date (e.g. "0") is a time in the past.
  if (at === undefined) return 0;
  return Math.max(0, Math.floor((at - date) / 1000));
}

function heuristicLifetime(
  status: number,
  cc: Directives,
  resHeaders: FieldList,
  date: number,
  responseTime: number,
): number {
  // RFC 9111 §4.2.2: only heuristically cacheable statuses, or marked public.
  const allowed = HEURISTICALLY_CACHEABLE.has(status) || cc.has("public");
  if (!allowed) return 0;
  const text = resHeaders.first("last-modified");
  if (text === undefined) return 0;
  const lastModified = parseHttpDateLenient(text, responseTime); // RFC 9111 §4.2
  if (lastModified === undefined || lastModified >= date) return 0;
  const interval = (date - lastModified) / 1000;
  return Math.min(
    HEURISTIC_CAP_SECONDS,
    Math.floor(interval * HEURISTIC_FRACTION),
  );
}

/**
 * True when a response directive forbids serving it stale (RFC 9111
 * §4.2.4): no-cache (§5.2.2.4), must-revalidate (§5.2.2.2), and for a
 * shared cache proxy-revalidate (§5.2.2.8) and s-maxage (§5.2.2.10, which
 * "incorporates the semantics of proxy-revalidate").
 */
export function forbidsStale(cc: Directives): boolean {
  return cc.has("no-cache") ||
    cc.has("must-revalidate") ||
    cc.has("proxy-revalidate") ||
    cc.has("s-maxage");
}

/** A valid delta-seconds directive's value, or 0 when absent or invalid. */
function secondsOrZero(cc: Directives, name: string): number {
  const n = cc.seconds(name);
  return typeof n === "number" ? n : 0;
}

/**
 * Computes the absolute times persisted at store time (RFC 9111 §4.2.1,
 * §4.2.3), and the targeted field that decided the policy (RFC 9213 §2.1)
 * when `opts.targets` names one that is present and valid.
 */
export function entryTimes(
  status: number,
  resHeaders: FieldList,
  requestTime: number,
  responseTime: number,
  opts: PolicyOptions = {},
): EntryTimes {
  const { correctedInitialAge } = initialAgeTerms(
    resHeaders,
    requestTime,
    responseTime,
  ); // RFC 9111 §4.2.3
  const policy = policyOf(resHeaders, opts.targets);
  const lifetime = lifetimeOf(status, resHeaders, responseTime, policy);
  const freshUntil = responseTime + (lifetime - correctedInitialAge) * 1000;
  const times: EntryTimes = {
    correctedInitialAge,
    freshUntil,
    keepUntil: hasValidator(resHeaders)
      ? null
      : freshUntil + staleWindow(policy.directives) * 1000,
  };
  if (policy.field !== undefined) times.policyField = policy.field; // RFC 9213 §2.1
  return times;
}

/** How long after freshUntil the response itself allows stale use (RFC 5861 §3, §4). */
function staleWindow(cc: Directives): number {
  if (forbidsStale(cc)) return 0;
  return Math.max(
    secondsOrZero(cc, "stale-while-revalidate"),
    secondsOrZero(cc, "stale-if-error"),
  );
}

/**
 * When a stored response stops being fresh, as seen at `now` (ms since
 * the epoch): its stored freshUntil, moved back by how far its response
 * time lies after `now` when that is at most FUTURE_SKEW_MS, so it never
 * has more freshness left than its lifetime; `now` itself (stale: the
 * cache revalidates it) when its response time lies further ahead (a
 * moved lab clock and a restart, or another node's clock) (RFC 9111 §4.2.3: resident_time
 * = now - response_time, never negative; §4.2: fresh while
 * freshness_lifetime > current_age).
 */
export function freshUntilAt(
  meta: Pick<EntryMeta, "freshUntil" | "responseTime">,
  now: number,
): number {
  const ahead = meta.responseTime - now;
  if (ahead > FUTURE_SKEW_MS) return Math.min(meta.freshUntil, now); // stored on a clock ahead of ours: stale, revalidate
  return meta.freshUntil - Math.max(0, ahead); // RFC 9111 §4.2.3
}

/**
 * How far (ms) a stored response time may lie after `now` and still count
 * as now (a request received just before a concurrent fill stored its
 * response); further ahead, the entry was stored on a clock ahead of this
 * one and is taken as stale (freshUntilAt()).
 */
export const FUTURE_SKEW_MS = 5000;

/**
 * Remaining freshness in seconds at `now` (RFC 9111 §4.2:
 * freshness_lifetime - current_age; RFC 9211 §2.5 ttl), negative once
 * stale; at most the lifetime, even for a response time later than `now`
 * (freshUntilAt()).
 */
export function remainingSeconds(
  meta: Pick<EntryMeta, "freshUntil" | "responseTime">,
  now: number,
): number {
  return (freshUntilAt(meta, now) - now) / 1000;
}

/**
 * The Cache-Status `ttl` of a stored response at `now` (RFC 9211 §2.5):
 * its remaining freshness in whole seconds, rounded down; negative once
 * stale.
 */
export function ttlSeconds(
  meta: Pick<EntryMeta, "freshUntil" | "responseTime">,
  now: number,
): number {
  return Math.floor(remainingSeconds(meta, now));
}
