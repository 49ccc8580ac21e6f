/**
 * Owns the Age field a cache sends (RFC 9111 §5.1): the value for an age
 * it computed, and a received Age relayed unchanged unless it is larger
 * than the cache can represent. Every Age this proxy sends goes through
 * here: servedHeaders() for a stored response, relayedAge() for a
 * response passed on from upstream.
 *
 * Pure. Must not compute ages (freshness.ts does).
 */

import type { FieldList } from "../http/headers.ts";
import { MAX_DELTA_SECONDS, parseDeltaSeconds } from "./cache_control.ts";

/**
 * RFC 9111 §5.1: the Age field value for an age of `seconds`: whole
 * seconds, never negative, and 2147483648 (2^31) when the age passes it
 * ("if any of its age calculations overflows, it MUST transmit an Age
 * header field with a field value of 2147483648").
 */
export function ageFieldValue(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  return String(Math.min(whole, MAX_DELTA_SECONDS)); // RFC 9111 §5.1
}

/**
 * RFC 9111 §5.1: a received Age larger than 2^31 is sent on as
 * 2147483648 ("If a cache receives a value larger than the largest
 * positive integer it can represent ... it MUST transmit ...
 * 2147483648"). Changes `fields` in place; any other Age (valid or not)
 * is left as received.
 */
export function relayedAge(fields: FieldList): void {
  const values = fields.getAll("age");
  if (values.length !== 1) return;
  const value = values[0]!.trim();
  const age = parseDeltaSeconds(value);
  if (age === MAX_DELTA_SECONDS && value !== String(MAX_DELTA_SECONDS)) {
    fields.set("Age", String(MAX_DELTA_SECONDS)); // RFC 9111 §5.1
  }
}
