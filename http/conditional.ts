/**
 * Owns conditional requests (RFC 9110 §13): entity-tag lists, strong and
 * weak comparison (§8.8.3.2), the precondition evaluator in the §13.2.2
 * order, and the If-Range check (§13.1.5). Anything that answers for a
 * representation (the origin from a file, a cache from a stored entry)
 * passes the request fields and the validators of that representation.
 *
 * Must not know where validators come from nor what happens next: it
 * returns a decision ("412", "304", "proceed"), never a response, and
 * never reads the clock.
 */

import { parseHttpDate } from "./dates.ts";
import type { FieldList } from "./headers.ts";

/** The validators of the selected (current) representation. */
export interface Validators {
  /** The ETag field value as sent, e.g. `"abc"` or `W/"abc"`. */
  etag?: string;
  /** The last-modification time in ms since the epoch (compared in whole seconds). */
  lastModified?: number;
  /**
   * When the response carrying these validators is (or was) generated, in ms.
   * Last-Modified counts as a strong validator for If-Range only when it is
   * at least one second before this (RFC 9110 §8.8.2.2); absent, it is weak.
   */
  date?: number;
}

/** One entity-tag (RFC 9110 §8.8.3): its opaque-tag with quotes, and its weakness. */
export interface EntityTag {
  weak: boolean;
  /** The opaque-tag including its double quotes. */
  opaque: string;
}

/** An If-Match / If-None-Match value: "*" or a list of entity-tags. */
export type EntityTagList =
  | { kind: "any" }
  | { kind: "tags"; tags: EntityTag[] };

/** What the preconditions say about a request (RFC 9110 §13.2.2). */
export type PreconditionResult = "412" | "304" | "proceed";

/**
 * Parses an entity-tag list (`"*"` or `1#entity-tag`). Elements that are
 * not entity-tags are dropped (they can match nothing); `*` among tags is
 * dropped too.
 */
export function parseEntityTags(value: string): EntityTagList {
  if (value.trim() === "*") return { kind: "any" }; // RFC 9110 §13.1.1
  const tags: EntityTag[] = [];
  let i = 0;
  while (i < value.length) {
    const c = value[i]!;
    if (c === "," || c === " " || c === "\t") {
      i++;
      continue;
    }
    const tag = readEntityTag(value, i);
    if (tag === undefined) {
      const comma = value.indexOf(",", i);
      i = comma === -1 ? value.length : comma + 1; // skip the bad element
      continue;
    }
    tags.push(tag.tag);
    i = tag.next;
  }
  return { kind: "tags", tags };
}

/** Parses one entity-tag that must be the whole value, or undefined. */
export function parseEntityTag(value: string): EntityTag | undefined {
  const text = value.trim();
  const tag = readEntityTag(text, 0);
  return tag !== undefined && tag.next === text.length ? tag.tag : undefined;
}

/** RFC 9110 §8.8.3.2: both strong and their opaque-tags identical. */
export function strongMatch(a: EntityTag, b: EntityTag): boolean {
  return !a.weak && !b.weak && a.opaque === b.opaque;
}

/** RFC 9110 §8.8.3.2: opaque-tags identical, weakness ignored. */
export function weakMatch(a: EntityTag, b: EntityTag): boolean {
  return a.opaque === b.opaque;
}

/**
 * Evaluates the preconditions of a request against the current
 * representation in the order of RFC 9110 §13.2.2. Call it only when the
 * response without preconditions would be 2xx (§13.2.1).
 */
export function evaluatePreconditions(
  method: string,
  requestHeaders: FieldList,
  validators: Validators,
): PreconditionResult {
  const getOrHead = method === "GET" || method === "HEAD";
  const current = validators.etag === undefined
    ? undefined
    : parseEntityTag(validators.etag);
  const ifMatch = requestHeaders.get("if-match");
  if (ifMatch !== undefined) {
    if (!ifMatchHolds(parseEntityTags(ifMatch), current)) return "412"; // RFC 9110 §13.2.2 step 1
  } else {
    const since = singleDate(requestHeaders, "if-unmodified-since"); // RFC 9110 §13.1.4: ignored with If-Match
    if (
      since !== undefined &&
      validators.lastModified !== undefined && // RFC 9110 §13.1.4: no date, no evaluation
      wholeSeconds(validators.lastModified) > since
    ) return "412"; // RFC 9110 §13.2.2 step 2
  }
  const ifNoneMatch = requestHeaders.get("if-none-match");
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatchHolds(parseEntityTags(ifNoneMatch), current)) {
      return "proceed"; // RFC 9110 §13.2.2 step 3 true: If-Modified-Since is skipped
    }
    return getOrHead ? "304" : "412"; // RFC 9110 §13.2.2 step 3
  }
  if (!getOrHead) return "proceed"; // RFC 9110 §13.1.3: only GET and HEAD
  const since = singleDate(requestHeaders, "if-modified-since");
  if (
    since !== undefined &&
    validators.lastModified !== undefined && // RFC 9110 §13.1.3: no date, no evaluation
    wholeSeconds(validators.lastModified) <= since
  ) return "304"; // RFC 9110 §13.2.2 step 4
  return "proceed";
}

/**
 * Whether a Range in this request may be honoured (RFC 9110 §13.1.5):
 * true without If-Range; with an entity-tag, true when it strongly matches
 * the current ETag; with a date, true when Last-Modified is strong and
 * exactly that date. Anything else (weak, invalid, several values) is
 * false: the Range is ignored and the whole representation sent.
 */
export function ifRangeAllows(
  requestHeaders: FieldList,
  validators: Validators,
): boolean {
  const values = requestHeaders.getAll("if-range");
  if (values.length === 0) return true;
  if (values.length > 1) return false; // not one entity-tag nor one HTTP-date
  const value = values[0]!.trim();
  if (value.startsWith('"') || value.startsWith("W/")) {
    const tag = parseEntityTag(value);
    const current = validators.etag === undefined
      ? undefined
      : parseEntityTag(validators.etag);
    return tag !== undefined && current !== undefined &&
      strongMatch(tag, current); // RFC 9110 §13.1.5: strong comparison
  }
  const date = parseHttpDate(value);
  if (date === undefined) return false;
  const modified = validators.lastModified;
  if (modified === undefined) return false;
  if (!lastModifiedIsStrong(modified, validators.date)) return false; // RFC 9110 §13.1.5: a weak date fails
  return wholeSeconds(modified) === date; // RFC 9110 §13.1.5: exact match
}

/** RFC 9110 §8.8.2.2: Last-Modified is strong when at least 1 s before the Date. */
function lastModifiedIsStrong(
  lastModified: number,
  date: number | undefined,
): boolean {
  return date !== undefined &&
    wholeSeconds(date) - wholeSeconds(lastModified) >= 1000;
}

/** RFC 9110 §13.1.1: "*" needs a current representation; tags need a strong match. */
function ifMatchHolds(
  list: EntityTagList,
  current: EntityTag | undefined,
): boolean {
  if (list.kind === "any") return true;
  if (current === undefined) return false;
  return list.tags.some((tag) => strongMatch(tag, current));
}

/** RFC 9110 §13.1.2: "*" fails when a representation exists; tags fail on a weak match. */
function ifNoneMatchHolds(
  list: EntityTagList,
  current: EntityTag | undefined,
): boolean {
  if (list.kind === "any") return false;
  if (current === undefined) return true;
  return !list.tags.some((tag) => weakMatch(tag, current));
}

/**
 * The date of a field that must hold exactly one HTTP-date, or undefined
 * (absent, several fields, not a date): RFC 9110 §13.1.3 and §13.1.4 say
 * to ignore the field then.
 */
function singleDate(fields: FieldList, name: string): number | undefined {
  const values = fields.getAll(name);
  if (values.length !== 1) return undefined;
  return parseHttpDate(values[0]!);
}

/** HTTP dates have whole seconds: compare times as they would be sent. */
function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** Reads `[W/]"etagc*"` at `at`; undefined when there is none there. */
function readEntityTag(
  text: string,
  at: number,
): { tag: EntityTag; next: number } | undefined {
  let i = at;
  const weak = text.startsWith("W/", i); // RFC 9110 §8.8.3: weak = %s"W/" (case-sensitive)
  if (weak) i += 2;
  if (text[i] !== '"') return undefined;
  const close = text.indexOf('"', i + 1);
  if (close === -1) return undefined;
  const opaque = text.slice(i, close + 1);
  if (!ETAGC.test(opaque.slice(1, -1))) return undefined; // RFC 9110 §8.8.3: etagc
  const after = text[close + 1];
  if (after !== undefined && after !== "," && after !== " " && after !== "\t") {
    return undefined;
  }
  return { tag: { weak, opaque }, next: close + 1 };
}

/** etagc = %x21 / %x23-7E / obs-text (RFC 9110 §8.8.3). */
const ETAGC = /^[\x21\x23-\x7e\x80-\xff]*$/;
