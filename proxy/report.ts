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
 * response whose fill began and was abandoned (body cut short, over
 * --max-object-size, write failed). HIT-ABORTED: a request collapsed
 * onto a fill that failed: its body was cut off (its connection closed).
 * PARTIAL: a range answered partly from a stored partial entry, partly
 * with the bytes it lacked, fetched.
 */
export type CacheResult =
  | "HIT"
  | "HIT-ABORTED"
  | "MISS"
  | "MISS-NOT-STORED"
  | "PARTIAL"
  | "REVALIDATED"
  | "STALE"
  | "BYPASS";

/** What the log line ends with. */
export interface LogWords {
  result: CacheResult;
  /** Time to the upstream's response head (ms); "-" when not forwarded. */
  upstreamMs?: number;
}

/** What Cache-Status and the log line say about one response. */
export interface Report extends LogWords {
  status: CacheStatusParams;
}

/** Adds Cache-Status and the log suffix to a response. */
export function withStatus(
  res: OutgoingResponse,
  report: Report,
): OutgoingResponse {
  res.headers.set("Cache-Status", cacheStatus(report.status));
  logResult(res, report);
  return res;
}

/**
 * Sets the words the access-log line ends with (upstream time, cache
 * result); may be called until the response's body has been written.
 */
export function logResult(res: OutgoingResponse, words: LogWords): void {
  const ms = words.upstreamMs;
  res.logSuffix = `${ms === undefined ? "-" : `${ms}ms`} ${words.result}`;
}
