/**
 * Owns the age calculation of RFC 9111 §4.2.3: the Date value, the terms
 * known when a response arrives (apparent age, response delay, corrected
 * age value, corrected initial age), and a stored response's resident
 * time and current age at `now`. entryTimes() (freshness.ts) stores the
 * corrected initial age; explain.ts shows every term.
 *
 * Pure: `now` and the request/response times are parameters; nothing here
 * reads the clock. Must not compute freshness lifetimes (freshness.ts).
 */

import type { FieldList } from "../http/headers.ts";
import { parseHttpDateLenient } from "../http/dates.ts";
import { parseDeltaSeconds } from "./cache_control.ts";
import type { EntryMeta } from "./meta.ts";

/**
 * The Date value in ms; the time the response was received when Date is
 * absent or invalid (RFC 9111 §4.2.1, RFC 9110 §6.6.1).
 */
export function dateValue(resHeaders: FieldList, responseTime: number): number {
  const text = resHeaders.first("date");
  const parsed = text === undefined
    ? undefined
    : parseHttpDateLenient(text, responseTime); // RFC 9111 §4.2: lenient
  return parsed ?? responseTime;
}

/**
 * The Age value in seconds: the first member of the field, ignored (0)
 * when invalid (RFC 9111 §5.1).
 */
function ageValue(resHeaders: FieldList): number {
  const first = resHeaders.list("age")[0];
  return parseDeltaSeconds(first) ?? 0;
}

/** The RFC 9111 §4.2.3 terms known when a response arrives, in whole seconds. */
export interface InitialAgeTerms {
  /** apparent_age = max(0, response_time - date_value). */
  apparentAge: number;
  /** response_delay = response_time - request_time. */
  responseDelay: number;
  /** corrected_age_value = age_value + response_delay. */
  correctedAgeValue: number;
  /** corrected_initial_age = max(apparent_age, corrected_age_value). */
  correctedInitialAge: number;
}

/**
 * RFC 9111 §4.2.3's terms for a response received at `responseTime` (ms)
 * to a request sent at `requestTime` (ms), in whole seconds (sub-second
 * delays round down); entryTimes() stores the corrected initial age.
 */
export function initialAgeTerms(
  resHeaders: FieldList,
  requestTime: number,
  responseTime: number,
): InitialAgeTerms {
  const date = dateValue(resHeaders, responseTime);
  const apparentAge = Math.max(0, Math.floor((responseTime - date) / 1000));
  const responseDelay = Math.max(
    0,
    Math.floor((responseTime - requestTime) / 1000),
  );
  const correctedAgeValue = ageValue(resHeaders) + responseDelay;
  const correctedInitialAge = Math.max(apparentAge, correctedAgeValue);
  return { apparentAge, responseDelay, correctedAgeValue, correctedInitialAge };
}

/** RFC 9111 §4.2.3 resident_time in whole seconds (never negative). */
export function residentTime(
  meta: Pick<EntryMeta, "responseTime">,
  now: number,
): number {
  return Math.max(0, Math.floor((now - meta.responseTime) / 1000));
}

/** RFC 9111 §4.2.3 current_age in whole seconds. */
export function currentAge(
  meta: Pick<EntryMeta, "correctedInitialAge" | "responseTime">,
  now: number,
): number {
  return meta.correctedInitialAge + residentTime(meta, now);
}

/** current_age with sub-second resident time, for comparisons against request limits. */
export function exactAge(meta: EntryMeta, now: number): number {
  return meta.correctedInitialAge + Math.max(0, now - meta.responseTime) / 1000;
}
