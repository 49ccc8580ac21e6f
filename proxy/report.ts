/**
 * Owns how the proxy reports what it did with a request: the
 * Cache-Status field (RFC 9211) on every response and the words the
 * access-log line ends with (upstream time, cache result).
 *
 * Must not decide anything: callers say what happened.
 */

import { cacheStatus, type CacheStatusParams } from "../cache/policy.ts";
import type { OutgoingResponse } from "../http/types.ts";

/**
 * What the access log says the cache did. MISS-NOT-STORED: a storable
 * response whose fill began and was abandoned (body cut short, client
 * gone, over --max-object-size, write failed).
 */
export type CacheResult =
  | "HIT"
  | "MISS"
  | "MISS-NOT-STORED"
  | "REVALIDATED"
  | "STALE"
  | "BYPASS";

/** Adds Cache-Status and the log suffix to a response. */
export function withStatus(
  res: OutgoingResponse,
  status: CacheStatusParams,
  result: CacheResult,
  upstreamMs?: number,
): OutgoingResponse {
  res.headers.set("Cache-Status", cacheStatus(status));
  logResult(res, result, upstreamMs);
  return res;
}

/**
 * Sets the words the access-log line ends with (upstream time, cache
 * result); may be called until the response's body has been written.
 */
export function logResult(
  res: OutgoingResponse,
  result: CacheResult,
  upstreamMs?: number,
): void {
  res.logSuffix = `${
    upstreamMs === undefined ? "-" : `${upstreamMs}ms`
  } ${result}`;
}
