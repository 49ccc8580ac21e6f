/**
 * Property tests of pieceCommit() (cache/piece_commit.ts): whatever pieces
 * arrive, in whatever order, with whatever validators and complete
 * lengths a store lets through (checkPiece: a piece within its own
 * draft's known length), every partial entry it makes fits the schema
 * parseMeta() checks, holds at most PARTIAL_PIECES_MAX pieces, and every
 * merge or whole plan names exactly the bytes of its range.
 */

import assert from "../helpers/assert.ts";
import { PARTIAL_PIECES_MAX } from "../../cache/limits.ts";
import { type EntryMeta, parseMeta } from "../../cache/meta.ts";
import { pieceCommit } from "../../cache/piece_commit.ts";
import type { PartialDraft } from "../../cache/store.ts";
import { dateAt, stored } from "./policy_fixtures.ts";

function fits(meta: unknown): boolean {
  return parseMeta(JSON.parse(JSON.stringify(meta))) !== undefined;
}

function planBytes(plan: { count: number }[]): number {
  return plan.reduce((sum, s) => sum + s.count, 0);
}

Deno.test("pieceCommit() only ever makes metadata parseMeta() accepts, with at most PARTIAL_PIECES_MAX pieces, whatever pieces arrive (RFC 9111 §3.3, §3.4)", () => {
  const base = stored({ headers: [["ETag", '"a"'], ["Date", dateAt(0)]] });
  const { bodySize: _s, bodyFile: _f, partial: _p, ...fields } = base;
  let seed = 11;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  let files = 0;
  const counts = { stored: 0, refused: 0, merged: 0, whole: 0 };
  for (let round = 0; round < 60; round++) {
    let current: EntryMeta | undefined;
    const known = [100, 1000, 3000][random(3)]!;
    for (let step = 0; step < 300; step++) {
      // Mostly one representation (its length known or not), at times another.
      const roll = random(1000);
      const length = roll < 700 ? known : roll < 995 ? null : 100 + random(300);
      const validator = random(200) === 0 ? '"b"' : '"a"';
      const span = length ?? 400;
      const start = random(span);
      const size = random(4) === 0 ? 1 + random(60) : 1 + random(3);
      const end = Math.min(span - 1, start + size - 1);
      const draft: PartialDraft = { ...fields, partial: { validator, length } };
      const piece = { start, end, file: `p${++files}.body` };
      const change = pieceCommit(current, {
        draft,
        piece,
        spare: `s${++files}.body`,
      });
      const what =
        `round ${round} step ${step}: ${start}-${end}/${length} ${validator} onto ${
          JSON.stringify(current?.partial ?? current?.bodySize)
        }`;
      if (change.kind === "refused") {
        counts.refused++;
        continue;
      }
      counts.stored++;
      assert.ok(
        fits(change.meta),
        `${what}: ${JSON.stringify(change.meta.partial)}`,
      );
      const pieces = change.meta.partial!.pieces;
      assert.ok(pieces.length <= PARTIAL_PIECES_MAX, what);
      if (change.merge) {
        counts.merged++;
        const merged = pieces.find((p) => p.file === change.merge!.file)!;
        assert.equal(
          planBytes(change.merge.plan),
          merged.end - merged.start + 1,
          what,
        );
      }
      current = change.meta;
      if (change.whole) {
        counts.whole++;
        const whole = { ...change.whole.meta, bodyFile: "w.body" };
        assert.ok(fits(whole), what);
        assert.equal(planBytes(change.whole.plan), whole.bodySize, what);
        // A complete entry refuses pieces (not meant to replace it); then evicted.
        const next = pieceCommit(whole, {
          draft,
          piece: { ...piece, file: "q.body" },
        });
        assert.equal(next.kind, "refused", what);
        current = undefined;
      }
    }
  }
  // The inputs reached every branch.
  assert.ok(
    counts.merged > 0 && counts.whole > 0 && counts.refused > 0,
    JSON.stringify(counts),
  );
});

Deno.test("pieceCommit() never lets a piece of unknown complete length join an entry whose known length it passes (RFC 9110 §14.4, RFC 9111 §3.4)", () => {
  const base = stored({ headers: [["ETag", '"a"'], ["Date", dateAt(0)]] });
  const { bodySize: _s, bodyFile: _f, partial: _p, ...fields } = base;
  const current: EntryMeta = {
    ...base,
    bodySize: 10,
    bodyFile: "p1.body",
    partial: {
      validator: '"a"',
      length: 100,
      pieces: [{ start: 0, end: 9, file: "p1.body" }],
    },
  };
  const cases: [number, number, boolean][] = [
    [90, 99, true], // within: joins
    [95, 100, false], // past the end: a representation of its own
    [200, 209, false],
  ];
  for (const [start, end, joins] of cases) {
    const change = pieceCommit(current, {
      draft: { ...fields, partial: { validator: '"a"', length: null } },
      piece: { start, end, file: "p2.body" },
    });
    assert.equal(change.kind, "stored");
    if (change.kind !== "stored") continue;
    assert.equal(
      change.meta.partial!.pieces.length,
      joins ? 2 : 1,
      `${start}-${end}`,
    );
    assert.equal(
      change.meta.partial!.length,
      joins ? 100 : null,
      `${start}-${end}`,
    );
    assert.ok(fits(change.meta), `${start}-${end}`);
  }
});
