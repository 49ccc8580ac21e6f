/**
 * Owns what an explanation says about a response the cache did not store:
 * for each rule of storable.ts (NotStoredDetail), and for a stored
 * response a newer one outdated, the RFC section, what stopped it in
 * words, and what the origin (or the client, or the proxy's
 * configuration) could change to make it storable.
 *
 * Pure: reads the exchange's fields only. Must not judge storability
 * (storable.ts does): the rule is given.
 */

import type { FieldList } from "../http/headers.ts";
import { requestDirectives } from "./cache_control.ts";
import type { NotStoredDetail } from "./storable.ts";
import { policyOf } from "./targeted.ts";

/** Why a response was not stored, in words. */
export interface NotStoredRule {
  /** The rule (storable.ts NotStoredDetail), or "outdated": a newer response replaced it. */
  rule: NotStoredDetail | "outdated";
  /** Where the rule comes from, e.g. ["RFC 9111 §5.2.2.5"]; empty for this proxy's own rules (its flags). */
  sections: string[];
  /** What stopped it, e.g. "no-store in Cache-Control". */
  reason: string;
  /** What would make it storable, e.g. "remove it". */
  fix: string;
}

/** The messages a rule is judged by. */
export interface RuleFacts {
  method: string;
  status: number;
  requestFields: FieldList;
  responseFields: FieldList;
  /** The route's targeted fields, in order (RFC 9213 §2.1). */
  targets?: readonly string[];
}

/** The rule that stopped a response from being stored, in words. */
export function notStoredRule(
  rule: NotStoredDetail | "outdated",
  facts: RuleFacts,
): NotStoredRule {
  const [sections, reason, fix] = wordsOf(rule, facts);
  return { rule, sections, reason, fix };
}

type Words = [sections: string[], reason: string, fix: string];

function wordsOf(rule: NotStoredDetail | "outdated", facts: RuleFacts): Words {
  const { status } = facts;
  const field = policyFieldName(facts);
  switch (rule) {
    case "method":
      return [
        ["RFC 9111 §3"],
        `the method is ${facts.method}: only GET responses are stored`,
        "fetch it with GET",
      ];
    case "status":
      return statusWords(facts);
    case "no-store":
      return requestDirectives(facts.requestFields).has("no-store")
        ? [
          ["RFC 9111 §5.2.1.5"],
          "no-store in the request's Cache-Control",
          "send the request without it",
        ]
        : [["RFC 9111 §5.2.2.5"], `no-store in ${field}`, "remove it"];
    case "private":
      return [
        ["RFC 9111 §5.2.2.7"],
        `private in ${field}: a shared cache never stores it`,
        "drop private, and send public or s-maxage if it may be shared",
      ];
    case "authorization":
      return [
        ["RFC 9111 §3.5"],
        "the request carried Authorization and the response does not allow a shared cache to store it",
        "send public, s-maxage or must-revalidate if it may be shared",
      ];
    case "set-cookie":
      return [
        ["RFC 9111 §7.3"],
        "the response sets a cookie (Set-Cookie): never stored here by default",
        'send Cache-Control: private="Set-Cookie" to store it without the cookie, or run the proxy with --store-set-cookie and explicit freshness',
      ];
    case "vary-star":
      return [
        ["RFC 9111 §4.1"],
        "Vary: * never matches a later request",
        "name the request fields it varies on instead of *",
      ];
    case "no-freshness":
      return [
        ["RFC 9111 §3", "RFC 9111 §4.2.2"],
        `status ${status} is not heuristically cacheable and has no explicit freshness`,
        "send Cache-Control: max-age=N (or s-maxage=N, or Expires)",
      ];
    case "no-validator":
      return [
        ["RFC 9111 §5.2.2.4"],
        `no-cache in ${field} without a validator: every use needs validation, which could never succeed`,
        "send an ETag or Last-Modified, or remove no-cache",
      ];
    case "too-large":
      return [
        [],
        `Content-Length ${
          facts.responseFields.first("content-length")
        } is over the largest body stored`,
        "send a smaller body, or raise the proxy's --max-object-size",
      ];
    case "head-too-large":
      return [
        ["RFC 9111 §3.2"],
        "the header section is larger than the proxy stores",
        "send fewer or shorter header fields",
      ];
    case "binary":
      return [
        [],
        `the media type ${
          facts.responseFields.first("content-type") ?? "(none)"
        } is binary and the proxy runs with --skip-binary`,
        "send a textual Content-Type, or run the proxy without --skip-binary",
      ];
    case "transfer-coding":
      return [
        ["RFC 9111 §3.1", "RFC 9112 §7"],
        "the body still carries a transfer coding the proxy cannot decode",
        "send it with chunked or no transfer coding",
      ];
    case "content-range":
      return [
        ["RFC 9111 §3.3"],
        "the 206's Content-Range cannot be placed in its representation",
        "send one valid Content-Range for the range asked",
      ];
    case "range":
      return [
        ["RFC 9110 §14.2"],
        `a ${status} to a Range request depends on the range, which the cache key does not hold`,
        "nothing: the response to a request without Range may be stored",
      ];
    case "outdated":
      return [
        ["RFC 9111 §4.3.3"],
        "a newer response outdated the stored one",
        "nothing: the newer response is what the origin sends now",
      ];
  }
}

/**
 * The "status" rule: a 1xx, a 304 or a 206 judged as a whole (RFC 9111
 * §3, §4.3.4), or must-understand with a status not understood (§5.2.2.3).
 */
function statusWords(facts: RuleFacts): Words {
  const { status } = facts;
  const policy = policyOf(facts.responseFields, facts.targets);
  if (policy.directives.has("must-understand") && status >= 200) {
    return [
      ["RFC 9111 §5.2.2.3"],
      `must-understand with status ${status}, which this cache does not understand`,
      "send a status defined by RFC 9110, or remove must-understand",
    ];
  }
  if (status === 206) {
    return [
      ["RFC 9111 §3.3"],
      "a 206 to a request without Range is never stored",
      "answer a request without Range with the whole representation (200)",
    ];
  }
  return [
    ["RFC 9111 §3", "RFC 9111 §4.3.4"],
    `status ${status} is never stored as a response`,
    "nothing: send a final status other than 304 to be stored",
  ];
}

/** The name of the field whose directives decided, as people write it. */
function policyFieldName(facts: RuleFacts): string {
  const field = policyOf(facts.responseFields, facts.targets).field;
  return field === undefined ? "Cache-Control" : fieldDisplayName(field);
}

/** A lowercase field name as people write it: "cdn-cache-control" is "CDN-Cache-Control". */
export function fieldDisplayName(name: string): string {
  return name.split("-").map((part) =>
    part === "cdn" ? "CDN" : part.charAt(0).toUpperCase() + part.slice(1)
  ).join("-");
}
