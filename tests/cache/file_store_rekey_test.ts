import assert from "../helpers/assert.ts";
import { join } from "node:path";
import { onDisk } from "../../cache/file_layout.ts";
import { variantId } from "../../cache/key.ts";
import { INLINE_BODY_MAX_BYTES } from "../../cache/limits.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import { countingIds, fileFixture, filesOf, pathIn } from "./file_fixture.ts";
import { restored, snapshotsDuring } from "./file_crash.ts";
import { bodyBytes, bodyOf, draft, put } from "./store_helpers.ts";

const KEY = "http://rekey.example/entry";
const OLD: [string, string | null][] = [["accept-encoding", "gzip"]];
const NEW: [string, string | null][] = [["accept-encoding", "br"]];
const OLD_JSON = `${variantId(OLD)}.json`;
const NEW_JSON = `${variantId(NEW)}.json`;

const STAGES = ["old", "both", "new"];

for (
  const [displacing, inline] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ]
) {
  const what =
    (displacing ? "over an entry of the new variant" : "to a free variant") +
    (inline ? ", its body inside its sidecar," : "");
  const outcome = inline
    ? "the old entry, both (each whole, in its own variant) or the new one"
    : "the old entry or the new one, whole";
  Deno.test(`FileStore.open() after a crash at any step of rekey() ${what} finds ${outcome}`, async () => {
    const fixture = await fileFixture({
      newWriteId: countingIds(),
      memoryBytes: 0,
      inlineMaxBytes: inline ? INLINE_BODY_MAX_BYTES : -1,
    });
    try {
      const moved = await put(
        fixture.store,
        draft(KEY, OLD),
        bodyBytes(1000, 1),
      );
      const there = displacing
        ? await put(fixture.store, draft(KEY, NEW), bodyBytes(500, 2))
        : undefined;
      let next: EntryMeta | undefined;
      const states = await snapshotsDuring(fixture.dir, KEY, async () => {
        next = await fixture.store.rekey(moved, {
          ...moved,
          vary: NEW,
          freshUntil: 9_000,
        });
      });
      assert.ok(next, "the re-key failed");
      assert.ok(
        states.length >= (inline ? 3 : 5),
        `only ${states.length} states`,
      );
      const seen: string[] = [];
      for (const files of states) {
        const { dir, store } = await restored(KEY, files);
        try {
          const found = store.variants(KEY);
          const isNew = found.length === 1 &&
            found[0]!.bodyFile === next!.bodyFile;
          const both = inline && found.length === 2 &&
            found.some((m) => m.bodyFile === next!.bodyFile);
          seen.push(isNew ? "new" : both ? "both" : "old");
          if (both) {
            assert.deepEqual(
              found.find((m) => m.bodyFile === moved.bodyFile),
              moved,
            );
          } else if (isNew) {
            assert.deepEqual(found, [next]);
          } else {
            assert.deepEqual(
              found.find((m) => m.bodyFile === moved.bodyFile),
              moved,
            );
            const others = found.filter((m) => m.bodyFile !== moved.bodyFile);
            assert.ok(
              others.length === 0 || (there && others.length === 1),
              "a third entry",
            );
            if (others[0]) assert.deepEqual(others[0], there);
          }
          for (const meta of found) {
            const seed = meta.bodySize === 500 ? 2 : 1;
            assert.deepEqual(
              await bodyOf(store, meta),
              bodyBytes(meta.bodySize, seed),
            );
          }
          const expected = found.flatMap((
            m,
          ) => [...onDisk([m.bodyFile]), `${variantId(m.vary)}.json`]);
          assert.deepEqual(
            await filesOf(dir, KEY),
            expected.sort(),
            "litter left after the sweep",
          );
        } finally {
          await store.close();
          await Deno.remove(dir, { recursive: true });
        }
      }
      assert.equal(seen[0], "old");
      assert.equal(seen.at(-1), "new");
      const order = seen.map((stage) => STAGES.indexOf(stage));
      assert.deepEqual(
        order,
        [...order].sort(),
        "went back to the old entry",
      );
    } finally {
      await fixture.dispose();
    }
  });
}

Deno.test("FileStore.rekey() survives a restart", async () => {
  const fixture = await fileFixture();
  try {
    const moved = await put(
      fixture.store,
      draft(KEY, OLD),
      bodyBytes(300_000, 1),
    );
    await put(fixture.store, draft(KEY, NEW), bodyBytes(10, 2));
    const next = await fixture.store.rekey(moved, {
      ...moved,
      vary: NEW,
      freshUntil: 9_000,
    });
    assert.ok(next);
    const store = await fixture.reopen();
    assert.deepEqual(store.variants(KEY), [next]);
    assert.deepEqual(await bodyOf(store, next), bodyBytes(300_000, 1));
    assert.deepEqual(store.startupCleanup, {
      tempFiles: 0,
      orphanBodies: 0,
      oldFolders: 0,
    });
    assert.equal(store.stats.corruptRemoved, 0);
    assert.deepEqual(
      await filesOf(fixture.dir, KEY),
      [next.bodyFile, NEW_JSON].sort(),
    );
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.rekey() keeps both entries when the body cannot be moved", async () => {
  const fixture = await fileFixture({ newWriteId: countingIds() });
  try {
    const moved = await put(fixture.store, draft(KEY, OLD), bodyBytes(100, 1)); // id0001, id0002
    const there = await put(fixture.store, draft(KEY, NEW), bodyBytes(50, 2)); // id0003, id0004
    const blocker = pathIn(fixture.dir, KEY, `${variantId(NEW)}-id0005.body`);
    await Deno.mkdir(join(blocker, "in-the-way"), { recursive: true }); // where the body would go
    const result = await fixture.store.rekey(moved, { ...moved, vary: NEW });
    assert.equal(result, undefined);
    assert.equal(fixture.store.stats.writeErrors, 1);
    assert.deepEqual(
      new Set(fixture.store.variants(KEY)),
      new Set([moved, there]),
    );
    assert.deepEqual(await bodyOf(fixture.store, moved), bodyBytes(100, 1));
    await Deno.remove(blocker, { recursive: true });
    const store = await fixture.reopen();
    assert.deepEqual(new Set(store.variants(KEY)), new Set([moved, there]));
    assert.equal(store.stats.corruptRemoved, 0);
    assert.deepEqual(await bodyOf(store, there), bodyBytes(50, 2));
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.rekey() changes nothing when the new metadata cannot be written", async () => {
  const fixture = await fileFixture();
  try {
    const moved = await put(fixture.store, draft(KEY, OLD), bodyBytes(100, 1));
    const blocker = pathIn(fixture.dir, KEY, NEW_JSON);
    await Deno.mkdir(join(blocker, "in-the-way"), { recursive: true });
    assert.equal(
      await fixture.store.rekey(moved, { ...moved, vary: NEW }),
      undefined,
    );
    assert.equal(fixture.store.stats.writeErrors, 1);
    assert.deepEqual(fixture.store.variants(KEY), [moved]);
    assert.deepEqual(await bodyOf(fixture.store, moved), bodyBytes(100, 1));
    assert.deepEqual(
      await filesOf(fixture.dir, KEY),
      [moved.bodyFile, NEW_JSON, OLD_JSON].sort(),
    );
  } finally {
    await fixture.dispose();
  }
});
