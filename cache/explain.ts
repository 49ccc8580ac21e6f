/**
 * Owns explanations: what the cache did with one request and why, as a
 * value built from what the policy already computed (decide()'s decision,
 * afterResponse()'s outcome, the stored times), never recomputed another
 * way: the RFC 9111 §4.2.3 age terms (age_terms.ts), the freshness
 * lifetime and its source (freshness.ts lifetimeWithSource), the decision
 * and its reason, the RFC sections, and for a response not stored the
 * rule that stopped it and what would make it storable
 * (not_stored_rules.ts). summaryLine() (explain_summary.ts) says it in
 * one line.
 *
 * Pure: `now` is a parameter. Must not decide anything, read the clock,
 * touch the store nor sockets.
 */

import { FieldList } from "../http/headers.ts";
import { currentAge, initialAgeTerms, residentTime } from "./age_terms.ts";
import { resultSections, verdictSections } from "./explain_sections.ts";
import type {
  Explanation,
  LifetimeExplained,
  ResponseExplained,
  UpstreamResult,
  Verdict,
} from "./explanation.ts";
import { lifetimeWithSource } from "./freshness.ts";
import type { PassReason } from "./forwarding.ts";
import type { EntryMeta } from "./meta.ts";
import {
  fieldDisplayName,
  type NotStoredRule,
  notStoredRule,
} from "./not_stored_rules.ts";
import type { Exchange, ResponseOutcome } from "./outcomes.ts";
import type { Decision } from "./policy.ts";
import type { StoreOptions } from "./storable.ts";
import { policyOf, targetsOf } from "./targeted.ts";

export type {
  AgeTerms,
  Explanation,
  LifetimeExplained,
  ResponseExplained,
  UpstreamResult,
  Verdict,
} from "./explanation.ts";
export type { NotStoredRule } from "./not_stored_rules.ts";
export { summaryLine } from "./explain_summary.ts";

/** What explainEntry() reads of a stored response, an entry or a draft about to be stored. */
export type StoredTimes = Pick<
  EntryMeta,
  | "status"
  | "headers"
  | "requestTime"
  | "responseTime"
  | "correctedInitialAge"
  | "freshUntil"
  | "policyField"
>;

/** What happened to one request, as the caching flow saw it. */
export interface Happened {
  /** decide()'s decision, or the reason the request passed through. */
  decision: Decision | { kind: "pass"; why: PassReason };
  /**
   * The upstream exchange and afterResponse()'s outcome, when one came;
   * no outcome: the response was relayed without being judged (a pass).
   */
  upstream?: { exchange: Exchange; outcome?: ResponseOutcome };
  /** The storing options of the request (its route's targets). */
  options?: StoreOptions;
}

/**
 * A stored response (an entry, or a draft about to be stored) at `now`
 * (ms): the §4.2.3 terms from its fields and times, the corrected
 * initial age it was stored with, its lifetime and source under the
 * policy it was stored by (RFC 9213 §2.1), and its freshness left.
 */
export function explainEntry(
  entry: StoredTimes,
  now: number,
): ResponseExplained {
  const fields = new FieldList(entry.headers);
  const initial = initialAgeTerms(
    fields,
    entry.requestTime,
    entry.responseTime,
  ); // RFC 9111 §4.2.3
  const policy = policyOf(fields, targetsOf(entry.policyField)); // RFC 9213 §2.1
  const sourced = lifetimeWithSource(
    entry.status,
    fields,
    entry.responseTime,
    policy,
  ); // RFC 9111 §4.2.1, §4.2.2
  const lifetime: LifetimeExplained = { ...sourced };
  if (policy.field !== undefined) {
    lifetime.field = fieldDisplayName(policy.field);
  }
  return {
    age: {
      ...initial,
      correctedInitialAge: entry.correctedInitialAge, // as stored
      residentTime: residentTime(entry, now),
      currentAge: currentAge(entry, now),
    },
    lifetime,
    // RFC 9111 §4.2: freshness_lifetime - current_age, in the whole
    // seconds above; freshUntil was stored as response_time +
    // (freshness_lifetime - corrected_initial_age).
    remaining: Math.round((entry.freshUntil - entry.responseTime) / 1000) -
      residentTime(entry, now),
  };
}

/**
 * Explains what happened to one request at `now` (ms): a served response
 * is judged at `now`, one from upstream when its head arrived.
 */
export function explain(happened: Happened, now: number): Explanation {
  const { decision } = happened;
  const verdict = verdictOf(decision);
  const sections = verdictSections(verdict);
  const out: Explanation = { verdict, sections };
  if (!happened.upstream) {
    const served = decision.kind === "fresh" ||
      decision.kind === "stale-served" ||
      decision.kind === "stale-while-revalidate";
    if (served) out.response = explainEntry(decision.entry, now);
    else if (verdict.kind !== "only-if-cached-miss") {
      out.upstream = { kind: "none" };
    }
    return out;
  }
  const { exchange: x, outcome } = happened.upstream;
  if (outcome === undefined) {
    out.upstream = { kind: "relayed", status: x.status };
    return out;
  }
  const [result, entry] = resultOf(x, outcome, happened.options);
  out.upstream = result;
  sections.push(...resultSections(result));
  if (entry) out.response = explainEntry(entry, x.responseTime);
  return out;
}

function verdictOf(decision: Happened["decision"]): Verdict {
  switch (decision.kind) {
    case "fresh":
      return { kind: "fresh" };
    case "stale-served":
      return { kind: "stale-served", why: "max-stale" };
    case "stale-while-revalidate":
      return { kind: "stale-served", why: "stale-while-revalidate" };
    case "revalidate":
      return { kind: "revalidate", why: decision.why };
    case "fill-range":
      return { kind: "fill-range" };
    case "miss":
      return { kind: "miss", detail: decision.detail };
    case "pass":
      return { kind: "pass", why: decision.why };
    case "only-if-cached-miss":
      return { kind: "only-if-cached-miss" };
  }
}

/** afterResponse()'s outcome as a result, and the response it serves or stores. */
function resultOf(
  x: Exchange,
  outcome: ResponseOutcome,
  options: StoreOptions | undefined,
): [UpstreamResult, StoredTimes | undefined] {
  const status = x.status;
  const rule = (detail: NotStoredRule["rule"]): UpstreamResult => ({
    kind: "not-stored",
    status,
    why: notStoredRule(detail, {
      method: x.method,
      status,
      requestFields: x.requestFields,
      responseFields: x.responseFields,
      targets: options?.targets,
    }),
  });
  switch (outcome.kind) {
    case "store":
    case "replace":
    case "store-partial":
      return [{ kind: "stored", status }, outcome.draft];
    case "freshen":
      return [{ kind: "freshened", status }, outcome.entry];
    case "select":
      return [{ kind: "selected", status }, outcome.serve];
    case "pass":
      return [rule(outcome.detail), undefined];
    case "remove":
      return [rule(outcome.detail), outcome.serve];
    case "serve-stale":
      return [{ kind: "stale-if-error", status }, outcome.entry];
    case "invalidate":
      return outcome.store
        ? [{ kind: "stored", status }, outcome.store]
        : [{ kind: "invalidated", status }, undefined];
    case "refetch":
      return [{ kind: "none" }, undefined];
  }
}
