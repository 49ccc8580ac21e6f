/**
 * Owns the one-line summary of an explanation, e.g. `fresh: age 12 s =
 * corrected initial age 0 + resident 12; lifetime 60 s from max-age; 48 s
 * left (RFC 9111 §4.2, §4.2.3)`: the verdict, what the upstream answered
 * and what the cache did with it, the age and lifetime of the response
 * served or stored, and the RFC sections. With `ascii`, "§4.2" is written
 * "section 4.2" (a new field's value is US-ASCII, RFC 9110 §5.5).
 *
 * Pure formatting. Must not compute anything an explanation does not hold.
 */

import type {
  Explanation,
  LifetimeExplained,
  ResponseExplained,
  UpstreamResult,
  Verdict,
} from "./explanation.ts";

/** How summaryLine() writes. */
export interface SummaryOptions {
  /** Write sections without "§" (for a header field, RFC 9110 §5.5). */
  ascii?: boolean;
}

/** The explanation in one line. */
export function summaryLine(
  e: Explanation,
  opts: SummaryOptions = {},
): string {
  const parts: string[] = [];
  if (e.upstream) parts.push(upstreamText(e.upstream));
  if (e.response) parts.push(responseText(e.response));
  const head = verdictText(e.verdict);
  const body = parts.length === 0 ? head : `${head}: ${parts.join("; ")}`;
  const sections = sectionsText(e.sections, opts.ascii ?? false);
  return sections === "" ? body : `${body} (${sections})`;
}

function verdictText(v: Verdict): string {
  switch (v.kind) {
    case "fresh":
      return "fresh";
    case "stale-served":
      return v.why === "max-stale"
        ? "stale, served: the request's max-stale allows it"
        : "stale, served while revalidating: stale-while-revalidate allows it";
    case "revalidate":
      return `must revalidate: ${REVALIDATE_WHY[v.why ?? "stale"]}`;
    case "fill-range":
      return "partial: the stored part lacks bytes of the range, fetched";
    case "miss":
      return `miss: ${MISS_WHY[v.detail]}`;
    case "pass":
      return `pass: ${PASS_WHY[v.why]}`;
    case "only-if-cached-miss":
      return "miss: only-if-cached and nothing usable stored, 504";
  }
}

const REVALIDATE_WHY = {
  "request-no-cache": "the request says no-cache",
  "no-cache": "the response says no-cache (validate on every use)",
  "max-age": "older than the request's max-age",
  "min-fresh": "less freshness left than the request's min-fresh",
  "must-revalidate":
    "stale, and must-revalidate, proxy-revalidate or s-maxage forbids serving it stale",
  "stale": "stale, and nothing allows serving it stale",
} as const;

const MISS_WHY = {
  "uri-miss": "nothing stored for this URI",
  "vary-miss": "no stored variant matches the request's Vary fields",
  "method": "the method is not answered from the cache",
  "partial": "the stored part does not hold the range asked",
  "miss": "what is stored was stored under another policy",
} as const;

const PASS_WHY = {
  "method": "the method goes to the origin; only GET responses are reused",
  "request": "If-Match or If-Unmodified-Since only the origin can evaluate",
  "bypass": "the request has no cache key",
} as const;

function upstreamText(r: UpstreamResult): string {
  switch (r.kind) {
    case "stored":
      return `origin ${r.status}, stored`;
    case "not-stored":
      return `origin ${r.status}, not stored: ${r.why.reason}: ${r.why.fix}`;
    case "freshened":
      return `origin ${r.status}, stored response freshened`;
    case "selected":
      return `origin ${r.status}, a stored variant selected`;
    case "stale-if-error":
      return `origin ${r.status}, stale response served instead (stale-if-error)`;
    case "invalidated":
      return `origin ${r.status}, stored responses of the URI invalidated`;
    case "relayed":
      return `origin ${r.status}, relayed`;
    case "none":
      return "no usable response from the origin";
  }
}

function responseText(r: ResponseExplained): string {
  const { age } = r;
  const ageText =
    `age ${age.currentAge} s = corrected initial age ${age.correctedInitialAge} + resident ${age.residentTime}`;
  const left = r.remaining > 0 // RFC 9111 §4.2: fresh while lifetime > age
    ? `${r.remaining} s left`
    : `stale by ${-r.remaining} s`;
  return `${ageText}; ${lifetimeText(r.lifetime)}; ${left}`;
}

function lifetimeText(l: LifetimeExplained): string {
  const where = l.field === undefined ? "" : ` in ${l.field}`;
  switch (l.source) {
    case "s-maxage":
    case "max-age":
      return `lifetime ${l.seconds} s from ${l.source}${where}`;
    case "expires":
      return `lifetime ${l.seconds} s from Expires - Date`;
    case "heuristic":
      return `lifetime ${l.seconds} s heuristic, 10% of Date - Last-Modified`;
    case "no-cache":
      return `lifetime 0 s: no-cache${where}`;
    case "none":
      return "lifetime 0 s: no freshness information";
  }
}

/**
 * "RFC 9111 §4.2, §4.2.3; RFC 5861 §3": each RFC once, in order of first
 * mention, its sections in numeric order without repeats.
 */
function sectionsText(sections: readonly string[], ascii: boolean): string {
  const byRfc = new Map<string, Set<string>>();
  for (const section of sections) {
    const [rfc, number] = section.split(" §") as [string, string | undefined];
    if (number === undefined) continue;
    let numbers = byRfc.get(rfc);
    if (numbers === undefined) byRfc.set(rfc, numbers = new Set());
    numbers.add(number);
  }
  const groups: string[] = [];
  for (const [rfc, numbers] of byRfc) {
    const sorted = [...numbers].sort(bySectionNumber);
    groups.push(
      ascii
        ? `${rfc} section${sorted.length > 1 ? "s" : ""} ${sorted.join(", ")}`
        : `${rfc} ${sorted.map((n) => `§${n}`).join(", ")}`,
    );
  }
  return groups.join("; ");
}

function bySectionNumber(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}
