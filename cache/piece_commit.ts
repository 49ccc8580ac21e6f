/**
 * Owns what committing a piece of a partial entry does to its slot, the
 * rule Store.beginPartial states, for both stores: join the partial entry
 * of the same representation, replace what the slot holds, or refuse
 * (a complete entry the piece may not replace); and, when the pieces
 * then hold the whole representation, the complete entry to store
 * instead and where its bytes are. Which files the slot no longer names
 * afterwards, so the store can delete them.
 *
 * Pure: must not touch files nor the index; the store acts on the answer.
 */

import type { EntryMeta, Piece, Representation } from "./meta.ts";
import {
  isWhole,
  joinPiece,
  readPlan,
  type Segment,
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
  | { kind: "stored"; meta: EntryMeta; unused: string[]; whole?: Whole };

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
  let pieces = [piece];
  let length = representation.length;
  let bodyFile = piece.file;
  const held = current?.partial;
  if (held && sameRepresentation(held, representation)) {
    length = representation.length ?? held.length;
    const joined = joinPiece(held.pieces, piece);
    pieces = joined ?? held.pieces;
    if (!joined) bodyFile = current!.bodyFile;
  } else if (current && !held && current.bodyFile !== replaces?.bodyFile) {
    return REFUSED; // a complete entry it was not meant to replace
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
 * or one unknown, and the held pieces within a known length.
 */
export function sameRepresentation(
  held: Representation & { pieces: Piece[] },
  next: Representation,
): boolean {
  if (held.validator !== next.validator) return false;
  if (held.length !== null && next.length !== null) {
    return held.length === next.length;
  }
  const length = held.length ?? next.length;
  return length === null || held.pieces.every((p) => p.end < length);
}

function unique(files: string[]): string[] {
  return [...new Set(files)];
}
