/**
 * Owns the conditional decision of the lab's validator routes
 * (/lab/etag/TAG, /lab/last-modified/DATE, /lab/bytes/N): the RFC 9110
 * §13.2.2 order of http/conditional.ts applied to the validators in the
 * path. Pure.
 *
 * Must not build responses.
 */

import { evaluatePreconditions } from "../../http/conditional.ts";
import type { FieldList } from "../../http/headers.ts";

/** The validators a lab route sends. */
export interface LabValidators {
  /** The ETag as sent, e.g. `"v1"`. */
  etag?: string;
  /** Last-Modified in ms since the epoch (whole seconds). */
  lastModified?: number;
}

/**
 * What to answer a GET or HEAD carrying `request` fields: "304" (If-None-Match
 * matches weakly, RFC 9110 §13.1.2; or, without If-None-Match, If-Modified-Since
 * is at or after Last-Modified, §13.1.3), "412" (If-Match or
 * If-Unmodified-Since fails, §13.1.1, §13.1.4), else "200".
 */
export function labCondition(
  method: string,
  request: FieldList,
  validators: LabValidators,
): "200" | "304" | "412" {
  const result = evaluatePreconditions(method, request, validators); // RFC 9110 §13.2.2
  return result === "proceed" ? "200" : result;
}
