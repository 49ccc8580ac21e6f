import assert from "../helpers/assert.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import { variantId } from "../../cache/key.ts";
import type { FileStore } from "../../cache/file_store.ts";
import { countingIds, fileFixture, filesOf, pathIn } from "./file_fixture.ts";
import { restored, snapshotsDuring } from "./file_crash.ts";
import { only, readAll } from "./store_helpers.ts";
import { PARTIAL_PIECES_MAX } from "../../cache/limits.ts";
import { KEY, pieceDraft, putPiece, WHOLE } from "./store_contract_partial.ts";

const JSON_NAME = `${variantId([])}.json`;

/** The bytes a stored entry holds, checked against WHOLE: every piece, or the whole body. */
async function checkBytes(store: FileStore, meta: EntryMeta): Promise<void> {
  const ranges = meta.partial
    ? meta.partial.pieces
    : [{ start: 0, end: meta.bodySize - 1 }];
  for (const { start, end } of ranges) {
    const reader = await store.openBody(meta, { start, end });
    assert.ok(reader, `${start}-${end} is gone`);
    assert.deepEqual(await readAll(reader), WHOLE.subarray(start, end + 1));
  }
}

/** The file names an entry needs, with its metadata file. */
function namesOf(meta: EntryMeta): string[] {
  const bodies = meta.partial
    ? meta.partial.pieces.map((p) => p.file)
    : [meta.bodyFile];
  return [...bodies, JSON_NAME].sort();
}

for (
  const [what, range] of [
    ["joins a partial entry", { start: 6000, end: 9999 }],
    ["makes the entry complete", { start: 2500, end: 9999 }],
  ] as const
) {
  Deno.test(`FileStore.open() after a crash at any step of a piece that ${what} finds the old pieces or the new entry, whole`, async () => {
    const fixture = await fileFixture({
      newWriteId: countingIds(),
      memoryBytes: 0,
    });
    try {
      await putPiece(fixture.store, { start: 0, end: 2999 });
      const before = await only(fixture.store, pieceDraft());
      const states = await snapshotsDuring(fixture.dir, KEY, async () => {
        assert.equal(await putPiece(fixture.store, range), true);
      });
      const after = await only(fixture.store, pieceDraft());
      assert.equal(after.partial === undefined, range.start === 2500);
      assert.ok(states.length >= 3, `only ${states.length} states`);
      const seen: string[] = [];
      for (const files of states) {
        const { dir, store } = await restored(KEY, files);
        try {
          const found = store.variants(KEY);
          assert.equal(found.length, 1, "the entry was lost");
          const isNew = found[0]!.bodyFile === after.bodyFile;
          seen.push(isNew ? "new" : "old");
          assert.deepEqual(found[0], isNew ? after : before);
          await checkBytes(store, found[0]!);
          assert.deepEqual(
            await filesOf(dir, KEY),
            namesOf(found[0]!),
            "litter left after the sweep",
          );
        } finally {
          await store.close();
          await Deno.remove(dir, { recursive: true });
        }
      }
      assert.equal(seen[0], "old");
      assert.equal(seen.at(-1), "new");
      assert.deepEqual(
        seen,
        [...seen].sort().reverse(),
        "went back to the old entry",
      );
    } finally {
      await fixture.dispose();
    }
  });
}

Deno.test("FileStore.open() serves the partial entry an earlier store committed", async () => {
  const fixture = await fileFixture({
    newWriteId: countingIds(),
    accounting: "body", // the bytes its pieces hold
  });
  try {
    await putPiece(fixture.store, { start: 0, end: 999 });
    await putPiece(fixture.store, { start: 5000, end: 5999 });
    const meta = await only(fixture.store, pieceDraft());
    const store = await fixture.reopen();
    assert.deepEqual(store.variants(KEY), [meta]);
    assert.equal(store.stats.bytes, 2000);
    assert.deepEqual(store.startupCleanup, {
      tempFiles: 0,
      orphanBodies: 0,
      oldFolders: 0,
    });
    await checkBytes(store, meta);
    await putPiece(store, { start: 1000, end: 4999 });
    await putPiece(store, { start: 6000, end: 9999 });
    const whole = await only(store, pieceDraft());
    assert.equal(whole.partial, undefined);
    await checkBytes(store, whole);
    assert.deepEqual(await filesOf(fixture.dir, KEY), namesOf(whole));
  } finally {
    await fixture.dispose();
  }
});

for (
  const [what, damage] of [
    ["a missing piece", (path: string) => Deno.remove(path)],
    ["a short piece", (path: string) => Deno.truncate(path, 10)],
  ] as const
) {
  Deno.test(`FileStore.open() removes a partial entry with ${what}, and openBody() finds it torn`, async () => {
    const fixture = await fileFixture({ newWriteId: countingIds() });
    try {
      await putPiece(fixture.store, { start: 0, end: 999 });
      await putPiece(fixture.store, { start: 5000, end: 5999 });
      const meta = await only(fixture.store, pieceDraft());
      const first = meta.partial!.pieces[0]!.file;
      await damage(pathIn(fixture.dir, KEY, first));
      const range = { start: 500, end: 599 };
      assert.equal(await fixture.store.openBody(meta, range), undefined);
      assert.deepEqual(fixture.store.variants(KEY), []);
      assert.equal(fixture.store.stats.corruptRemoved, 1);
      await putPiece(fixture.store, { start: 0, end: 999 });
      await putPiece(fixture.store, { start: 5000, end: 5999 });
      const again = await only(fixture.store, pieceDraft());
      await damage(pathIn(fixture.dir, KEY, again.partial!.pieces[1]!.file));
      const store = await fixture.reopen();
      assert.deepEqual(store.variants(KEY), []);
      assert.equal(store.stats.corruptRemoved, 1);
      assert.deepEqual(await filesOf(fixture.dir, KEY), []);
    } finally {
      await fixture.dispose();
    }
  });
}

Deno.test("FileStore beginPartial() keeps the old pieces when the metadata cannot be switched", async () => {
  const fixture = await fileFixture({ newWriteId: countingIds() });
  try {
    await putPiece(fixture.store, { start: 0, end: 999 });
    const meta = await only(fixture.store, pieceDraft());
    const blocker = pathIn(fixture.dir, KEY, JSON_NAME);
    await Deno.remove(blocker);
    await Deno.mkdir(`${blocker}/in-the-way`, { recursive: true });
    assert.equal(
      await putPiece(fixture.store, { start: 1000, end: 1999 }),
      false,
    );
    assert.equal(fixture.store.stats.writeErrors, 1);
    assert.deepEqual(fixture.store.variants(KEY), [meta]);
    await checkBytes(fixture.store, meta);
    assert.deepEqual(await filesOf(fixture.dir, KEY), [
      meta.bodyFile,
      JSON_NAME,
    ]);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.open() after a crash at any step of a piece that merges pieces past PARTIAL_PIECES_MAX finds the old pieces or the merged entry, and no litter", async () => {
  const fixture = await fileFixture({
    newWriteId: countingIds(),
    memoryBytes: 0,
  });
  try {
    for (let i = 0; i < PARTIAL_PIECES_MAX; i++) {
      await putPiece(fixture.store, { start: 100 * i, end: 100 * i + 9 });
    }
    const before = await only(fixture.store, pieceDraft());
    const states = await snapshotsDuring(fixture.dir, KEY, async () => {
      assert.equal(
        await putPiece(fixture.store, { start: 10, end: 99 }),
        true,
      );
    });
    const after = await only(fixture.store, pieceDraft());
    assert.equal(after.partial!.pieces.length, PARTIAL_PIECES_MAX - 1);
    assert.deepEqual(await filesOf(fixture.dir, KEY), namesOf(after));
    await checkBytes(fixture.store, after);
    const seen: string[] = [];
    for (const files of states) {
      const { dir, store } = await restored(KEY, files);
      try {
        const found = store.variants(KEY);
        assert.equal(found.length, 1, "the entry was lost");
        const isNew = found[0]!.bodyFile === after.bodyFile;
        seen.push(isNew ? "new" : "old");
        assert.deepEqual(found[0], isNew ? after : before);
        await checkBytes(store, found[0]!);
        assert.deepEqual(await filesOf(dir, KEY), namesOf(found[0]!));
      } finally {
        await store.close();
        await Deno.remove(dir, { recursive: true });
      }
    }
    assert.equal(seen[0], "old");
    assert.equal(seen.at(-1), "new");
  } finally {
    await fixture.dispose();
  }
});
