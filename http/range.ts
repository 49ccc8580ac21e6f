/**
 * Owns reading a `Range` request field for the "bytes" unit (RFC 9110
 * §14.1, §14.2) against the length of the selected representation, and
 * formatting and reading the `Content-Range` values that answer it
 * (§14.4).
 *
 * Must not know where bytes come from (files, cache entries) nor decide
 * whether Range applies at all (If-Range lives in conditional.ts): it is
 * a pure function of the field value and the size.
 */

/** What a Range field asks of a representation of a known size. */
export type RangeRequest =
  /** Absent, invalid, another unit, or several ranges: send the whole representation. */
  | { kind: "none" }
  /** Valid, but no range overlaps the representation: 416 (RFC 9110 §15.5.17). */
  | { kind: "unsatisfiable" }
  /** One range, clamped to the representation: `start` and `end` inclusive. */
  | { kind: "single"; start: number; end: number };

/** More range-specs than this: ignored as a likely denial of service (RFC 9110 §14.2). */
const MAX_RANGE_SPECS = 100;
const DIGITS = /^[0-9]+$/;
const NONE: RangeRequest = { kind: "none" };

type Spec =
  | { kind: "int"; first: number; last: number | undefined }
  | { kind: "suffix"; length: number };

/**
 * Reads a Range field value for a representation of `size` bytes.
 * A set with several satisfiable ranges is answered as "none" (the whole
 * representation, which RFC 9110 §14.2 allows) unless only one of them is
 * satisfiable. A suffix range on an empty representation is "none" too:
 * it is satisfiable (§14.1.1) but no 206 can describe zero bytes.
 */
export function parseRange(
  value: string | undefined,
  size: number,
): RangeRequest {
  if (value === undefined) return NONE;
  const specs = parseSpecs(value);
  if (specs === undefined) return NONE; // RFC 9110 §14.2: an invalid Range is ignored
  const satisfiable: { start: number; end: number }[] = [];
  let suffixOnEmpty = false;
  for (const spec of specs) {
    if (spec.kind === "int") {
      if (spec.first >= size) continue; // RFC 9110 §14.1.1: first-pos past the end
      const last = spec.last === undefined || spec.last >= size
        ? size - 1 // RFC 9110 §14.1.2: absent or too large last-pos means the end
        : spec.last;
      satisfiable.push({ start: spec.first, end: last });
      continue;
    }
    if (spec.length === 0) continue; // RFC 9110 §14.1.1: a zero suffix-length is unsatisfiable
    if (size === 0) {
      suffixOnEmpty = true;
      continue;
    }
    const start = spec.length >= size ? 0 : size - spec.length; // RFC 9110 §14.1.2
    satisfiable.push({ start, end: size - 1 });
  }
  if (satisfiable.length === 1) return { kind: "single", ...satisfiable[0]! };
  if (satisfiable.length > 1 || suffixOnEmpty) return NONE; // RFC 9110 §14.2: the server may ignore Range
  return { kind: "unsatisfiable" }; // RFC 9110 §14.1.1: no range-spec is satisfiable
}

/**
 * The Content-Range of a 206 (RFC 9110 §14.4): `bytes first-last/complete`,
 * or `bytes first-last/*` when the complete length is unknown (null).
 */
export function contentRange(
  start: number,
  end: number,
  size: number | null,
): string {
  return `bytes ${start}-${end}/${size ?? "*"}`;
}

/** The Content-Range of a 416 (RFC 9110 §14.4): "bytes", an asterisk, "/" and the size. */
export function unsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}

/** A satisfied Content-Range (RFC 9110 §14.4): the bytes a 206 part holds. */
export interface ContentRange {
  /** First byte's offset (inclusive). */
  start: number;
  /** Last byte's offset (inclusive). */
  end: number;
  /** The complete length, or null when unknown (`*`). */
  length: number | null;
}

const CONTENT_RANGE = /^bytes ([0-9]+)-([0-9]+)\/([0-9]+|\*)$/;

/**
 * Reads a Content-Range value of the "bytes" unit that describes a part
 * (RFC 9110 §14.4): `bytes first-last/complete` or `bytes first-last/*`.
 * Undefined for anything else: another unit, the unsatisfied form, a last
 * position before the first, or one past a known complete length ("an
 * invalid content-range", which a recipient must not use).
 */
export function parseContentRange(
  value: string | undefined,
): ContentRange | undefined {
  const match = value === undefined ? null : CONTENT_RANGE.exec(value.trim());
  if (!match) return undefined; // RFC 9110 §14.4: range-unit SP incl-range "/" ...
  const start = Number(match[1]);
  const end = Number(match[2]);
  const length = match[3] === "*" ? null : Number(match[3]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) {
    return undefined;
  }
  if (end < start) return undefined; // RFC 9110 §14.4: last-pos before first-pos is invalid
  if (length !== null && !(Number.isSafeInteger(length) && end < length)) {
    return undefined; // RFC 9110 §14.4: last-pos at or past complete-length is invalid
  }
  return { start, end, length };
}

/** The range-specs of a "bytes" ranges-specifier, or undefined when invalid. */
function parseSpecs(value: string): Spec[] | undefined {
  const eq = value.indexOf("=");
  if (eq === -1) return undefined;
  const unit = value.slice(0, eq).trim();
  if (unit.toLowerCase() !== "bytes") return undefined; // RFC 9110 §14.1: units are case-insensitive; only bytes known
  const elements = value.slice(eq + 1).split(",");
  const specs: Spec[] = [];
  for (const raw of elements) {
    const element = raw.trim();
    if (element === "") continue; // RFC 9110 §5.6.1: empty list elements are ignored
    const spec = parseSpec(element);
    if (spec === undefined) return undefined; // RFC 9110 §14.1.1: one invalid spec voids the field
    specs.push(spec);
    if (specs.length > MAX_RANGE_SPECS) return undefined;
  }
  return specs.length === 0 ? undefined : specs; // RFC 9110 §14.1.1: 1#range-spec
}

function parseSpec(element: string): Spec | undefined {
  const dash = element.indexOf("-");
  if (dash === -1) return undefined;
  const firstText = element.slice(0, dash);
  const lastText = element.slice(dash + 1);
  if (firstText === "") {
    if (!DIGITS.test(lastText)) return undefined; // RFC 9110 §14.1.1: suffix-range = "-" suffix-length
    return { kind: "suffix", length: Number(lastText) };
  }
  if (!DIGITS.test(firstText)) return undefined;
  const first = Number(firstText);
  if (lastText === "") return { kind: "int", first, last: undefined };
  if (!DIGITS.test(lastText)) return undefined;
  const last = Number(lastText);
  if (last < first) return undefined; // RFC 9110 §14.1.1: last-pos before first-pos is invalid
  return { kind: "int", first, last };
}
