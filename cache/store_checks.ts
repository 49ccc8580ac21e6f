/**
 * Owns the checks both stores make on what their caller gives them:
 * metadata that must survive the schema round trip, pieces and ranges of
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

function fitsSchema(probe: unknown): boolean {
  return parseMeta(JSON.parse(JSON.stringify(probe))) !== undefined;
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
