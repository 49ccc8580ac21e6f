/**
 * Owns the checks both stores make on what their caller gives them:
 * metadata that must survive the schema round trip (checked without one), pieces and ranges of
 * partial entries, size options; and the metadata an update stores.
 * Strict: these are caller bugs or bad configuration, reported at once.
 *
 * Must not touch files nor the index.
 */

import { type EntryMeta, parseMeta } from "./meta.ts";
import { readPlan, type Segment } from "./pieces.ts";
import type { ByteRange, EntryDraft, PartialDraft } from "./store.ts";

/**
 * Rejects metadata that would not survive a round trip through the schema
 * (a caller bug, reported at once rather than as a miss after a restart).
 * A draft for a complete write must not be partial; for an update
 * (`update`), `partial` is ignored (the store keeps the stored one).
 */
export function checkDraft(
  draft: EntryDraft | EntryMeta,
  how: { update?: boolean } = {},
): void {
  const { partial, ...complete } = draft;
  const probe = { ...complete, bodySize: 0, bodyFile: "probe.body" };
  if ((partial && !how.update) || !fitsSchema(probe)) {
    throw new TypeError(
      `Cannot store entry: metadata for ${draft.key} does not fit schema v${draft.version}`,
    );
  }
}

/**
 * Checks the arguments of Store.rekey(): `meta` fits the schema (as an
 * update) and has the key of `previous`. Throws a TypeError otherwise
 * (caller bugs).
 */
export function checkRekey(previous: EntryMeta, meta: EntryMeta): void {
  checkDraft(meta, { update: true });
  if (meta.key !== previous.key) {
    throw new TypeError(
      `Cannot update entry: ${meta.key} is not the key of ${previous.key}`,
    );
  }
}

/**
 * Rejects a piece whose draft or range would not survive the schema: the
 * range must be non-empty and within the known complete length.
 */
export function checkPiece(draft: PartialDraft, range: ByteRange): void {
  const { start, end } = range;
  const piece = { start, end, file: "probe.body" };
  const probe = {
    ...draft,
    partial: { ...draft.partial, pieces: [piece] },
    bodySize: end - start + 1,
    bodyFile: piece.file,
  };
  if (!fitsSchema(probe)) {
    throw new TypeError(
      `Cannot store piece: ${start}-${end} of ${draft.key} does not fit schema v${draft.version}`,
    );
  }
}

/**
 * True when `probe` survives the schema round trip: what parseMeta
 * accepts read directly, when it is plain data that JSON carries
 * unchanged (what JSON.parse(JSON.stringify(probe)) would have given to
 * parseMeta, without the copy: it cost 8% of a miss's CPU).
 */
function fitsSchema(probe: unknown): boolean {
  return isPlainData(probe, 0) && parseMeta(probe) !== undefined;
}

/** Nesting deeper than this is not metadata (a sidecar's is at most 4 deep). */
const MAX_DEPTH = 8;

/**
 * True when JSON carries `value` as it is: strings, finite numbers,
 * booleans, null; dense arrays and plain objects (own properties, no
 * toJSON) of such, nested at most MAX_DEPTH deep (no cycles). An object's
 * property that JSON leaves out (undefined, a function) is allowed: the
 * schema reads it as absent either way.
 */
function isPlainData(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value); // JSON writes NaN and Infinity as null
    case "object":
      break;
    default:
      return false; // bigint (JSON throws), undefined or a function in an array (null)
  }
  if (value === null) return true;
  if (depth >= MAX_DEPTH) return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return false; // JSON would write what toJSON returns
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || !isPlainData(value[i], depth + 1)) return false; // a hole becomes null
    }
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false; // inherited fields are not written
  for (const field of Object.values(value)) {
    const skipped = field === undefined || typeof field === "function";
    if (!skipped && !isPlainData(field, depth + 1)) return false;
  }
  return true;
}

/** Validates a byte size option (strict with configuration). */
export function checkSize(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(
      `Cannot open store: ${name} must be a non-negative integer, got ${value}`,
    );
  }
  return value;
}

/**
 * The metadata an update stores (updateMeta, rekey): `meta` with the
 * stored version's body, bodySize and pieces (its `partial`, if any).
 */
export function keepBody(meta: EntryMeta, current: EntryMeta): EntryMeta {
  const { partial: _ignored, ...rest } = meta;
  const updated: EntryMeta = {
    ...rest,
    bodySize: current.bodySize,
    bodyFile: current.bodyFile,
  };
  if (current.partial) updated.partial = current.partial;
  return updated;
}

/**
 * The segments to read for `range` of a partial entry; throws a
 * RangeError when a byte of it is not held (or no range is given).
 */
export function piecePlan(
  meta: EntryMeta,
  range: ByteRange | undefined,
): Segment[] {
  const fits = range !== undefined && Number.isSafeInteger(range.start) &&
    Number.isSafeInteger(range.end) && range.start <= range.end;
  const plan = fits && meta.partial
    ? readPlan(meta.partial.pieces, range)
    : undefined;
  if (!plan) {
    const asked = range ? `${range.start}-${range.end}` : "the whole body";
    throw new RangeError(
      `Cannot open body range: ${asked} is not held by the partial entry`,
    );
  }
  return plan;
}
