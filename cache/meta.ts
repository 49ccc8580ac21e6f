/**
 * Owns the metadata schema of one stored response (one Vary variant):
 * what the sidecar JSON holds, its version, and the strict check that
 * turns untrusted JSON into metadata or rejects it (a miss, then removed).
 *
 * Must not compute freshness (policy.ts) nor touch files (file_store.ts).
 */

import type { Field } from "../http/headers.ts";
import { STORED_HEAD_MAX_BYTES, STORED_HEAD_MAX_FIELDS } from "./limits.ts";

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
  /**
   * The exact body length in bytes; for a partial entry, the bytes its
   * pieces hold (what it costs the store, overlaps counted twice).
   */
  bodySize: number;
  /**
   * The body file's name within the entry's folder (unique per write, so a
   * switch is atomic); for a partial entry, the file of its newest piece
   * (unique per version too).
   */
  bodyFile: string;
  /**
   * The lowercase name of the targeted field that decided this response's
   * caching policy (RFC 9213 §2.1), e.g. "cdn-cache-control"; absent when
   * Cache-Control did. Optional, so sidecars written before it still parse.
   */
  policyField?: string;
  /**
   * Present when the entry holds only parts of its representation (RFC
   * 9111 §3.3): which ranges, and in which files. Such an entry answers
   * only range requests within what it holds; its `status` and `headers`
   * are those a complete response would have. Optional, so sidecars
   * written before it still parse.
   */
  partial?: PartialInfo;
}

/** Which representation a partial entry holds parts of (RFC 9110 §8.8, §14.4). */
export interface Representation {
  /**
   * Its strong validator as sent in If-Range (RFC 9110 §13.1.5): a strong
   * ETag (`"abc"`) or a Last-Modified HTTP-date. Stores compare it as an
   * opaque string: two pieces with equal validators (and complete lengths
   * that agree) are parts of one representation.
   */
  validator: string;
  /** The complete length in bytes, or null when unknown (`*`, RFC 9110 §14.4). */
  length: number | null;
}

/** One stored byte range of a partial entry. */
export interface Piece {
  /** First byte's offset in the representation. */
  start: number;
  /** Last byte's offset (inclusive). */
  end: number;
  /** The file (or memory slot) holding exactly bytes start..end. */
  file: string;
}

/** The parts a partial entry holds. */
export interface PartialInfo extends Representation {
  /** Its pieces, ascending by start; they may overlap, none lies within another. */
  pieces: Piece[];
}

/**
 * Checks that untrusted JSON is metadata of the current version with the
 * right shape, holding a head the cache could have stored and may send
 * (isServableHead). Returns undefined for anything else: corrupt,
 * truncated, foreign or older files are misses.
 */
export function parseMeta(value: unknown): EntryMeta | undefined {
  if (!isRecord(value)) return undefined;
  const v = value;
  if (v.version !== META_VERSION) return undefined;
  if (typeof v.key !== "string" || v.key === "") return undefined;
  if (!Array.isArray(v.vary) || !v.vary.every(isVaryPair)) return undefined;
  if (!isInt(v.status) || typeof v.reason !== "string") return undefined;
  if (!Array.isArray(v.headers) || !v.headers.every(isField)) return undefined;
  if (!isServableHead(v.status, v.reason, v.headers)) return undefined;
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
  if (v.partial !== undefined && !isPartialOf(v.partial, v)) return undefined;
  return v as unknown as EntryMeta;
}

/**
 * True when a stored status line and fields are ones the cache stores
 * (storable.ts, stored_head.ts) and serving them sends them as they are:
 * a sidecar is untrusted input, and a line break in a value would split
 * the response.
 */
function isServableHead(
  status: number,
  reason: string,
  headers: Field[],
): boolean {
  // RFC 9111 §3: only final responses are stored; 206 and 304 never as such (storable.ts).
  if (status < 200 || status > 999) return false; // RFC 9110 §15: three digits; http/head.ts reads 100-999
  if (status === 206 || status === 304) return false; // RFC 9111 §3.3, §4.3.4: they update a stored response
  if (!NO_LINE_BREAK.test(reason)) return false; // RFC 9112 §4: reason-phrase holds no CR, LF nor NUL
  if (headers.length > STORED_HEAD_MAX_FIELDS) return false; // no writer stores more (stored_head.ts)
  let bytes = 0;
  for (const [name, value] of headers) {
    if (!TOKEN.test(name)) return false; // RFC 9110 §5.1: a field name is a token
    if (!NO_LINE_BREAK.test(value)) return false; // RFC 9110 §5.5: a field value holds no CR, LF nor NUL
    bytes += name.length + value.length + 4; // ": " and CRLF, as stored_head.ts counts
    if (bytes > STORED_HEAD_MAX_BYTES) return false; // no writer stores a larger head (stored_head.ts)
  }
  return true;
}

/** A token (RFC 9110 §5.6.2). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** No CR, LF nor NUL (RFC 9110 §5.5). */
const NO_LINE_BREAK = /^[^\r\n\0]*$/;

/**
 * A partial entry's parts: a validator, a complete length (or null), and
 * pieces in ascending order of start within that length, none inside
 * another, each in its own file, whose sizes add up to `bodySize`, the newest being `bodyFile`.
 */
function isPartialOf(value: unknown, meta: Record<string, unknown>): boolean {
  if (!isRecord(value)) return false;
  if (typeof value.validator !== "string" || value.validator === "") {
    return false;
  }
  const length = value.length;
  if (length !== null && (!isInt(length) || length <= 0)) return false;
  const pieces = value.pieces;
  if (!Array.isArray(pieces) || pieces.length === 0) return false;
  let held = 0;
  let last: { start: number; end: number } | undefined;
  const files = new Set<string>();
  for (const piece of pieces) {
    if (!isPiece(piece) || files.has(piece.file)) return false;
    files.add(piece.file);
    if (length !== null && piece.end >= length) return false;
    if (last && (piece.start <= last.start || piece.end <= last.end)) {
      return false; // out of order, or one within another
    }
    held += piece.end - piece.start + 1;
    last = piece;
  }
  if (held !== meta.bodySize) return false;
  return pieces.some((piece) => piece.file === meta.bodyFile);
}

function isPiece(
  value: unknown,
): value is { start: number; end: number; file: string } {
  return isRecord(value) && isInt(value.start) && value.start >= 0 &&
    isInt(value.end) && value.end >= value.start &&
    typeof value.file === "string" && /^[\w.-]+\.body$/.test(value.file);
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
