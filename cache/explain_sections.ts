/**
 * Owns which RFC sections an explanation rests on: those of the verdict
 * (decide()'s decision and its reason) and those of what the cache did
 * with the upstream's answer.
 *
 * Pure. Must not explain anything else (explain.ts does).
 */

import type { UpstreamResult, Verdict } from "./explanation.ts";
import type { RevalidateWhy } from "./policy.ts";

/** The sections of RFC 9111 (and RFC 5861) a verdict rests on. */
export function verdictSections(v: Verdict): string[] {
  switch (v.kind) {
    case "fresh":
      return ["RFC 9111 §4.2", "RFC 9111 §4.2.3"];
    case "stale-served":
      return v.why === "max-stale"
        ? ["RFC 9111 §4.2.4", "RFC 9111 §5.2.1.2"]
        : ["RFC 9111 §4.2.4", "RFC 5861 §3"];
    case "revalidate":
      return ["RFC 9111 §4.3.1", ...revalidateSections(v.why)];
    case "fill-range":
      return ["RFC 9111 §3.4"];
    case "miss":
      return [v.detail === "vary-miss" ? "RFC 9111 §4.1" : "RFC 9111 §4"];
    case "pass":
      return v.why === "method"
        ? ["RFC 9111 §4", "RFC 9111 §4.4"]
        : v.why === "request"
        ? ["RFC 9111 §4.3.2"]
        : ["RFC 9111 §2"];
    case "only-if-cached-miss":
      return ["RFC 9111 §5.2.1.7"];
  }
}

function revalidateSections(why: RevalidateWhy | undefined): string[] {
  switch (why) {
    case "request-no-cache":
      return ["RFC 9111 §5.2.1.4"];
    case "no-cache":
      return ["RFC 9111 §5.2.2.4"];
    case "max-age":
      return ["RFC 9111 §5.2.1.1"];
    case "min-fresh":
      return ["RFC 9111 §5.2.1.3"];
    case "must-revalidate":
      return ["RFC 9111 §4.2.4", "RFC 9111 §5.2.2.2"];
    case "stale":
    case undefined:
      return ["RFC 9111 §4.2.4"];
  }
}

/** The sections of what the cache did with the upstream's answer. */
export function resultSections(r: UpstreamResult): string[] {
  switch (r.kind) {
    case "stored":
      return ["RFC 9111 §3", "RFC 9111 §4.2", "RFC 9111 §4.2.3"];
    case "not-stored":
      return ["RFC 9111 §3", ...r.why.sections];
    case "freshened":
    case "selected":
      return ["RFC 9111 §4.3.4", "RFC 9111 §4.2.3"];
    case "stale-if-error":
      return ["RFC 5861 §4"];
    case "invalidated":
      return ["RFC 9111 §4.4"];
    case "relayed":
    case "none":
      return [];
  }
}
