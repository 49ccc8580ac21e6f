/**
 * Owns what committing a piece of a partial entry does to its slot, the
 * rule Store.beginPartial states, for both stores: join the partial entry
 * of the same representation, replace what the slot holds, or refuse
 * (a complete entry the piece may not replace, or a piece past
 * PARTIAL_PIECES_MAX that merging cannot make room for); and, when the
 * pieces then hold the whole representation, the complete entry to store
 * instead and where its bytes are; past PARTIAL_PIECES_MAX, the run of
 * pieces touching the new one to merge into one file. Which files the
 * slot no longer names afterwards, so the store can delete them. Every
 * partial entry it makes fits the schema (meta.ts parseMeta).
 *
 * Pure: must not touch files nor the index; the store acts on the answer.
 */

import { PARTIAL_PIECES_MAX } from "./limits.ts";
import type { EntryMeta, Piece, Representation } from "./meta.ts";
import {
  heldRanges,
  isWhole,
  joinPiece,
  readPlan,
  type Segment,
  type Span,
  storedBytes,
} from "./pieces.ts";
import type { PartialDraft } from "./store.ts";

/** One piece being committed. */
export interface PieceWrite {
  draft: PartialDraft;
  /** Its range and the file (or memory slot) holding its bytes. */
  piece: Piece;
  /** The complete entry it may replace (PieceOptions.replaces). */
  replaces?: EntryMeta;
  /**
   * A new file name the store has for a merge (PARTIAL_PIECES_MAX): the
   * merged piece's file, when the answer has `merge`. Without it, a
   * piece past the limit is refused.
   */
  spare?: string;
}

/** Pieces merged into one new file before the metadata names it. */
export interface Merge {
  /** The new file (PieceWrite.spare), to fill from `plan`, in order. */
  file: string;
  plan: Segment[];
}

/** The complete entry the pieces make. */
export interface Whole {
  /** Its metadata; the store names the body file (`reuse` or a new one). */
  meta: Omit<EntryMeta, "bodyFile">;
  /** Where its bytes are, in order (readPlan over the pieces). */
  plan: Segment[];
  /** The one piece file that holds the whole body already, if any. */
  reuse?: string;
  /** Files no longer named once it is stored (`reuse` aside). */
  unused: string[];
}

/** What a piece's commit does to its slot. */
export type PieceCommit =
  /** Nothing stored: the slot holds a complete entry the piece may not replace. */
  | { kind: "refused" }
  /**
   * `meta` (a partial entry) becomes current, or `whole` when given and
   * the store can assemble it; `unused` are the files `meta` no longer
   * names (the previous version's, or this piece's when it added nothing).
   */
  | {
    kind: "stored";
    meta: EntryMeta;
    unused: string[];
    whole?: Whole;
    /** Fill this file before storing `meta` (which names it), when given. */
    merge?: Merge;
  };

const REFUSED: PieceCommit = { kind: "refused" };

/** The files an entry's body lives in. */
export function filesOf(meta: EntryMeta | undefined): string[] {
  if (!meta) return [];
  return meta.partial
    ? meta.partial.pieces.map((p) => p.file)
    : [meta.bodyFile];
}

/** Commits `write` into a slot whose current version is `current`. */
export function pieceCommit(
  current: EntryMeta | undefined,
  write: PieceWrite,
): PieceCommit {
  const { draft, piece, replaces } = write;
  const { partial: representation, ...fields } = draft;
  if (!fitsLength(piece, representation.length)) return REFUSED; // a caller's bug: checkPiece
  let pieces = [piece];
  let length = representation.length;
  let bodyFile = piece.file;
  const held = current?.partial;
  if (held && sameRepresentation(held, representation, piece)) {
    length = representation.length ?? held.length;
    const joined = joinPiece(held.pieces, piece);
    pieces = joined ?? held.pieces;
    if (!joined) bodyFile = current!.bodyFile;
  } else if (current && !held && current.bodyFile !== replaces?.bodyFile) {
    return REFUSED; // a complete entry it was not meant to replace
  }
  let merge: Merge | undefined;
  if (pieces.length > PARTIAL_PIECES_MAX && !isWhole(pieces, length)) {
    const merged = write.spare === undefined
      ? undefined
      : mergeTouching(pieces, piece, write.spare);
    if (!merged || merged.pieces.length > PARTIAL_PIECES_MAX) return REFUSED; // limits.ts
    ({ pieces, merge } = merged);
    bodyFile = merge.file;
  }
  const meta: EntryMeta = {
    ...fields,
    bodySize: storedBytes(pieces),
    bodyFile,
    partial: { validator: representation.validator, length, pieces },
  };
  const before = [...filesOf(current), piece.file];
  const named = new Set(pieces.map((p) => p.file));
  const unused = unique(before.filter((file) => !named.has(file)));
  if (merge) return { kind: "stored", meta, unused, merge };
  if (length === null || !isWhole(pieces, length)) {
    return { kind: "stored", meta, unused };
  }
  const plan = readPlan(pieces, { start: 0, end: length - 1 })!;
  const reuse = plan.length === 1 ? plan[0]!.file : undefined;
  const whole: Whole = {
    meta: { ...fields, bodySize: length },
    plan,
    reuse,
    unused: unique(before.filter((file) => file !== reuse)),
  };
  return { kind: "stored", meta, unused, whole };
}

/**
 * Parts of one representation: equal validators, complete lengths equal
 * or one unknown, and the held pieces and the `added` range within a
 * known length (a part of unknown complete length past the held length
 * contradicts it: not the same representation).
 */
export function sameRepresentation(
  held: Representation & { pieces: Piece[] },
  next: Representation,
  added: Span,
): boolean {
  if (held.validator !== next.validator) return false;
  if (held.length !== null && next.length !== null) {
    return held.length === next.length;
  }
  const length = held.length ?? next.length;
  return [...held.pieces, added].every((p) => fitsLength(p, length));
}

function fitsLength(range: Span, length: number | null): boolean {
  return length === null || range.end < length;
}

/**
 * The pieces with the run that touches `added` (adjacent or overlapping
 * pieces, transitively: one held range) replaced by one piece in
 * `file`, and where its bytes are; undefined when nothing touches it.
 */
function mergeTouching(
  pieces: readonly Piece[],
  added: Piece,
  file: string,
): { pieces: Piece[]; merge: Merge } | undefined {
  const run = heldRanges(pieces).find((r) =>
    r.start <= added.start && added.end <= r.end
  )!;
  const inRun = (p: Piece) => run.start <= p.start && p.end <= run.end;
  if (pieces.filter(inRun).length < 2) return undefined;
  const plan = readPlan(pieces, run)!;
  const merged = { start: run.start, end: run.end, file };
  const kept = pieces.filter((p) => !inRun(p));
  return {
    pieces: [...kept, merged].sort((a, b) => a.start - b.start),
    merge: { file, plan },
  };
}

function unique(files: string[]): string[] {
  return [...new Set(files)];
}
