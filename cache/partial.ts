/**
 * Owns the request side of partial entries (RFC 9111 §3.3, §3.4; RFC
 * 9110 §14, §13.1.5): which single range a request asks of a stored
 * partial entry, whether the entry holds it (then it is used like any
 * stored response, fresh or not) or what to ask upstream for instead
 * (only the missing bytes, under If-Range with its strong validator), the
 * conditional fields that validate a stored response or a held part,
 * whether a request asks for bytes a partial entry lacks, and the strong
 * validator of a response (RFC 9110 §8.8.2.2, §8.8.3).
 *
 * Pure: times are parameters. Must not read the clock nor touch the store.
 */

import { ifRangeAllows, parseEntityTag } from "../http/conditional.ts";
import { formatHttpDate, parseHttpDateLenient } from "../http/dates.ts";
import { FieldList } from "../http/headers.ts";
import { parseRange } from "../http/range.ts";
import { dateValue } from "./freshness.ts";
import type { EntryMeta } from "./meta.ts";
import { missingSpan, type Span } from "./pieces.ts";
import { fitValidators } from "./sent_validators.ts";
import { clientValidators, conditionalHeaders } from "./validation.ts";

/** What a request can make of a stored partial entry. */
export type PartialUse =
  /** Nothing: it is not a GET for one range the entry can describe (RFC 9111 §3.3). */
  | { kind: "miss" }
  /** The entry holds all of `range`: use it like any stored response (RFC 9111 §3.3). */
  | { kind: "held"; range: Span }
  /**
   * Some bytes of `range` are missing: ask upstream for `missing` (the
   * smallest range covering them) with these fields, which replace the
   * request's Range and If-Range (RFC 9110 §13.1.5, RFC 9111 §3.4).
   */
  | {
    kind: "fill";
    range: Span;
    missing: Span;
    conditional: [string, string][];
  };

const MISS: PartialUse = { kind: "miss" };
/** Stands for an unknown complete length when reading a Range. */
const UNKNOWN = Number.MAX_SAFE_INTEGER;

/** What `method` with `reqHeaders` can make of the partial entry `entry`. */
export function partialUse(
  method: string,
  reqHeaders: FieldList,
  entry: EntryMeta,
): PartialUse {
  const partial = entry.partial;
  // RFC 9111 §3.3: an incomplete response answers only a request for a
  // range wholly within it; a HEAD or a request for the whole goes on.
  if (!partial || method !== "GET") return MISS;
  const range = requestedRange(reqHeaders, entry);
  if (!range) return MISS;
  const missing = missingSpan(partial.pieces, range);
  if (!missing) return { kind: "held", range };
  // RFC 9110 §13.1.5: the part we hold, or all of it. Without a value
  // If-Range may carry (ifRangeValue), the missing bytes are asked
  // unconditionally and the 206's own validators are checked before it
  // joins the entry (partial_response.ts). An If-Range that does not fit
  // the request head (sent_validators.ts): no fill, the request goes on
  // as it came.
  const value = ifRangeValue(entry);
  const ifRange = value === undefined
    ? []
    : fitValidators([["If-Range", value]]);
  if (value !== undefined && ifRange.length === 0) return MISS;
  return {
    kind: "fill",
    range,
    missing,
    conditional: [
      ["Range", `bytes=${missing.start}-${missing.end}`], // RFC 9110 §14.2: one range
      ...ifRange,
    ],
  };
}

/**
 * The one range a request asks of a partial entry's representation, or
 * undefined when it asks for the whole of it or for something the entry
 * cannot place: no Range, an invalid one or several ranges (RFC 9110
 * §14.2), an If-Range that does not match the entry (§13.1.5: the whole
 * representation is asked for), a range past the complete length (416 is
 * the origin's to send), and an open or suffix range when the complete
 * length is unknown.
 */
export function requestedRange(
  reqHeaders: FieldList,
  entry: EntryMeta,
): Span | undefined {
  const value = reqHeaders.get("range");
  const length = entry.partial?.length ?? null;
  if (value === undefined) return undefined;
  if (!ifRangeAllows(reqHeaders, clientValidators(entry))) return undefined; // RFC 9110 §13.1.5
  const asked = parseRange(value, length ?? UNKNOWN);
  if (asked.kind !== "single") return undefined; // RFC 9110 §14.2
  if (length === null && asked.end >= UNKNOWN - 1) return undefined; // its end depends on the length
  return { start: asked.start, end: asked.end };
}

/**
 * RFC 9111 §4.3.1: the conditional fields that validate a stored
 * response for a request (`subrange`: it has a Range):
 * - a complete one: conditionalHeaders(), without If-Modified-Since for
 *   a subrange when If-None-Match carries an entity tag ("SHOULD send
 *   ... If-Modified-Since ... if the request is not for a subrange");
 * - a held part of a partial entry: its entity tag in If-None-Match when
 *   that tag is the part's strong validator (a 304 then says the held
 *   bytes are current; RFC 9111 §4.3.1 lets a partial response's tag go
 *   when the range is wholly held), else the If-Range ifRangeValue()
 *   allows (RFC 9110 §13.1.5: a 206 says the part is current, a 200
 *   brings the changed representation whole), else nothing: a plain
 *   range fetch whose 206 joins the part only with the same validators
 *   (partial_response.ts). Never a weak entity tag nor
 *   If-Modified-Since, whose 304 would not prove the bytes the same
 *   (RFC 9110 §8.8.1), nor a date beside an entity-tag (§13.1.5).
 * A field that would take the cache's additions past
 * SENT_VALIDATORS_MAX_BYTES is left out (sent_validators.ts).
 */
export function validatingFields(
  entry: EntryMeta,
  subrange: boolean,
): [string, string][] {
  return fitValidators(validators(entry, subrange)); // within the outbound head limit
}

function validators(entry: EntryMeta, subrange: boolean): [string, string][] {
  if (!entry.partial) {
    const fields = conditionalHeaders(entry);
    const tagged = fields.some(([name]) => name === "If-None-Match");
    if (!subrange || !tagged) return fields;
    return fields.filter(([name]) => name !== "If-Modified-Since"); // RFC 9111 §4.3.1
  }
  const etag = new FieldList(entry.headers).first("etag")?.trim();
  if (etag !== undefined && etag === entry.partial.validator) {
    return [["If-None-Match", etag]]; // RFC 9111 §4.3.1: a strong entity tag
  }
  const value = ifRangeValue(entry);
  // RFC 9110 §13.1.5; without a value it may carry, a plain range fetch
  // whose 206 joins the part only with the same validators.
  return value === undefined ? [] : [["If-Range", value]];
}

/**
 * The value a cache may send in If-Range for a partial entry (RFC 9110
 * §13.1.5 MUSTs), or undefined when there is none:
 * - its entity-tag, only when strong ("MUST NOT generate ... a weak
 *   entity tag") and the part's validator;
 * - its validator as an HTTP-date only when the entry has no entity-tag
 *   at all, weak or strong ("MUST NOT generate ... an HTTP-date unless
 *   the client has no entity tag for the corresponding representation");
 *   it is strong (strongValidator() checked it against Date, §8.8.2.2).
 * The entry's current fields count: a 304 that added an ETag to a part
 * stored under Last-Modified rules the date out.
 */
export function ifRangeValue(entry: EntryMeta): string | undefined {
  const partial = entry.partial;
  if (!partial) return undefined;
  const etag = new FieldList(entry.headers).first("etag")?.trim();
  if (etag !== undefined) {
    const tag = parseEntityTag(etag);
    const strong = tag !== undefined && !tag.weak;
    return strong && etag === partial.validator ? etag : undefined; // RFC 9110 §13.1.5
  }
  const isDate = parseHttpDateLenient(partial.validator, entry.responseTime);
  return isDate === undefined ? undefined : partial.validator; // RFC 9110 §13.1.5
}

/**
 * RFC 9111 §3.4: does a request as sent upstream (`sent`) ask a partial
 * entry for bytes it does not hold (a range's missing part, or anything
 * but one range it can place)? A 304 to it brings no bytes: it cannot
 * complete the entry, nor answer the request from it. False for a
 * complete entry.
 */
export function asksUnheld(entry: EntryMeta, sent: FieldList): boolean {
  const partial = entry.partial;
  if (!partial) return false;
  const value = sent.get("range");
  if (value === undefined) return true; // the whole representation
  const asked = parseRange(value, partial.length ?? UNKNOWN);
  if (asked.kind !== "single") return true; // RFC 9110 §14.2
  return missingSpan(partial.pieces, asked) !== undefined;
}

/**
 * The strong validator of a response, as sent in If-Range (RFC 9110
 * §13.1.5), or undefined: its ETag when strong (§8.8.3), else its
 * Last-Modified when strong, at least one second before its Date (or the
 * time it was received when Date is absent) (§8.8.2.2), as an HTTP-date.
 */
export function strongValidator(
  fields: FieldList,
  responseTime: number,
): string | undefined {
  const etag = fields.first("etag");
  const tag = etag === undefined ? undefined : parseEntityTag(etag);
  if (tag && !tag.weak) return tag.opaque; // RFC 9110 §8.8.3: a strong entity-tag
  const text = fields.first("last-modified");
  const modified = text === undefined
    ? undefined
    : parseHttpDateLenient(text, responseTime);
  if (modified === undefined) return undefined;
  const date = dateValue(fields, responseTime);
  const seconds = (ms: number) => Math.floor(ms / 1000);
  if (seconds(date) - seconds(modified) < 1) return undefined; // RFC 9110 §8.8.2.2: weak
  return formatHttpDate(modified);
}
