/**
 * Owns the shape of an explanation (explain.ts builds it, summaryLine()
 * says it in one line): the verdict, what the upstream answered and what
 * the cache did with it, the age terms and lifetime of the response
 * served or stored, and the RFC sections.
 *
 * Must not hold behaviour: types only.
 */

import type { InitialAgeTerms } from "./age_terms.ts";
import type { SourcedLifetime } from "./freshness.ts";
import type { PassReason } from "./forwarding.ts";
import type { NotStoredRule } from "./not_stored_rules.ts";
import type { MissDetail, RevalidateWhy } from "./policy.ts";

/** The RFC 9111 §4.2.3 terms of one response at `now`, in whole seconds. */
export interface AgeTerms extends InitialAgeTerms {
  /** resident_time = now - response_time. */
  residentTime: number;
  /** current_age = corrected_initial_age + resident_time. */
  currentAge: number;
}

/** A freshness lifetime, where it came from, and the field that carried it. */
export interface LifetimeExplained extends SourcedLifetime {
  /**
   * The targeted field whose directives decided (RFC 9213 §2.1), as
   * people write it ("CDN-Cache-Control"); absent when Cache-Control did.
   */
  field?: string;
}

/** A stored (or storing) response seen at one time. */
export interface ResponseExplained {
  age: AgeTerms;
  lifetime: LifetimeExplained;
  /**
   * Freshness left, freshness_lifetime - current_age in whole seconds
   * (RFC 9111 §4.2): fresh while above 0. Cache-Status's ttl (RFC 9211
   * §2.5) counts from the exact time, so it may be 1 less.
   */
  remaining: number;
}

/** What the cache decided before going upstream (or not going at all). */
export type Verdict =
  /** Served from the cache, fresh (RFC 9111 §4.2). */
  | { kind: "fresh" }
  /** Served stale, and what allowed it (RFC 9111 §4.2.4; RFC 5861). */
  | {
    kind: "stale-served";
    why: "max-stale" | "stale-while-revalidate";
  }
  /** Validated with the origin (RFC 9111 §4.3.1), and why (decide()). */
  | { kind: "revalidate"; why: RevalidateWhy | undefined }
  /** A partial entry's missing bytes fetched (RFC 9111 §3.4). */
  | { kind: "fill-range" }
  /** Nothing usable stored (RFC 9211 §2.2 fwd). */
  | { kind: "miss"; detail: MissDetail }
  /** Passed through: nothing looked up or stored (forwarding.ts passReason). */
  | { kind: "pass"; why: PassReason }
  /** only-if-cached and nothing usable: 504 (RFC 9111 §5.2.1.7). */
  | { kind: "only-if-cached-miss" };

/** What the upstream answered, and what the cache did with it. */
export type UpstreamResult =
  | { kind: "stored"; status: number }
  | { kind: "not-stored"; status: number; why: NotStoredRule }
  /** A 304 (or a HEAD's 200) updated the stored response (RFC 9111 §4.3.4, §4.3.5). */
  | { kind: "freshened"; status: number }
  /** A 304 selected a stored variant (RFC 9111 §4.3.4). */
  | { kind: "selected"; status: number }
  /** A server error, answered with the stale stored response (RFC 5861 §4). */
  | { kind: "stale-if-error"; status: number }
  /** An unsafe method's success removed what was stored for these keys (RFC 9111 §4.4). */
  | { kind: "invalidated"; status: number }
  /** Relayed as it came, not judged for storing (a pass). */
  | { kind: "relayed"; status: number }
  /** No usable response: the upstream failed, or a 304 matched nothing. */
  | { kind: "none" };

/** Everything one request's explanation says. */
export interface Explanation {
  verdict: Verdict;
  /** Absent when the request did not go upstream. */
  upstream?: UpstreamResult;
  /** The response the cache served or stored, at the time judged. */
  response?: ResponseExplained;
  /** The RFC sections the explanation rests on, e.g. "RFC 9111 §4.2". */
  sections: string[];
}
