/**
 * Owns how the proxy reports what it did with a request: the
 * Cache-Status field (RFC 9211) on every response and the words the
 * access-log line ends with (upstream time, cache result).
 *
 * Must not decide anything: callers say what happened.
 */

import { cacheStatus, type CacheStatusParams } from "../cache/policy.ts";
import type { OutgoingResponse } from "../http/types.ts";

/** What the access log says the cache did. */
export type CacheResult = "HIT" | "MISS" | "REVALIDATED" | "STALE" | "BYPASS";

/** Adds Cache-Status and the log suffix to a response. */
export function withStatus(
  res: OutgoingResponse,
  status: CacheStatusParams,
  result: CacheResult,
  upstreamMs?: number,
): OutgoingResponse {
  res.headers.set("Cache-Status", cacheStatus(status));
  res.logSuffix = `${
    upstreamMs === undefined ? "-" : `${upstreamMs}ms`
  } ${result}`;
  return res;
}
