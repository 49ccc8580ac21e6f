/**
 * Owns the Store contract for the bound on a partial entry's pieces
 * (cache/limits.ts PARTIAL_PIECES_MAX): past it, the pieces touching a
 * new one are merged into one body whose bytes read back the same, and a
 * piece that touches none is refused; a representation fetched in many
 * adjacent pieces still becomes complete. Registered from
 * store_contract.ts.
 *
 * Must not know which store it runs against.
 */

import assert from "../helpers/assert.ts";
import { PARTIAL_PIECES_MAX } from "../../cache/limits.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import type { ByteRange, Store } from "../../cache/store.ts";
import { type ContractTest, only, readAll } from "./store_helpers.ts";
import { pieceDraft, putPiece, WHOLE } from "./store_contract_partial.ts";

async function bytesOf(
  store: Store,
  meta: EntryMeta,
  range: ByteRange,
): Promise<Uint8Array> {
  const reader = await store.openBody(meta, range);
  assert.ok(reader, "the range is gone");
  return await readAll(reader);
}

/** Registers the piece-bound contract tests. */
export function piecesContract(test: ContractTest): void {
  test("beginPartial() merges the pieces touching a new one past PARTIAL_PIECES_MAX, and refuses one that touches none (RFC 9111 §3.3)", async (store) => {
    // PARTIAL_PIECES_MAX disjoint 10-byte pieces, 100 bytes apart.
    for (let i = 0; i < PARTIAL_PIECES_MAX; i++) {
      const start = 100 * i;
      assert.equal(await putPiece(store, { start, end: start + 9 }), true);
    }
    const full = await only(store, pieceDraft());
    assert.equal(full.partial!.pieces.length, PARTIAL_PIECES_MAX);
    // One more, disjoint: refused, the entry as it was.
    assert.equal(await putPiece(store, { start: 50, end: 59 }), false);
    assert.deepEqual(await only(store, pieceDraft()), full);
    // One touching the first and the second: the three become one.
    assert.equal(await putPiece(store, { start: 5, end: 104 }), true);
    const merged = await only(store, pieceDraft());
    const pieces = merged.partial!.pieces;
    assert.equal(pieces.length, PARTIAL_PIECES_MAX - 1);
    assert.deepEqual([pieces[0]!.start, pieces[0]!.end], [0, 109]);
    assert.equal(merged.bodySize, 110 + 10 * (PARTIAL_PIECES_MAX - 2));
    assert.equal(store.stats.bytes, merged.bodySize);
    assert.deepEqual(
      await bytesOf(store, merged, { start: 0, end: 109 }),
      WHOLE.subarray(0, 110),
    );
    const last = 100 * (PARTIAL_PIECES_MAX - 1);
    assert.deepEqual(
      await bytesOf(store, merged, { start: last, end: last + 9 }),
      WHOLE.subarray(last, last + 10),
    );
  });

  test("beginPartial() makes a complete entry of a representation sent in more adjacent pieces than PARTIAL_PIECES_MAX (RFC 9111 §3.3, §3.4)", async (store) => {
    const size = Math.ceil(WHOLE.length / (2 * PARTIAL_PIECES_MAX));
    for (let start = 0; start < WHOLE.length; start += size) {
      const end = Math.min(WHOLE.length, start + size) - 1;
      assert.equal(await putPiece(store, { start, end }), true, `${start}`);
      const meta = await only(store, pieceDraft());
      assert.ok((meta.partial?.pieces.length ?? 1) <= PARTIAL_PIECES_MAX);
    }
    const whole = await only(store, pieceDraft());
    assert.equal(whole.partial, undefined);
    assert.equal(whole.bodySize, WHOLE.length);
    assert.equal(store.stats.bytes, WHOLE.length);
    const reader = await store.openBody(whole);
    assert.ok(reader);
    assert.deepEqual(await readAll(reader), WHOLE);
  });
}
