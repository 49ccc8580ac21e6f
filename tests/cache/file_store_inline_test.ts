/**
 * Owns the tests of bodies kept inside their sidecar (up to
 * INLINE_BODY_MAX_BYTES, file_layout.ts): one file per entry, read back
 * after a restart, carried along by updates and re-files, a torn one
 * removed at start-up, and what it costs against the cap.
 *
 * Must not test the crash steps of a commit (file_store_crash_test.ts).
 */

import assert from "../helpers/assert.ts";
import { isInline, keyHash } from "../../cache/file_layout.ts";
import { variantId } from "../../cache/key.ts";
import { INLINE_BODY_MAX_BYTES } from "../../cache/limits.ts";
import { fileFixture, filesOf, folderOf, pathIn } from "./file_fixture.ts";
import {
  bodyBytes,
  bodyOf,
  draft,
  only,
  put,
  readAll,
  writeAll,
} from "./store_helpers.ts";
import { join } from "node:path";

const KEY = "http://inline.example/entry";
const INLINE = { inlineMaxBytes: INLINE_BODY_MAX_BYTES, memoryBytes: 0 };

Deno.test("FileStore commit() keeps a body up to INLINE_BODY_MAX_BYTES inside its sidecar, found whole after a restart", async () => {
  const fixture = await fileFixture(INLINE);
  try {
    const small = await put(fixture.store, draft(KEY), bodyBytes(1024, 1));
    const edge = await put(
      fixture.store,
      draft(`${KEY}/edge`),
      bodyBytes(INLINE_BODY_MAX_BYTES, 2),
    );
    const big = await put(
      fixture.store,
      draft(`${KEY}/big`),
      bodyBytes(INLINE_BODY_MAX_BYTES + 1, 3),
    );
    assert.ok(isInline(small.bodyFile) && isInline(edge.bodyFile));
    assert.ok(!isInline(big.bodyFile));
    assert.deepEqual(await filesOf(fixture.dir, KEY), ["default.json"]);
    assert.deepEqual(
      await filesOf(fixture.dir, `${KEY}/big`),
      [
        big.bodyFile,
        "default.json",
      ].sort(),
    );
    const store = await fixture.reopen();
    assert.deepEqual(
      await bodyOf(store, await only(store, small)),
      bodyBytes(1024, 1),
    );
    assert.deepEqual(
      await bodyOf(store, await only(store, edge)),
      bodyBytes(INLINE_BODY_MAX_BYTES, 2),
    );
    assert.equal(store.stats.corruptRemoved, 0);
    assert.equal(store.startupCleanup.orphanBodies, 0);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore openBody() reads a range of an inline body", async () => {
  const fixture = await fileFixture(INLINE);
  try {
    const meta = await put(fixture.store, draft(KEY), bodyBytes(1000, 4));
    const reader = await fixture.store.openBody(meta, { start: 10, end: 19 });
    assert.ok(reader);
    assert.deepEqual(
      await readAll(reader),
      bodyBytes(1000, 4).subarray(10, 20),
    );
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.updateMeta() of an inline entry carries its body into the new sidecar", async () => {
  const fixture = await fileFixture(INLINE);
  try {
    const meta = await put(fixture.store, draft(KEY), bodyBytes(2000, 5));
    await fixture.store.updateMeta({ ...meta, freshUntil: 77_000 });
    const store = await fixture.reopen();
    assert.equal((await only(store, meta)).freshUntil, 77_000);
    assert.deepEqual(
      await bodyOf(store, await only(store, meta)),
      bodyBytes(2000, 5),
    );
    assert.deepEqual(await filesOf(fixture.dir, KEY), ["default.json"]);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.rekey() of an inline entry moves its body into the new variant's sidecar", async () => {
  const OLD: [string, string | null][] = [["accept-encoding", "gzip"]];
  const NEW: [string, string | null][] = [["accept-encoding", "br"]];
  const fixture = await fileFixture(INLINE);
  try {
    const moved = await put(fixture.store, draft(KEY, OLD), bodyBytes(300, 6));
    await put(fixture.store, draft(KEY, NEW), bodyBytes(10, 7));
    const next = await fixture.store.rekey(moved, {
      ...moved,
      vary: NEW,
      freshUntil: 9_000,
    });
    assert.ok(next && isInline(next.bodyFile));
    const store = await fixture.reopen();
    assert.deepEqual(store.variants(KEY), [next]);
    assert.deepEqual(await bodyOf(store, next), bodyBytes(300, 6));
    assert.deepEqual(await filesOf(fixture.dir, KEY), [
      `${variantId(NEW)}.json`,
    ]);
  } finally {
    await fixture.dispose();
  }
});

for (const cut of [1, 1001]) {
  Deno.test(`FileStore.open() removes and counts a sidecar whose inline body is ${cut} bytes short`, async () => {
    const fixture = await fileFixture(INLINE);
    try {
      const meta = await put(fixture.store, draft(KEY), bodyBytes(1000, 8));
      const path = pathIn(fixture.dir, KEY, "default.json");
      await Deno.truncate(path, Deno.statSync(path).size - cut);
      const store = await fixture.reopen();
      assert.deepEqual(store.variants(KEY), []);
      assert.equal(store.stats.corruptRemoved, 1);
      assert.equal(await store.openBody(meta), undefined);
      assert.deepEqual(await filesOf(fixture.dir, KEY), []);
    } finally {
      await fixture.dispose();
    }
  });
}

Deno.test("FileStore counts an inline entry of 1 KiB as one block and its name against the cap", async () => {
  const perEntry = 4096 + 64;
  const fixture = await fileFixture({
    ...INLINE,
    sizeBytes: Math.floor(2.5 * perEntry),
  });
  try {
    const keys = ["a", "b", "c"].map((name) => `${KEY}/${name}`);
    for (const key of keys) {
      await put(fixture.store, draft(key), bodyBytes(1024));
    }
    assert.equal(fixture.store.stats.evictions, 1);
    assert.equal(fixture.store.stats.entries, 2);
    assert.equal(fixture.store.stats.bytes, 2 * perEntry);
    let used = 0;
    const folder = folderOf(fixture.dir, keys[1]!);
    for (const item of Deno.readDirSync(folder)) {
      if (!item.name.startsWith(keyHash(keys[1]!))) continue;
      used += (Deno.statSync(join(folder, item.name)).blocks ?? 0) * 512;
    }
    assert.ok(used > 0 && used <= perEntry, `${used} B used on disk`);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore follow() of a write kept inside its sidecar reads the whole body, before and after the commit", async () => {
  const fixture = await fileFixture(INLINE);
  try {
    const body = bodyBytes(5000, 9);
    const writer = fixture.store.begin(draft(KEY));
    await writeAll(writer, body.subarray(0, 3000));
    const early = readAll(writer.follow(5000));
    await writeAll(writer, body.subarray(3000));
    assert.equal(await writer.commit(5000), true);
    const late = readAll(writer.follow(5000));
    assert.deepEqual(await early, body);
    assert.deepEqual(await late, body);
    assert.deepEqual(await filesOf(fixture.dir, KEY), ["default.json"]);
  } finally {
    await fixture.dispose();
  }
});
