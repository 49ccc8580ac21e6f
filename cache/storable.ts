/**
 * Owns the shared-cache storing rules (RFC 9111 §3): may this response to
 * this request be stored at all? Also owns the media-type classifier for
 * the `--skip-binary` option.
 *
 * Pure: decides from the heads only. Must not touch the store, and must
 * not judge body completeness (the handler commits only complete bodies,
 * RFC 9111 §3.3).
 */

import { type FieldList, parseDecimal } from "../http/headers.ts";
import { keptTransferCodings } from "../http/transfer_coding.ts";
import { requestDirectives } from "./cache_control.ts";
import type { Directives } from "./cache_control.ts";
import { hasValidator, HEURISTICALLY_CACHEABLE } from "./freshness.ts";
import { privateFields } from "./qualified.ts";
import { storedHeadFits } from "./stored_head.ts";
import { type Policy, policyOf } from "./targeted.ts";
import { varyNames } from "./vary.ts";

/** How the handler configured storing. The cache is always shared. */
export interface StoreOptions {
  /** Largest body stored, in bytes (a larger Content-Length is not stored). */
  maxObjectBytes: number;
  /** Do not store responses with a binary media type (the assignment's rule). */
  skipBinary: boolean;
  /**
   * The targeted cache-control fields that apply to this response, in
   * order (RFC 9213 §2.1), e.g. ["Cachelab-Cache-Control",
   * "CDN-Cache-Control"] for a reverse-proxied response; absent or empty:
   * Cache-Control alone decides (today's behaviour).
   */
  targets?: readonly string[];
  /**
   * RFC 9111 §7.3's own behaviour for Set-Cookie: a response that sets a
   * cookie may be stored, but here only with explicit freshness (max-age,
   * s-maxage, Expires). Absent or false: never stored (the default).
   */
  storeSetCookie?: boolean;
}

/** Why a response was not stored: a token for the Cache-Status `detail` (RFC 9211 §2.8). */
export type NotStoredDetail =
  | "method"
  | "status"
  | "no-store"
  | "private"
  | "authorization"
  | "set-cookie"
  | "vary-star"
  | "no-freshness"
  | "no-validator"
  | "too-large"
  | "head-too-large"
  | "binary"
  | "transfer-coding"
  | "content-range"
  | "range";

export type Storability =
  | { storable: true }
  | { storable: false; detail: NotStoredDetail };

/**
 * Final statuses this cache understands (RFC 9111 §5.2.2.3): the final
 * codes RFC 9110 §15 defines, and 429, 431 (RFC 6585) and 451 (RFC 7725),
 * none of which has caching rules beyond RFC 9111's. 206 is left out
 * (a part is judged as the complete 200 it belongs to, §3.3,
 * partial_response.ts) and so is 304 (never stored,
 * §4.3.4). It matters only under must-understand: any other final status
 * may still be stored when explicit freshness or public allows it (§3).
 */
const UNDERSTOOD_STATUSES: ReadonlySet<number> = new Set([
  ...[200, 201, 202, 203, 204, 205],
  ...[300, 301, 302, 303, 307, 308],
  ...[400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413],
  ...[414, 415, 416, 417, 421, 422, 426, 429, 431, 451],
  ...[500, 501, 502, 503, 504, 505],
]);

const STORABLE: Storability = { storable: true };

function notStored(detail: NotStoredDetail): Storability {
  return { storable: false, detail };
}

/**
 * RFC 9111 §3: may this response to this request be stored? The response
 * directives are those of its policy: the first targeted field of
 * `opts.targets` present and valid, else Cache-Control (RFC 9213 §2.1).
 * A qualified `private="F"` does not prevent storing: draftOf() stores the
 * response without the named fields (§5.2.2.7).
 */
export function storability(
  method: string,
  reqHeaders: FieldList,
  status: number,
  resHeaders: FieldList,
  opts: StoreOptions,
): Storability {
  const req = requestDirectives(reqHeaders);
  const policy = policyOf(resHeaders, opts.targets);
  const res = policy.directives;
  // RFC 9111 §3: the method is understood; we store GET only (HEAD is
  // answered from GET entries, RFC 9110 §9.3.2).
  if (method !== "GET") return notStored("method");
  // RFC 9111 §3: the status is final; 206 and 304 are never stored as
  // complete responses (§3.3: a 206 is stored as a part, judged as the
  // complete 200 by partial_response.ts; §4.3.4).
  if (status < 200 || status === 206 || status === 304) {
    return notStored("status");
  }
  const forbidden = policyForbidsStoring(status, res); // RFC 9111 §5.2.2.3, §5.2.2.5, §5.2.2.7
  if (forbidden === "status") return notStored("status");
  if (req.has("no-store")) return notStored("no-store"); // RFC 9111 §5.2.1.5
  if (forbidden !== undefined) return notStored(forbidden);
  // RFC 9111 §3.5: Authorization needs a directive allowing shared storage.
  if (reqHeaders.has("authorization") && !allowsAuthorized(res)) {
    return notStored("authorization");
  }
  if (!cookieAllowed(policy, resHeaders, opts)) return notStored("set-cookie");
  // RFC 9111 §4.1: Vary "*" always fails to match; storing it is useless.
  if (varyNames(resHeaders).includes("*")) return notStored("vary-star");
  // RFC 9111 §3: at least one of public, Expires, max-age, s-maxage, a
  // heuristically cacheable status (§4.2.2).
  if (!hasFreshnessPermit(status, policy, resHeaders)) {
    return notStored("no-freshness");
  }
  // Our choice: a no-cache response without a validator can never be
  // reused (every use needs validation, §5.2.2.4, and validation without
  // a validator is a full fetch that replaces it). The qualified form
  // allows reuse while fresh, so it is stored.
  const everyUseValidated = res.has("no-cache") &&
    res.fieldNames("no-cache") === undefined;
  if (everyUseValidated && !hasValidator(resHeaders)) {
    return notStored("no-validator");
  }
  if (exceedsSize(resHeaders, opts.maxObjectBytes)) {
    return notStored("too-large");
  }
  // RFC 9111 §3.2; our bound: a head past what the proxy accepts from an
  // upstream is never stored (stored_head.ts).
  if (!storedHeadFits(resHeaders)) return notStored("head-too-large");
  // RFC 9111 §3.1, RFC 9112 §7: a transfer coding is the message's, never
  // stored; a body still carrying one we cannot decode is not the
  // representation, so there is nothing a later request could be served.
  if (keptTransferCodings(resHeaders)) return notStored("transfer-coding");
  const binary = opts.skipBinary && hasContent(status, resHeaders) &&
    isBinaryMediaType(resHeaders.first("content-type"));
  if (binary) return notStored("binary");
  return STORABLE;
}

/**
 * What a response's own policy directives say against storing it in a
 * shared cache, whatever the request (RFC 9111 §3): "status" when it has
 * must-understand and a status we do not understand (§5.2.2.3),
 * "no-store" (§5.2.2.5; must-understand with an understood status
 * overrides it), "private" for the unqualified form (§5.2.2.7; the
 * qualified one only keeps the named fields out); else undefined.
 * `res` are the directives of the response's policy (targeted.ts).
 */
export function policyForbidsStoring(
  status: number,
  res: Directives,
): "status" | "no-store" | "private" | undefined {
  const mustUnderstand = res.has("must-understand");
  // RFC 9111 §3, §5.2.2.3: must-understand needs a status we understand.
  if (mustUnderstand && !UNDERSTOOD_STATUSES.has(status)) return "status";
  // RFC 9111 §5.2.2.5, §5.2.2.3: must-understand with an understood status overrides no-store.
  if (res.has("no-store") && !mustUnderstand) return "no-store";
  // RFC 9111 §5.2.2.7: a shared cache does not store private responses.
  if (res.has("private") && res.fieldNames("private") === undefined) {
    return "private";
  }
  return undefined;
}

/**
 * Set-Cookie. RFC 9111 §7.3 leaves it open; by default, like nginx and
 * Varnish, a shared cache here never stores a response that sets a
 * cookie: serving one client's session cookie to every other client is
 * the classic shared-cache leak. A qualified `private="Set-Cookie"` keeps
 * the cookie out of the stored copy (§5.2.2.7), so it is no obstacle.
 * With `storeSetCookie`, the RFC's own rule (the cookie does not inhibit
 * storing) holds for responses with explicit freshness only.
 */
function cookieAllowed(
  policy: Policy,
  resHeaders: FieldList,
  opts: StoreOptions,
): boolean {
  if (!resHeaders.has("set-cookie")) return true;
  if (privateFields(policy.directives).includes("set-cookie")) return true; // RFC 9111 §5.2.2.7
  if (!opts.storeSetCookie) return false;
  return hasExplicitFreshness(policy, resHeaders); // RFC 9111 §7.3 note
}

/**
 * Explicit freshness (RFC 9111 §4.2.1): s-maxage, max-age, or Expires
 * unless a targeted field decides (RFC 9213 §2.1 ignores Expires then).
 * `policy` is policyOf() the response fields.
 */
export function hasExplicitFreshness(
  policy: Policy,
  resHeaders: FieldList,
): boolean {
  const res = policy.directives;
  return res.has("s-maxage") || // RFC 9111 §5.2.2.10
    res.has("max-age") || // RFC 9111 §5.2.2.1
    (policy.field === undefined && resHeaders.has("expires")); // RFC 9111 §5.3
}

/** RFC 9111 §3.5: must-revalidate, public and s-maxage allow shared storage. */
function allowsAuthorized(res: Directives): boolean {
  return res.has("must-revalidate") ||
    res.has("public") ||
    res.has("s-maxage");
}

/** The last condition of RFC 9111 §3 for a shared cache. */
function hasFreshnessPermit(
  status: number,
  policy: Policy,
  resHeaders: FieldList,
): boolean {
  return policy.directives.has("public") || // RFC 9111 §5.2.2.9
    hasExplicitFreshness(policy, resHeaders) || // Expires, max-age, s-maxage
    HEURISTICALLY_CACHEABLE.has(status); // RFC 9111 §4.2.2
}

function exceedsSize(resHeaders: FieldList, maxObjectBytes: number): boolean {
  const length = parseDecimal(resHeaders.first("content-length"));
  return length !== undefined && length > maxObjectBytes;
}

function hasContent(status: number, resHeaders: FieldList): boolean {
  if (status === 204) return false;
  return parseDecimal(resHeaders.first("content-length")) !== 0; // "00" is empty too
}

/** application/* subtypes that are text. */
const TEXTUAL_APPLICATION = new Set([
  "json",
  "xml",
  "javascript",
  "ecmascript",
  "x-javascript",
  "x-ecmascript",
  "x-www-form-urlencoded",
  "yaml",
  "x-yaml",
  "toml",
  "x-ndjson",
  "sql",
  "graphql",
]);

/**
 * True when a Content-Type value names a binary media type: not text/*,
 * not a +json/+xml/+yaml structured syntax (RFC 6839, RFC 9512), not one
 * of the textual application/* types (json, xml, javascript, ...). An
 * absent or unparsable value is binary: a recipient may assume
 * application/octet-stream (RFC 9110 §8.3).
 */
export function isBinaryMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const essence = contentType.split(";", 1)[0]!.trim().toLowerCase();
  const match = /^([a-z0-9!#$&^_.+-]+)\/([a-z0-9!#$&^_.+-]+)$/.exec(essence);
  if (!match) return true;
  const type = match[1]!;
  const subtype = match[2]!;
  if (type === "text") return false;
  if (/\+(json|xml|yaml)$/.test(subtype)) return false;
  return !(type === "application" && TEXTUAL_APPLICATION.has(subtype));
}
