/**
 * Owns the metadata schema of one stored response (one Vary variant):
 * what the sidecar JSON holds, its version, and the strict check that
 * turns untrusted JSON into metadata or rejects it (a miss, then removed).
 *
 * Must not compute freshness (policy.ts) nor touch files (file_store.ts).
 */

import type { Field } from "../http/headers.ts";

/**
 * The schema version written to disk; anything else is a miss. Version 2:
 * the key is the target URI as forwarded (the client's Host as authority,
 * path and query byte for byte); version 1 keys named the upstream
 * whatever the Host, so their entries may belong to another site.
 */
export const META_VERSION = 2;

/** One stored response. Times are absolute, computed once at store time. */
export interface EntryMeta {
  version: typeof META_VERSION;
  /** The primary cache key: the target URI as forwarded (RFC 9111 §2, cache/key.ts). */
  key: string;
  /**
   * The request field values this variant was selected by (RFC 9111 §4.1),
   * in the order the response's Vary names them: [lowercase name, value or
   * null when the request lacked the field]. Empty when there is no Vary.
   */
  vary: [string, string | null][];
  status: number;
  reason: string;
  /** Response fields in wire order, hop-by-hop fields removed. */
  headers: Field[];
  /** When the request that fetched this response was sent upstream (ms since epoch). */
  requestTime: number;
  /** When its response head arrived (ms since epoch). */
  responseTime: number;
  /** RFC 9111 §4.2.3 corrected_initial_age, in seconds. */
  correctedInitialAge: number;
  /** Until when the response is fresh (ms since epoch); <= responseTime when stale at once. */
  freshUntil: number;
  /** Until when it is worth keeping at all (ms since epoch); null while it can still be revalidated. */
  keepUntil: number | null;
  /** The exact body length in bytes. */
  bodySize: number;
  /** The body file's name within the entry's folder (unique per write, so a switch is atomic). */
  bodyFile: string;
  /**
   * The lowercase name of the targeted field that decided this response's
   * caching policy (RFC 9213 §2.1), e.g. "cdn-cache-control"; absent when
   * Cache-Control did. Optional, so sidecars written before it still parse.
   */
  policyField?: string;
}

/**
 * Checks that untrusted JSON is metadata of the current version with the
 * right shape. Returns undefined for anything else: corrupt, truncated,
 * foreign or older files are misses.
 */
export function parseMeta(value: unknown): EntryMeta | undefined {
  if (!isRecord(value)) return undefined;
  const v = value;
  if (v.version !== META_VERSION) return undefined;
  if (typeof v.key !== "string" || v.key === "") return undefined;
  if (!Array.isArray(v.vary) || !v.vary.every(isVaryPair)) return undefined;
  if (!isInt(v.status) || v.status < 100 || v.status > 999) return undefined;
  if (typeof v.reason !== "string") return undefined;
  if (!Array.isArray(v.headers) || !v.headers.every(isField)) return undefined;
  if (!isTime(v.requestTime) || !isTime(v.responseTime)) return undefined;
  if (!isInt(v.correctedInitialAge) || v.correctedInitialAge < 0) {
    return undefined;
  }
  if (!isTime(v.freshUntil)) return undefined;
  if (v.keepUntil !== null && !isTime(v.keepUntil)) return undefined;
  if (!isInt(v.bodySize) || v.bodySize < 0) return undefined;
  if (typeof v.bodyFile !== "string" || !/^[\w.-]+\.body$/.test(v.bodyFile)) {
    return undefined;
  }
  if (v.policyField !== undefined && !isFieldName(v.policyField)) {
    return undefined;
  }
  return v as unknown as EntryMeta;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isInt(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value);
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** A lowercase field name (RFC 9110 §5.1: a token). */
function isFieldName(value: unknown): boolean {
  return typeof value === "string" &&
    /^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(value);
}

function isField(value: unknown): boolean {
  return Array.isArray(value) && value.length === 2 &&
    typeof value[0] === "string" && typeof value[1] === "string";
}

function isVaryPair(value: unknown): boolean {
  return Array.isArray(value) && value.length === 2 &&
    typeof value[0] === "string" &&
    (typeof value[1] === "string" || value[1] === null);
}
