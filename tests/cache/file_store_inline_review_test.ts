/**
 * Owns the review tests of bodies kept inside their sidecar (branch
 * review-inline, notes/review-inline.md): each one fails on the prototype
 * for the finding it names.
 *
 * Must not test what file_store_inline_test.ts covers.
 */

import assert from "../helpers/assert.ts";
import { isInline } from "../../cache/file_layout.ts";
import { variantId } from "../../cache/key.ts";
import { INLINE_BODY_MAX_BYTES } from "../../cache/limits.ts";
import { FileStore } from "../../cache/file_store.ts";
import { fileFixture, filesOf, pathIn } from "./file_fixture.ts";
import { bodyBytes, bodyOf, draft, only, put } from "./store_helpers.ts";

const KEY = "http://inline-review.example/entry";
const INLINE = { inlineMaxBytes: INLINE_BODY_MAX_BYTES, memoryBytes: 0 };
const OLD: [string, string | null][] = [["accept-encoding", "gzip"]];
const NEW: [string, string | null][] = [["accept-encoding", "br"]];

/** Runs `work` while counting the calls and bytes of Deno.readFileSync on paths containing `part`. */
async function countingReads<T>(
  part: string,
  work: () => Promise<T>,
): Promise<{ result: T; calls: number; bytes: number }> {
  const original = Deno.readFileSync;
  let calls = 0;
  let bytes = 0;
  Deno.readFileSync = (path: string | URL) => {
    const read = original(path);
    if (String(path).includes(part)) {
      calls++;
      bytes += read.length;
    }
    return read;
  };
  try {
    const result = await work();
    return { result, calls, bytes };
  } finally {
    Deno.readFileSync = original;
  }
}

Deno.test("FileStore.rekey() keeps the displaced entry of the new variant whole when the moved body's rename fails and its body is inside its sidecar (inline-review)", async () => {
  const fixture = await fileFixture(INLINE);
  try {
    const moved = await put(
      fixture.store,
      draft(KEY, OLD),
      bodyBytes(INLINE_BODY_MAX_BYTES + 1, 1),
    );
    const there = await put(fixture.store, draft(KEY, NEW), bodyBytes(500, 2));
    assert.ok(!isInline(moved.bodyFile) && isInline(there.bodyFile));
    await Deno.remove(pathIn(fixture.dir, KEY, moved.bodyFile)); // step 3 (the rename) fails
    const next = await fixture.store.rekey(moved, {
      ...moved,
      vary: NEW,
      freshUntil: 9_000,
    });
    assert.equal(next, undefined, "the re-key should have failed");
    // restore() rewrote the new variant's sidecar for `there`: it must still hold its body
    assert.deepEqual(
      await bodyOf(fixture.store, only(fixture.store, there)),
      bodyBytes(500, 2),
    );
    const store = await fixture.reopen();
    assert.deepEqual(
      await bodyOf(store, only(store, there)),
      bodyBytes(500, 2),
    );
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.open() removes a sidecar that holds an inline body longer than INLINE_BODY_MAX_BYTES (inline-review)", async () => {
  const fixture = await fileFixture(INLINE);
  try {
    const stored = await put(fixture.store, draft(KEY), bodyBytes(1000, 3));
    assert.ok(isInline(stored.bodyFile));
    const size = INLINE_BODY_MAX_BYTES * 4; // self-consistent, but no writer makes it
    const json = JSON.stringify({ ...stored, bodySize: size });
    const forged = new Uint8Array(json.length + 1 + size);
    forged.set(new TextEncoder().encode(json));
    forged[json.length] = 0x0a;
    forged.set(bodyBytes(size, 4), json.length + 1);
    await fixture.store.close();
    await Deno.writeFile(pathIn(fixture.dir, KEY, "default.json"), forged);
    const store = await fixture.reopen();
    assert.deepEqual(
      store.variants(KEY),
      [],
      "an inline body over the bound was accepted",
    );
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.openBody() reads an inline entry's sidecar once for a lookup not in the metadata cache (inline-review)", async () => {
  const fixture = await fileFixture(INLINE);
  try {
    await put(fixture.store, draft(KEY), bodyBytes(INLINE_BODY_MAX_BYTES, 5));
    const store = await fixture.reopen(); // the sweep does not fill the metadata cache
    const { result, calls, bytes } = await countingReads(
      `${variantId([])}.json`,
      async () => await bodyOf(store, only(store, draft(KEY))),
    );
    assert.deepEqual(result, bodyBytes(INLINE_BODY_MAX_BYTES, 5));
    assert.equal(
      calls,
      1,
      `the sidecar was read ${calls} times (${bytes} bytes) for one lookup`,
    );
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.open() start-up sweep reads metadata, not the inline bodies, of 16 entries of 64 KiB (inline-review)", async () => {
  const fixture = await fileFixture(INLINE);
  try {
    for (let i = 0; i < 16; i++) {
      await put(
        fixture.store,
        draft(`${KEY}/${i}`),
        bodyBytes(INLINE_BODY_MAX_BYTES, i),
      );
    }
    await fixture.store.close();
    const { calls, bytes } = await countingReads(".json", async () => {
      const store = await FileStore.open(fixture.dir, {
        sizeBytes: 1 << 24,
        memoryBytes: 0,
      });
      await store.indexed;
      fixture.store = store;
      return store.variants(`${KEY}/0`).length;
    });
    assert.ok(calls >= 16, `the sweep read ${calls} sidecars`);
    assert.ok(
      bytes <= 16 * 4096,
      `the sweep read ${bytes} bytes of 16 sidecars (the bodies stored in them)`,
    );
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore eviction of an inline entry not in the metadata cache reads its metadata, not its body (inline-review)", async () => {
  const cost = 69_632 + 64; // one 65 KiB-ish sidecar in 4 KiB blocks and its name
  const fixture = await fileFixture({
    ...INLINE,
    sizeBytes: 16 * cost + 1000,
  });
  try {
    for (let i = 0; i < 16; i++) {
      await put(
        fixture.store,
        draft(`${KEY}/${i}`),
        bodyBytes(INLINE_BODY_MAX_BYTES, i),
      );
    }
    const store = await fixture.reopen(); // the sweep does not fill the metadata cache
    assert.equal(store.stats.evictions, 0, "the cap does not hold 16 entries");
    const { calls, bytes } = await countingReads(".json", async () => {
      await put(
        store,
        draft(`${KEY}/new`),
        bodyBytes(INLINE_BODY_MAX_BYTES, 99),
      );
    });
    assert.equal(store.stats.evictions, 1);
    assert.ok(calls >= 1, "no sidecar was read to evict");
    assert.ok(
      bytes <= 4096,
      `evicting one entry read ${bytes} bytes of its sidecar (its body)`,
    );
  } finally {
    await fixture.dispose();
  }
});

Deno.test("README's On disk paragraph describes the default layout when a 1 KiB body lives inside its sidecar (inline-review)", async () => {
  const fixture = await fileFixture({ inlineMaxBytes: undefined }); // the proxy's default
  try {
    await put(fixture.store, draft(KEY), bodyBytes(1024, 6));
    const files = await filesOf(fixture.dir, KEY);
    assert.deepEqual(
      files,
      ["default.json"],
      "the default store is not inline",
    );
    const readme = await Deno.readTextFile(
      new URL("../../README.md", import.meta.url),
    );
    for (
      const stale of [
        "A 1\nKiB entry thus takes two 4 KiB blocks",
        "bodies are stat'ed, not read",
      ]
    ) {
      assert.ok(
        !readme.replaceAll("\n", " ").includes(stale.replaceAll("\n", " ")),
        `README still says "${stale}"`,
      );
    }
  } finally {
    await fixture.dispose();
  }
});
