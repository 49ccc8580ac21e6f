/**
 * Owns checking the shape of an admin listener's answers before the CLI
 * prints them (`cachelab clock`, `cachelab cache ...`): the listener may
 * be anything that answers on the URL given, so a number is a finite
 * number, a text a string, and a peer's error one line, or the command
 * fails with "the admin API answered ... that is not ...".
 *
 * Must not fetch nor print: cli/clock.ts and cli/cache.ts do.
 */

import type { ClockView } from "../admin/clock.ts";
import type { EntrySummary } from "../admin/entries.ts";
import type { EntriesListing, EntryDetail, Totals } from "./cache_format.ts";

/** Anything that is not a plain JSON object. */
type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function notA(what: string): Error {
  return new Error(`the admin API answered JSON that is not ${what}`);
}

/**
 * `body` as a ClockView (admin/clock.ts): `now` ms since the epoch that
 * a Date can hold, `offsetSeconds` a number, `movable` a boolean. Throws
 * an Error naming what it is not otherwise.
 */
export function clockViewOf(body: unknown): ClockView {
  const ok = isObject(body) && isNumber(body.now) &&
    !Number.isNaN(new Date(body.now).getTime()) &&
    isNumber(body.offsetSeconds) && typeof body.movable === "boolean";
  if (!ok) throw notA("a clock ({now, offsetSeconds, movable})");
  return body as unknown as ClockView;
}

function isSummary(value: unknown): value is EntrySummary {
  return isObject(value) && typeof value.url === "string" &&
    (value.via === null || typeof value.via === "string") &&
    isObject(value.vary) &&
    Object.values(value.vary).every((v) =>
      v === null || typeof v === "string"
    ) &&
    isNumber(value.status) && isNumber(value.bodySize) &&
    typeof value.storedAt === "string" && isNumber(value.ageSeconds) &&
    isNumber(value.freshSeconds) && typeof value.state === "string" &&
    isNumber(value.hits);
}

function isTotals(value: unknown): value is Totals {
  return isObject(value) && isNumber(value.entries) &&
    isNumber(value.bytes) &&
    (value.store === undefined ||
      (isObject(value.store) &&
        Object.values(value.store).every((v) =>
          typeof v === "string" || isNumber(v)
        )));
}

/** `body` as GET /api/entries's answer; throws an Error otherwise. */
export function entriesListingOf(body: unknown): EntriesListing {
  const ok = isObject(body) && Array.isArray(body.entries) &&
    body.entries.every(isSummary) && typeof body.more === "boolean" &&
    isTotals(body.total);
  if (!ok) throw notA("a listing of entries ({entries, more, total})");
  return body as unknown as EntriesListing;
}

/** The totals of GET /api/entries's answer; throws an Error otherwise. */
export function totalsOf(body: unknown): Totals {
  if (!isObject(body) || !isTotals(body.total)) {
    throw notA("totals ({total: {entries, bytes}})");
  }
  return body.total;
}

/** `body` as GET /api/entry's answer; throws an Error otherwise. */
export function entryDetailOf(body: unknown): EntryDetail {
  const ok = isObject(body) && typeof body.url === "string" &&
    Array.isArray(body.variants) &&
    body.variants.every((v) =>
      isSummary(v) && isObject((v as unknown as Fields).stored) &&
      storedHeadersOk(((v as unknown as Fields).stored as Fields).headers)
    );
  if (!ok) throw notA("an entry ({url, variants})");
  return body as unknown as EntryDetail;
}

function storedHeadersOk(headers: unknown): boolean {
  return headers === undefined ||
    (Array.isArray(headers) &&
      headers.every((h) =>
        Array.isArray(h) && h.length === 2 &&
        h.every((part) => typeof part === "string")
      ));
}

/** The count of DELETE /api/entries's answer ({purged: N}); throws an Error otherwise. */
export function purgedOf(body: unknown): number {
  const n = isObject(body) ? body.purged : undefined;
  if (!isNumber(n) || n < 0) throw notA("a purge count ({purged})");
  return n;
}

/**
 * The one line printed for a refusal: the listener's own `error` text
 * (each control character, a line feed too, shown as a space), else
 * `Cannot run WHAT: the admin API answered STATUS`.
 */
export function refusalLine(
  body: unknown,
  status: number,
  what: string,
): string {
  const error = isObject(body) ? body.error : undefined;
  return typeof error === "string" && error.trim() !== ""
    // deno-lint-ignore no-control-regex
    ? error.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " ")
    : `Cannot run ${what}: the admin API answered ${status}`;
}
