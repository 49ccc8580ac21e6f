/**
 * Tests of the file store's layout and start-up sweep: lookups answered
 * before the background sweep completed, removals during it not brought
 * back, folders of the older layout removed, and disk use counted
 * against the cap.
 */

import assert from "../helpers/assert.ts";
import { join } from "node:path";
import { FileStore } from "../../cache/file_store.ts";
import { keyHash } from "../../cache/file_layout.ts";
import { fileFixture, filesOf, folderOf } from "./file_fixture.ts";
import { bodyBytes, bodyOf, draft, put } from "./store_helpers.ts";

const OPTIONS = { sizeBytes: 1 << 24, memoryBytes: 0 };

/** `count` keys whose files sort into the last `<hh>` folders the sweep visits. */
function lateKeys(count: number): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) {
    const key = `http://s.example/${i}`;
    if (keyHash(key) >= "f0") keys.push(key);
  }
  return keys;
}

Deno.test("FileStore.open() answers a lookup before its sweep indexed the entry, and the sweep does not count it twice", async () => {
  const fixture = await fileFixture();
  try {
    const keys = Array.from({ length: 300 }, (_, i) => `http://s.example/${i}`);
    for (const key of keys) await put(fixture.store, draft(key), bodyBytes(10));
    const [late] = lateKeys(1);
    const bytes = fixture.store.stats.bytes;
    await fixture.store.close();
    const store = await FileStore.open(fixture.dir, OPTIONS);
    fixture.store = store;
    assert.ok(store.stats.entries < 300, "the sweep is still under way");
    const [meta] = store.variants(late!);
    assert.equal(meta?.key, late);
    assert.deepEqual(await bodyOf(store, meta!), bodyBytes(10));
    await store.indexed;
    assert.equal(store.stats.entries, 300);
    assert.equal(store.stats.bytes, bytes);
    assert.equal(store.stats.corruptRemoved, 0);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.remove() of a key the sweep has not reached yet removes its files once it does", async () => {
  const fixture = await fileFixture();
  try {
    const keys = Array.from({ length: 200 }, (_, i) => `http://s.example/${i}`);
    for (const key of keys) await put(fixture.store, draft(key), bodyBytes(10));
    const [late] = lateKeys(1);
    const vary = draft(late!, [["accept-encoding", "gzip"]]);
    await put(fixture.store, vary, bodyBytes(10, 2));
    await fixture.store.close();
    const store = await FileStore.open(fixture.dir, OPTIONS);
    fixture.store = store;
    await store.remove(late!);
    assert.deepEqual(store.variants(late!), []);
    await store.indexed;
    assert.deepEqual(
      store.variants(late!),
      [],
      "not brought back by the sweep",
    );
    assert.deepEqual(await filesOf(fixture.dir, late!), []);
    assert.equal(store.stats.entries, keys.length - 1);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.open() empties the folders of the older layout and keeps the flat one", async () => {
  const fixture = await fileFixture();
  try {
    const kept = await put(
      fixture.store,
      draft("http://s.example/kept"),
      bodyBytes(10),
    );
    const hash = "ab".padEnd(64, "0");
    const old = join(fixture.dir, "ab", hash);
    await Deno.mkdir(old, { recursive: true });
    await Deno.writeTextFile(join(old, "default.json"), "{}");
    await Deno.writeTextFile(join(old, "default-1.body"), "x");
    const store = await fixture.reopen();
    assert.equal(store.startupCleanup.oldFolders, 1);
    await assert.rejects(() => Deno.stat(old), Deno.errors.NotFound);
    assert.deepEqual(store.variants(kept.key), [kept]);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore counts what an entry takes on disk against the cap: its sidecar and body in whole blocks", async () => {
  const perEntry = 2 * 4096 + 2 * 64; // a sidecar and a 1 KiB body: a block each, and their names
  const fixture = await fileFixture({ sizeBytes: Math.floor(2.5 * perEntry) });
  try {
    const keys = ["a", "b", "c"].map((name) => `http://s.example/${name}`);
    for (const key of keys) {
      await put(fixture.store, draft(key), bodyBytes(1024));
    }
    assert.equal(fixture.store.stats.evictions, 1);
    assert.equal(fixture.store.stats.entries, 2);
    assert.equal(fixture.store.stats.bytes, 2 * perEntry);
    let used = 0;
    for (const item of Deno.readDirSync(folderOf(fixture.dir, keys[1]!))) {
      if (!item.name.startsWith(keyHash(keys[1]!))) continue;
      const info = Deno.statSync(
        join(folderOf(fixture.dir, keys[1]!), item.name),
      );
      used += (info.blocks ?? 0) * 512;
    }
    assert.ok(used > 0 && used <= perEntry, `${used} B used on disk`);
  } finally {
    await fixture.dispose();
  }
});
