/**
 * Owns the Cache-Status response field value (RFC 9211) that tells a
 * client what this cache did with its request and why.
 *
 * Pure formatting: the handler knows what happened and adds the field.
 */

/** The cache's identifier in Cache-Status (RFC 9211 §2: an sf-token). */
const CACHE_NAME = "cachelab";

/** Why the request went forward (RFC 9211 §2.2). */
export type ForwardReason =
  | "bypass"
  | "method"
  | "uri-miss"
  | "vary-miss"
  | "miss"
  | "request"
  | "stale"
  | "partial";

/** What happened to one request. */
export interface CacheStatusParams {
  /** Served from the cache without going forward (RFC 9211 §2.1). */
  hit: boolean;
  /** Why it went forward (RFC 9211 §2.2); ignored when `hit` (the two are exclusive). */
  fwd?: ForwardReason;
  /** The status the next hop answered (RFC 9211 §2.3); only with `fwd`. */
  fwdStatus?: number;
  /** Remaining freshness in seconds, negative when stale (RFC 9211 §2.4). */
  ttl?: number;
  /** The response was stored (RFC 9211 §2.5). */
  stored?: boolean;
  /** The request was collapsed with another (RFC 9211 §2.6). */
  collapsed?: boolean;
  /** Implementation-specific detail, e.g. why it was not stored (RFC 9211 §2.8). */
  detail?: string;
}

/** Structured Fields integers are limited to 15 digits (RFC 8941 §3.3.1). */
const MAX_SF_INTEGER = 999_999_999_999_999;
const SF_TOKEN = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/;

/**
 * The Cache-Status member for this cache, e.g. `cachelab; hit; ttl=42`,
 * `cachelab; fwd=uri-miss; fwd-status=200; stored`,
 * `cachelab; fwd=miss; detail=no-store`.
 */
export function cacheStatus(p: CacheStatusParams): string {
  const parts = [CACHE_NAME];
  if (p.hit) {
    parts.push("hit"); // RFC 9211 §2.1
  } else if (p.fwd !== undefined) {
    parts.push(`fwd=${p.fwd}`); // RFC 9211 §2.2
    if (p.fwdStatus !== undefined) {
      parts.push(`fwd-status=${sfInteger(p.fwdStatus)}`); // RFC 9211 §2.3
    }
  }
  if (p.ttl !== undefined) parts.push(`ttl=${sfInteger(p.ttl)}`); // RFC 9211 §2.4
  if (p.stored) parts.push("stored"); // RFC 9211 §2.5
  if (p.collapsed) parts.push("collapsed"); // RFC 9211 §2.6
  if (p.detail !== undefined && p.detail !== "") {
    parts.push(`detail=${sfTokenOrString(p.detail)}`); // RFC 9211 §2.8
  }
  return parts.join("; ");
}

function sfInteger(n: number): string {
  const whole = Math.floor(n);
  const clamped = Math.max(-MAX_SF_INTEGER, Math.min(MAX_SF_INTEGER, whole));
  return String(clamped);
}

/** A token when it is one, else an sf-string (RFC 8941 §3.3.3, §3.3.4). */
function sfTokenOrString(text: string): string {
  if (SF_TOKEN.test(text)) return text;
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    else out += "?"; // sf-string allows printable ASCII only
  }
  return `${out}"`;
}
