import assert from "../helpers/assert.ts";
import { join } from "node:path";
import {
  countingIds,
  fileFixture,
  filesOf,
  folderOf,
  pathIn,
} from "./file_fixture.ts";
import { bodyBytes, bodyOf, draft, only, put } from "./store_helpers.ts";

for (
  const [what, chunk, file] of [
    ["a streamed body", 400_000, "default-id0003.body.tmp"],
    ["a small body written at commit", 1000, "default-id0003.body"],
  ] as const
) {
  Deno.test(`FileStore commit() returns false and keeps the old entry when the disk is full for ${what}`, async () => {
    await diskFull(chunk, file);
  });
}

async function diskFull(chunk: number, file: string): Promise<void> {
  const ids = countingIds();
  const fixture = await fileFixture({ newWriteId: ids });
  try {
    const entry = draft("http://e.example/full");
    const old = await put(fixture.store, entry, bodyBytes(100, 1)); // uses id0001 and id0002
    await Deno.symlink("/dev/full", pathIn(fixture.dir, entry.key, file));
    const writer = fixture.store.begin(draft(entry.key, [], 9_000));
    for (let i = 0; i < 3; i++) await writer.write(bodyBytes(chunk, 2)); // never rejects
    assert.equal(await writer.commit(3 * chunk), false);
    assert.equal(fixture.store.stats.writeErrors, 1);
    assert.deepEqual(fixture.store.variants(entry.key), [old]);
    assert.deepEqual(await bodyOf(fixture.store, old), bodyBytes(100, 1));
    assert.deepEqual(await filesOf(fixture.dir, entry.key), [
      old.bodyFile,
      "default.json",
    ]);
  } finally {
    await fixture.dispose();
  }
}

Deno.test("FileStore commit() returns false when the key's folder is not a folder", async () => {
  const fixture = await fileFixture();
  try {
    const entry = draft("http://e.example/no-folder");
    await Deno.remove(folderOf(fixture.dir, entry.key), { recursive: true });
    await Deno.writeTextFile(folderOf(fixture.dir, entry.key), "in the way");
    const writer = fixture.store.begin(entry);
    await writer.write(bodyBytes(10));
    assert.equal(await writer.commit(10), false);
    assert.equal(fixture.store.stats.writeErrors, 1);
    assert.equal(fixture.store.stats.entries, 0);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore commit() returns false and removes the body when the switch fails", async () => {
  const fixture = await fileFixture();
  try {
    const entry = draft("http://e.example/no-switch");
    const blocker = pathIn(fixture.dir, entry.key, "default.json");
    await Deno.mkdir(blocker, { recursive: true }); // a folder where the metadata goes
    await Deno.writeTextFile(join(blocker, "keep"), "x");
    const writer = fixture.store.begin(entry);
    await writer.write(bodyBytes(10));
    assert.equal(await writer.commit(10), false);
    assert.equal(fixture.store.stats.writeErrors, 1);
    assert.deepEqual(fixture.store.variants(entry.key), []);
    assert.deepEqual(await filesOf(fixture.dir, entry.key), ["default.json"]);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore commit() removes its temp file when the size is wrong", async () => {
  const fixture = await fileFixture();
  try {
    const entry = draft("http://e.example/wrong-size");
    const writer = fixture.store.begin(entry);
    await writer.write(bodyBytes(10));
    assert.equal(await writer.commit(11), false);
    assert.equal(fixture.store.stats.writeErrors, 0);
    assert.deepEqual(await filesOf(fixture.dir, entry.key), []);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore close() finishes a commit under way and aborts open writers", async () => {
  const fixture = await fileFixture();
  try {
    const done = draft("http://e.example/done");
    const open = draft("http://e.example/open");
    const committing = fixture.store.begin(done);
    await committing.write(bodyBytes(5000));
    const stored = committing.commit(5000);
    const abandoned = fixture.store.begin(open);
    await abandoned.write(bodyBytes(5000));
    await fixture.store.close();
    assert.equal(await stored, true);
    assert.equal(await abandoned.commit(5000), false);
    assert.deepEqual(await filesOf(fixture.dir, open.key), []);
    const store = await fixture.reopen();
    assert.deepEqual(
      await bodyOf(store, await only(store, done)),
      bodyBytes(5000),
    );
    assert.deepEqual(store.variants(open.key), []);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore close() makes the next read of an open body throw", async () => {
  const fixture = await fileFixture();
  try {
    const meta = await put(
      fixture.store,
      draft("http://e.example/r"),
      bodyBytes(300_000),
      65536,
    );
    const reader = await fixture.store.openBody(meta);
    assert.ok(reader);
    assert.ok(await reader.read());
    await fixture.store.close();
    await assert.rejects(
      reader.read(),
      /Cannot read cached body: the store was closed/,
    );
    assert.equal(await fixture.store.openBody(meta), undefined);
  } finally {
    await fixture.dispose();
  }
});
