/**
 * Owns the arithmetic of a partial entry's pieces (meta.ts): the byte
 * ranges they hold, whether a range lies within them, which piece serves
 * each byte of a range, the smallest range covering what is missing, how
 * a new piece joins the others, and whether they make the whole
 * representation. Used by both stores and by the policy.
 *
 * Pure: must not touch files nor decide what to store or ask for.
 */

import type { Piece } from "./meta.ts";

/** An inclusive byte range (the same shape as store.ts's ByteRange). */
export interface Span {
  start: number;
  end: number;
}

/** Where to read `count` bytes: in `file`, from byte `offset` of that file. */
export interface Segment {
  file: string;
  offset: number;
  count: number;
}

/**
 * The byte ranges the pieces hold, merged: ascending, disjoint and not
 * adjacent. Pieces are ascending by start (meta.ts).
 */
export function heldRanges(pieces: readonly Piece[]): Span[] {
  const held: Span[] = [];
  for (const { start, end } of pieces) {
    const last = held.at(-1);
    if (last && start <= last.end + 1) last.end = Math.max(last.end, end);
    else held.push({ start, end });
  }
  return held;
}

/** True when every byte of `range` is held. */
export function holds(pieces: readonly Piece[], range: Span): boolean {
  return readPlan(pieces, range) !== undefined;
}

/** Bytes held (each byte once, however many pieces hold it). */
export function heldBytes(pieces: readonly Piece[]): number {
  return heldRanges(pieces).reduce((sum, r) => sum + r.end - r.start + 1, 0);
}

/** True when the pieces hold the whole representation of `length` bytes. */
export function isWhole(
  pieces: readonly Piece[],
  length: number | null,
): boolean {
  return length !== null && length > 0 &&
    holds(pieces, { start: 0, end: length - 1 });
}

/**
 * The segments that make up `range`, in order, each byte from the piece
 * that holds it and reaches furthest; undefined when a byte is not held.
 */
export function readPlan(
  pieces: readonly Piece[],
  range: Span,
): Segment[] | undefined {
  const plan: Segment[] = [];
  let at = range.start;
  while (at <= range.end) {
    let best: Piece | undefined;
    for (const piece of pieces) {
      if (piece.start > at) break; // ascending by start
      if (piece.end >= at && (!best || piece.end > best.end)) best = piece;
    }
    if (!best) return undefined;
    const last = Math.min(best.end, range.end);
    plan.push({
      file: best.file,
      offset: at - best.start,
      count: last - at + 1,
    });
    at = last + 1;
  }
  return plan;
}

/**
 * The smallest range that covers every byte of `range` not held, or
 * undefined when all of it is held. One range, so that one single-range
 * request fetches it: bytes held in its middle come again.
 */
export function missingSpan(
  pieces: readonly Piece[],
  range: Span,
): Span | undefined {
  const held = heldRanges(pieces);
  let first = range.start;
  for (const r of held) {
    if (r.start <= first && first <= r.end) first = r.end + 1;
  }
  if (first > range.end) return undefined;
  let last = range.end;
  for (const r of [...held].reverse()) {
    if (r.start <= last && last <= r.end) last = r.start - 1;
  }
  return { start: first, end: last };
}

/**
 * The pieces once `added` joins them, ascending: pieces that lie within
 * `added` go (it holds their bytes). When `added` lies within a piece
 * already there, it adds nothing: undefined (the caller drops it).
 */
export function joinPiece(
  pieces: readonly Piece[],
  added: Piece,
): Piece[] | undefined {
  const within = (inner: Piece, outer: Piece) =>
    inner.start >= outer.start && inner.end <= outer.end;
  const kept = pieces.filter((piece) => !within(piece, added));
  if (kept.some((piece) => within(added, piece))) return undefined;
  return [...kept, added].sort((a, b) => a.start - b.start);
}

/** Bytes stored in the pieces' files (overlaps counted twice). */
export function storedBytes(pieces: readonly Piece[]): number {
  return pieces.reduce((sum, p) => sum + p.end - p.start + 1, 0);
}
