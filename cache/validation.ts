/**
 * Owns validation (RFC 9111 §4.3): the conditional fields a cache sends
 * for a stored entry, whether a 304 applies to it, the entry freshened
 * by that 304, and the validators a client's own conditional request is
 * evaluated against (§4.3.2).
 *
 * Pure: returns new metadata, never writes it (the handler does, through
 * Store.updateMeta). Must not decide when to validate (policy.ts does).
 */

import { parseEntityTag, type Validators } from "../http/conditional.ts";
import {
  FieldList,
  isHopByHop,
  parseDecimal,
  stripHopByHop,
} from "../http/headers.ts";
import { formatHttpDate, parseHttpDateLenient } from "../http/dates.ts";
import { factsOf } from "./entry_facts.ts";
import {
  dateValue,
  entryTimes,
  hasValidator,
  type PolicyOptions,
} from "./freshness.ts";
import type { EntryMeta } from "./meta.ts";
import { withholdPrivate } from "./qualified.ts";
import { targetsOf } from "./targeted.ts";

/**
 * RFC 9111 §4.3.1: the validators of the stored entry as conditional
 * request fields: If-None-Match with its ETag (MUST when present) and
 * If-Modified-Since with its Last-Modified (SHOULD, one stored response,
 * not a subrange). Empty when the entry has no validator: the
 * revalidation is then a plain fetch.
 */
export function conditionalHeaders(entry: EntryMeta): [string, string][] {
  const stored = new FieldList(entry.headers);
  const out: [string, string][] = [];
  const etag = stored.first("etag");
  if (etag !== undefined) out.push(["If-None-Match", etag]);
  const lastModified = stored.first("last-modified");
  if (lastModified !== undefined) {
    out.push(["If-Modified-Since", lastModified]);
  }
  return out;
}

/**
 * Fields a 304 must not change in the stored response (RFC 9111 §3.2):
 * Content-Length, and the fields describing the stored body's bytes
 * (Content-Encoding, Content-Range), since the stored body is reused as is.
 */
const KEPT_FROM_STORED = new Set([
  "content-length",
  "content-encoding",
  "content-range",
]);

/**
 * RFC 9111 §4.3.4: the stored entry freshened by a 304. Every field of
 * the 304 replaces all stored fields of that name, except hop-by-hop
 * fields and those in KEPT_FROM_STORED (§3.2). The stored Age is dropped
 * (the 304's own Age, if any, describes the new response), a Date is
 * supplied when the 304 lacks one (RFC 9110 §6.6.1), and the times are
 * recomputed from the new request/response times. The policy is read
 * again from the updated fields with `opts.targets` (RFC 9213 §2.1;
 * absent: the entry's own policy field, or Cache-Control), fields a
 * qualified private names are dropped unless the cache judges by them
 * (§5.2.2.7, qualified.ts withholdPrivate), and `policyField`
 * records the field that decides now.
 */
export function freshen(
  entry: EntryMeta,
  notModified: FieldList,
  requestTime: number,
  responseTime: number,
  opts: PolicyOptions = {},
): EntryMeta {
  const update = notModified.clone();
  stripHopByHop(update); // RFC 9111 §3.1
  update.deleteWhere((name) => KEPT_FROM_STORED.has(name) || isHopByHop(name));
  if (!update.has("date")) update.append("Date", formatHttpDate(responseTime));
  const stored = new FieldList(entry.headers);
  stored.delete("age");
  const done = new Set<string>();
  for (const [name] of update) {
    const lower = name.toLowerCase();
    if (done.has(lower)) continue;
    done.add(lower);
    const values = update.getAll(name);
    stored.set(name, values[0]!);
    for (const value of values.slice(1)) stored.append(name, value);
  }
  const targets = opts.targets ?? targetsOf(entry.policyField);
  const times = entryTimes(entry.status, stored, requestTime, responseTime, {
    targets,
  });
  withholdPrivate(stored, targets); // RFC 9111 §5.2.2.7
  const { policyField: _previous, ...rest } = entry;
  return {
    ...rest,
    headers: stored.toArray(),
    requestTime,
    responseTime,
    ...times,
  };
}

/**
 * RFC 9111 §4.3.4: does this 304 identify the stored entry for update?
 * - an ETag in the 304: strong comparison when it is strong, weak when
 *   weak (RFC 9110 §8.8.3.2), against the stored ETag;
 * - else a Last-Modified in the 304: the same time as the stored one;
 * - else (no validator in the 304): it answers the conditional request we
 *   built from this very entry, so it applies (RFC 9110 §15.4.5 lets a 304
 *   omit Last-Modified).
 */
export function notModifiedMatches(
  entry: EntryMeta,
  notModified: FieldList,
): boolean {
  const stored = new FieldList(entry.headers);
  const etag = notModified.first("etag");
  if (etag !== undefined) {
    const storedEtag = stored.first("etag");
    return storedEtag !== undefined && etagsMatch(storedEtag, etag);
  }
  const lastModified = notModified.first("last-modified");
  if (lastModified !== undefined) {
    const storedLastModified = stored.first("last-modified");
    return storedLastModified !== undefined &&
      sameDate(storedLastModified, lastModified, entry.responseTime);
  }
  return true;
}

/**
 * RFC 9111 §4.3.1: the distinct entity-tags of stored responses, in
 * order, as stored (strong and weak), for one If-None-Match; an ETag that
 * is not an entity-tag (RFC 9110 §8.8.3) is left out.
 */
export function storedEntityTags(entries: readonly EntryMeta[]): string[] {
  const tags: string[] = [];
  for (const entry of entries) {
    const etag = factsOf(entry).fields.first("etag")?.trim();
    if (etag === undefined || parseEntityTag(etag) === undefined) continue;
    if (!tags.includes(etag)) tags.push(etag);
  }
  return tags;
}

function etagsMatch(stored: string, received: string): boolean {
  const a = stored.trim();
  const b = received.trim();
  const receivedWeak = b.startsWith("W/");
  if (!receivedWeak) return a === b; // strong comparison (RFC 9110 §8.8.3.2)
  return opaque(a) === opaque(b); // weak comparison
}

function opaque(etag: string): string {
  return etag.startsWith("W/") ? etag.slice(2) : etag;
}

/** Two received dates name the same time (read leniently, RFC 9111 §4.2); `now` places two-digit years. */
function sameDate(a: string, b: string, now: number): boolean {
  const x = parseHttpDateLenient(a, now);
  const y = parseHttpDateLenient(b, now);
  if (x === undefined || y === undefined) return a.trim() === b.trim();
  return x === y;
}

/**
 * RFC 9111 §4.3.5: does a 200 to a HEAD request describe the stored GET
 * response, so that its fields may freshen it? Every validator the HEAD
 * response carries (ETag, Last-Modified) must match the stored one, and
 * a Content-Length it carries must equal the stored body size. A HEAD
 * response without validators describes only a stored response without
 * any (the case §4.3.5 exists for: "no validators being present in the
 * stored response"); one that drops the stored response's validators
 * more likely means the representation changed (our choice). Otherwise
 * the stored response is to be considered stale.
 */
export function headResponseMatches(
  entry: EntryMeta,
  head: FieldList,
): boolean {
  const stored = new FieldList(entry.headers);
  const etag = head.first("etag");
  const lastModified = head.first("last-modified");
  // RFC 9111 §4.3.5: no validator received matches only a stored response without any.
  if (
    etag === undefined && lastModified === undefined && hasValidator(stored)
  ) {
    return false;
  }
  if (etag !== undefined) {
    const storedEtag = stored.first("etag");
    if (storedEtag === undefined || !etagsMatch(storedEtag, etag)) return false;
  }
  if (lastModified !== undefined) {
    const storedLastModified = stored.first("last-modified");
    if (
      storedLastModified === undefined ||
      !sameDate(storedLastModified, lastModified, entry.responseTime)
    ) return false;
  }
  const length = head.first("content-length");
  return length === undefined || parseDecimal(length) === entry.bodySize; // a number, not text: "010" is 10
}

/**
 * RFC 9111 §4.3.2: the validators of a stored response for evaluating a
 * client's own conditional request (evaluatePreconditions, ifRangeAllows):
 * its ETag; as last-modification time its Last-Modified, else its Date,
 * else the time it was received ("the cache SHOULD use ... Last-Modified
 * ..., if present; failing that, the Date ..., and failing that, the time
 * it was received"); and its Date (else that time) as the generation time
 * that tells a strong Last-Modified from a weak one (RFC 9110 §8.8.2.2:
 * a Date stand-in is never strong, so an If-Range date never matches it).
 * Dates are read leniently (RFC 9111 §4.2). Times in ms since the epoch.
 */
export function clientValidators(entry: EntryMeta): Validators {
  const fields = new FieldList(entry.headers);
  const date = dateValue(fields, entry.responseTime); // Date, else received
  const text = fields.first("last-modified");
  const lastModified = text === undefined
    ? undefined
    : parseHttpDateLenient(text, entry.responseTime);
  return {
    etag: fields.first("etag"),
    lastModified: lastModified ?? date, // RFC 9111 §4.3.2
    date,
  };
}
