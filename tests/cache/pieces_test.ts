import assert from "../helpers/assert.ts";
import type { EntryMeta, Piece } from "../../cache/meta.ts";
import {
  heldRanges,
  holds,
  isWhole,
  joinPiece,
  missingSpan,
  readPlan,
} from "../../cache/pieces.ts";
import { pieceCommit } from "../../cache/piece_commit.ts";
import { draft } from "./store_helpers.ts";

function p(start: number, end: number, file = `f${start}.body`): Piece {
  return { start, end, file };
}

const PIECES = [p(0, 99), p(50, 199), p(300, 399)];

Deno.test("heldRanges() merges overlapping and adjacent pieces", () => {
  assert.deepEqual(heldRanges(PIECES), [
    { start: 0, end: 199 },
    { start: 300, end: 399 },
  ]);
  assert.deepEqual(heldRanges([p(0, 9), p(10, 19)]), [{ start: 0, end: 19 }]);
});

Deno.test("readPlan() reads each byte from the piece holding it that reaches furthest, undefined for a gap", () => {
  assert.deepEqual(readPlan(PIECES, { start: 40, end: 120 }), [
    { file: "f0.body", offset: 40, count: 60 },
    { file: "f50.body", offset: 50, count: 21 },
  ]);
  assert.deepEqual(readPlan(PIECES, { start: 300, end: 300 }), [
    { file: "f300.body", offset: 0, count: 1 },
  ]);
  assert.equal(readPlan(PIECES, { start: 150, end: 300 }), undefined);
  assert.equal(holds(PIECES, { start: 0, end: 199 }), true);
  assert.equal(holds(PIECES, { start: 0, end: 200 }), false);
});

Deno.test("missingSpan() is the smallest range covering the bytes not held", () => {
  assert.equal(missingSpan(PIECES, { start: 10, end: 199 }), undefined);
  assert.deepEqual(missingSpan(PIECES, { start: 10, end: 250 }), {
    start: 200,
    end: 250,
  });
  assert.deepEqual(missingSpan(PIECES, { start: 150, end: 450 }), {
    start: 200,
    end: 450,
  }); // 300-399 comes again: one range
  assert.deepEqual(missingSpan(PIECES, { start: 250, end: 350 }), {
    start: 250,
    end: 299,
  });
  assert.deepEqual(missingSpan([], { start: 5, end: 9 }), { start: 5, end: 9 });
});

Deno.test("joinPiece() drops pieces within the new one, and adds nothing within an old one", () => {
  assert.deepEqual(joinPiece(PIECES, p(40, 250, "n.body")), [
    p(0, 99),
    p(40, 250, "n.body"),
    p(300, 399),
  ]);
  assert.equal(joinPiece(PIECES, p(60, 150, "n.body")), undefined);
  assert.deepEqual(joinPiece(PIECES, p(300, 399, "n.body")), [
    p(0, 99),
    p(50, 199),
    p(300, 399, "n.body"),
  ]);
});

Deno.test("isWhole() needs a known length and every byte of it", () => {
  assert.equal(isWhole(PIECES, 400), false);
  assert.equal(isWhole([p(0, 199), p(200, 399)], 400), true);
  assert.equal(isWhole([p(0, 399)], null), false);
});

const BASE = draft("http://p.example/x");
const PARTIAL_DRAFT = { ...BASE, partial: { validator: '"v"', length: 400 } };

function partialEntry(pieces: Piece[], validator = '"v"'): EntryMeta {
  return {
    ...BASE,
    bodySize: pieces.reduce((n, x) => n + x.end - x.start + 1, 0),
    bodyFile: pieces.at(-1)!.file,
    partial: { validator, length: 400, pieces },
  };
}

Deno.test("pieceCommit() joins, replaces, refuses and completes as Store.beginPartial says (RFC 9111 §3.4)", () => {
  const held = partialEntry([p(0, 99)]);
  const joined = pieceCommit(held, {
    draft: PARTIAL_DRAFT,
    piece: p(200, 299),
  });
  assert.equal(joined.kind, "stored");
  if (joined.kind !== "stored") return;
  assert.deepEqual(joined.meta.partial!.pieces, [p(0, 99), p(200, 299)]);
  assert.deepEqual(joined.unused, []);
  assert.equal(joined.whole, undefined);

  const other = pieceCommit(partialEntry([p(0, 99)], '"w"'), {
    draft: PARTIAL_DRAFT,
    piece: p(200, 299),
  });
  assert.ok(other.kind === "stored");
  assert.deepEqual(other.meta.partial!.pieces, [p(200, 299)]);
  assert.deepEqual(other.unused, ["f0.body"]);

  const complete: EntryMeta = { ...BASE, bodySize: 400, bodyFile: "c.body" };
  assert.deepEqual(
    pieceCommit(complete, { draft: PARTIAL_DRAFT, piece: p(0, 9) }),
    { kind: "refused" },
  );
  const replacing = pieceCommit(complete, {
    draft: PARTIAL_DRAFT,
    piece: p(0, 9),
    replaces: complete,
  });
  assert.ok(replacing.kind === "stored");
  assert.deepEqual(replacing.unused, ["c.body"]);

  const whole = pieceCommit(partialEntry([p(0, 99), p(300, 399)]), {
    draft: PARTIAL_DRAFT,
    piece: p(100, 299),
  });
  assert.ok(whole.kind === "stored" && whole.whole);
  assert.deepEqual(whole.whole.meta, { ...BASE, bodySize: 400 });
  assert.equal(whole.whole.reuse, undefined);
  assert.equal(whole.whole.plan.length, 3);
  assert.deepEqual(whole.whole.unused.sort(), [
    "f0.body",
    "f100.body",
    "f300.body",
  ]);

  const one = pieceCommit(undefined, {
    draft: PARTIAL_DRAFT,
    piece: p(0, 399),
  });
  assert.ok(one.kind === "stored" && one.whole);
  assert.equal(one.whole.reuse, "f0.body");
  assert.deepEqual(one.whole.unused, []);
});
