/**
 * Owns the Store contract for partial entries (RFC 9111 §3.3, §3.4):
 * pieces written with beginPartial() join the partial entry of their
 * representation, replace another one, never replace a complete entry
 * they were not meant to, open only for ranges held, and make a complete
 * entry once they hold the whole body. Registered from store_contract.ts.
 *
 * Must not know which store it runs against.
 */

import assert from "../helpers/assert.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import type { ByteRange, PartialDraft, Store } from "../../cache/store.ts";
import {
  bodyBytes,
  bodyOf,
  type ContractTest,
  draft,
  only,
  put,
  readAll,
} from "./store_helpers.ts";

/** The key every partial-entry test stores under. */
export const KEY = "http://p.example/video";
/** The representation every partial-entry test stores parts of. */
export const WHOLE = bodyBytes(10_000, 9);

/** A draft of a piece of WHOLE (or of another representation). */
export function pieceDraft(
  options: { validator?: string; length?: number | null; freshUntil?: number } =
    {},
): PartialDraft {
  const { partial: _none, ...entry } = draft(KEY, [], options.freshUntil);
  return {
    ...entry,
    partial: {
      validator: options.validator ?? '"v1"',
      length: options.length === undefined ? WHOLE.length : options.length,
    },
  };
}

/** Writes bytes start..end of `whole` as a piece and commits it; returns whether it was stored. */
export async function putPiece(
  store: Store,
  range: ByteRange,
  options: {
    draft?: PartialDraft;
    whole?: Uint8Array;
    replaces?: EntryMeta;
  } = {},
): Promise<boolean> {
  const whole = options.whole ?? WHOLE;
  const writer = store.beginPartial(options.draft ?? pieceDraft(), {
    range,
    replaces: options.replaces,
  });
  const bytes = whole.subarray(range.start, range.end + 1);
  for (let at = 0; at < bytes.length; at += 1500) {
    await writer.write(bytes.subarray(at, at + 1500));
  }
  return await writer.commit(bytes.length);
}

/** The bytes of `range` read from a partial entry. */
async function rangeOf(
  store: Store,
  meta: EntryMeta,
  range: ByteRange,
): Promise<Uint8Array> {
  const reader = await store.openBody(meta, range);
  assert.ok(reader, "the range is gone");
  assert.equal(reader.length, range.end - range.start + 1);
  return await readAll(reader);
}

/** Registers the partial-entry contract tests. */
export function partialContract(test: ContractTest): void {
  test("beginPartial() stores a piece as a partial entry that opens for ranges it holds (RFC 9111 §3.3)", async (store) => {
    assert.equal(await putPiece(store, { start: 1000, end: 2999 }), true);
    const meta = await only(store, pieceDraft());
    assert.deepEqual(meta.partial, {
      validator: '"v1"',
      length: 10_000,
      pieces: [{ start: 1000, end: 2999, file: meta.bodyFile }],
    });
    assert.equal(meta.status, 200);
    assert.equal(meta.bodySize, 2000);
    assert.equal(store.stats.entries, 1);
    assert.equal(store.stats.bytes, 2000);
    for (const [start, end] of [[1000, 2999], [1500, 1500], [2000, 2999]]) {
      const range = { start: start!, end: end! };
      assert.deepEqual(
        await rangeOf(store, meta, range),
        WHOLE.subarray(start, end! + 1),
      );
    }
  });

  test("openBody() rejects a range a partial entry does not hold, and the whole body", async (store) => {
    await putPiece(store, { start: 1000, end: 2999 });
    const meta = await only(store, pieceDraft());
    for (const range of [{ start: 0, end: 999 }, { start: 2500, end: 3000 }]) {
      await assert.rejects(store.openBody(meta, range), RangeError);
    }
    await assert.rejects(store.openBody(meta), RangeError);
    assert.equal(store.memoryBody(meta), undefined);
  });

  test("beginPartial() shows nothing before commit(), and follow() reads the piece's bytes", async (store) => {
    const writer = store.beginPartial(pieceDraft(), {
      range: { start: 100, end: 599 },
    });
    const follower = writer.follow(500);
    await writer.write(WHOLE.subarray(100, 350));
    assert.deepEqual(await store.variants(KEY), []);
    await writer.write(WHOLE.subarray(350, 600));
    assert.equal(await writer.commit(500), true);
    assert.deepEqual(await readAll(follower), WHOLE.subarray(100, 600));
    assert.equal((await store.variants(KEY)).length, 1);
  });

  test("commit() of a piece stores nothing when the size is not its range's", async (store) => {
    const writer = store.beginPartial(pieceDraft(), {
      range: { start: 0, end: 99 },
    });
    const follower = writer.follow(50);
    await writer.write(WHOLE.subarray(0, 50));
    assert.equal(await writer.commit(50), false);
    assert.deepEqual(await readAll(follower), WHOLE.subarray(0, 50)); // whole as written, not stored
    assert.deepEqual(await store.variants(KEY), []);
    assert.equal(store.stats.bytes, 0);
  });

  test("a piece of the same representation joins the partial entry and gives it the newest fields (RFC 9111 §3.4)", async (store) => {
    await putPiece(store, { start: 0, end: 999 });
    const newer = { ...pieceDraft({ freshUntil: 7_000 }) };
    newer.headers = [["Content-Type", "text/plain"], ["X-New", "1"]];
    assert.equal(
      await putPiece(store, { start: 1000, end: 2499 }, { draft: newer }),
      true,
    );
    const meta = await only(store, newer);
    assert.deepEqual(meta.partial!.pieces.map((p) => [p.start, p.end]), [
      [0, 999],
      [1000, 2499],
    ]);
    assert.equal(meta.freshUntil, 7_000);
    assert.deepEqual(meta.headers, newer.headers);
    assert.equal(meta.bodySize, 2500);
    assert.equal(store.stats.bytes, 2500);
    assert.deepEqual(
      await rangeOf(store, meta, { start: 500, end: 1999 }),
      WHOLE.subarray(500, 2000),
    );
  });

  test("a piece joins a partial entry whose complete length was unknown, and pieces that cover it make it complete", async (store) => {
    const unknown = pieceDraft({ length: null });
    await putPiece(store, { start: 0, end: 5999 }, { draft: unknown });
    assert.equal((await only(store, unknown)).partial!.length, null);
    await putPiece(store, { start: 5000, end: 9999 });
    const meta = await only(store, unknown);
    assert.equal(meta.partial, undefined);
    assert.equal(meta.bodySize, 10_000);
    assert.deepEqual(await bodyOf(store, meta), WHOLE);
  });

  test("a piece that holds others replaces them, and a piece within one held adds no bytes", async (store) => {
    await putPiece(store, { start: 100, end: 199 });
    await putPiece(store, { start: 300, end: 399 });
    await putPiece(store, { start: 0, end: 499 });
    let meta = await only(store, pieceDraft());
    assert.deepEqual(meta.partial!.pieces.map((p) => [p.start, p.end]), [
      [0, 499],
    ]);
    assert.equal(store.stats.bytes, 500);
    const refreshed = pieceDraft({ freshUntil: 8_000 });
    assert.equal(
      await putPiece(store, { start: 200, end: 299 }, { draft: refreshed }),
      true,
    );
    meta = await only(store, pieceDraft());
    assert.deepEqual(meta.partial!.pieces.map((p) => [p.start, p.end]), [
      [0, 499],
    ]);
    assert.equal(meta.freshUntil, 8_000, "the newest fields still count");
    assert.equal(store.stats.bytes, 500);
    assert.deepEqual(
      await rangeOf(store, meta, { start: 0, end: 499 }),
      WHOLE.subarray(0, 500),
    );
  });

  test("a piece of another representation replaces the partial entry", async (store) => {
    const other = bodyBytes(10_000, 4);
    await putPiece(store, { start: 0, end: 999 });
    await putPiece(store, { start: 1000, end: 1999 }, {
      draft: pieceDraft({ validator: '"v2"' }),
      whole: other,
    });
    const meta = await only(store, pieceDraft());
    assert.equal(meta.partial!.validator, '"v2"');
    assert.deepEqual(meta.partial!.pieces.map((p) => [p.start, p.end]), [
      [1000, 1999],
    ]);
    assert.equal(store.stats.bytes, 1000);
    assert.deepEqual(
      await rangeOf(store, meta, { start: 1000, end: 1999 }),
      other.subarray(1000, 2000),
    );
    await assert.rejects(
      store.openBody(meta, { start: 0, end: 999 }),
      RangeError,
    );
    await putPiece(store, { start: 0, end: 99 }, {
      draft: pieceDraft({ length: 20_000 }),
    });
    assert.equal(
      (await only(store, pieceDraft())).partial!.length,
      20_000,
      "another complete length is another representation",
    );
  });

  test("pieces that hold the whole representation make a complete entry, byte-exact (RFC 9111 §3.4)", async (store) => {
    await putPiece(store, { start: 4000, end: 9999 });
    await putPiece(store, { start: 0, end: 2999 });
    const before = await only(store, pieceDraft());
    const reader = await store.openBody(before, { start: 2000, end: 2999 }); // opened before it completes
    await putPiece(store, { start: 2500, end: 4500 });
    const meta = await only(store, pieceDraft());
    assert.equal(meta.partial, undefined);
    assert.equal(meta.status, 200);
    assert.equal(meta.bodySize, 10_000);
    assert.equal(store.stats.entries, 1);
    assert.equal(store.stats.bytes, 10_000);
    assert.deepEqual(await bodyOf(store, meta), WHOLE);
    assert.ok(reader);
    assert.deepEqual(await readAll(reader), WHOLE.subarray(2000, 3000));
    assert.equal(await store.openBody(before, { start: 0, end: 9 }), undefined);
  });

  test("a piece of the whole representation is a complete entry", async (store) => {
    assert.equal(await putPiece(store, { start: 0, end: 9999 }), true);
    const meta = await only(store, pieceDraft());
    assert.equal(meta.partial, undefined);
    assert.deepEqual(await bodyOf(store, meta), WHOLE);
  });

  test("a piece replaces no complete entry but the one it names", async (store) => {
    const complete = await put(store, draft(KEY), bodyBytes(300, 1));
    assert.equal(await putPiece(store, { start: 0, end: 99 }), false);
    assert.deepEqual(await store.variants(KEY), [complete]);
    assert.equal(
      await putPiece(store, { start: 0, end: 99 }, { replaces: complete }),
      true,
    );
    const meta = await only(store, pieceDraft());
    assert.ok(meta.partial);
    assert.equal(store.stats.bytes, 100);
    assert.equal(await store.openBody(complete), undefined);
  });

  test("commit() of a complete write replaces a partial entry", async (store) => {
    await putPiece(store, { start: 0, end: 999 });
    const complete = await put(store, draft(KEY), bodyBytes(300, 1));
    assert.deepEqual(await store.variants(KEY), [complete]);
    assert.equal(store.stats.bytes, 300);
    assert.deepEqual(await bodyOf(store, complete), bodyBytes(300, 1));
  });

  test(
    "remove() and eviction of a partial entry free every piece",
    async (store) => {
      await putPiece(store, { start: 0, end: 29 });
      await putPiece(store, { start: 50, end: 79 });
      const meta = await only(store, pieceDraft());
      assert.equal(store.stats.bytes, 60);
      await store.remove(meta);
      assert.deepEqual(await store.variants(KEY), []);
      assert.equal(store.stats.bytes, 0);
      await putPiece(store, { start: 0, end: 29 });
      await putPiece(store, { start: 50, end: 79 });
      await put(store, draft("http://p.example/other"), bodyBytes(60, 2));
      assert.deepEqual(
        await store.variants(KEY),
        [],
        "the partial entry was oldest",
      );
      assert.equal(store.stats.evictions, 1);
      assert.equal(store.stats.bytes, 60);
    },
    100,
  );

  test("updateMeta() keeps a partial entry's pieces; rekey() leaves it in its variant", async (store) => {
    await putPiece(store, { start: 0, end: 999 });
    const meta = await only(store, pieceDraft());
    await store.updateMeta({ ...meta, freshUntil: 9_000, partial: undefined });
    const updated = await only(store, pieceDraft());
    assert.equal(updated.freshUntil, 9_000);
    assert.deepEqual(updated.partial, meta.partial);
    assert.equal(
      await store.rekey(updated, { ...updated, vary: [["accept", "x"]] }),
      undefined,
    );
    assert.deepEqual(await store.variants(KEY), [updated]);
    assert.deepEqual(
      await rangeOf(store, updated, { start: 0, end: 999 }),
      WHOLE.subarray(0, 1000),
    );
  });

  test("beginPartial() throws when the range does not fit the representation", (store) => {
    for (
      const range of [
        { start: 0, end: 10_000 },
        { start: 5, end: 4 },
        { start: -1, end: 4 },
      ]
    ) {
      assert.throws(
        () => store.beginPartial(pieceDraft(), { range }),
        TypeError,
      );
    }
    assert.throws(
      () =>
        store.beginPartial(pieceDraft({ validator: "" }), {
          range: { start: 0, end: 1 },
        }),
      TypeError,
    );
    assert.throws(
      () =>
        store.begin({
          ...draft(KEY),
          partial: { ...pieceDraft().partial, pieces: [] },
        }),
      TypeError,
    );
    return Promise.resolve();
  });

  test(
    "beginPartial() refuses a piece larger than the whole cap",
    async (store) => {
      assert.equal(await putPiece(store, { start: 0, end: 100 }), false);
      assert.deepEqual(await store.variants(KEY), []);
    },
    100,
  );
}
