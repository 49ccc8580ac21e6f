/**
 * Owns the tests of how the file store reads and rewrites a sidecar that
 * holds an inline body: metadata reads (start-up sweep, lookup, eviction)
 * read its JSON, not its body; openBody reads it once; an inline body over
 * INLINE_BODY_MAX_BYTES is corrupt; a failed re-file restores the
 * displaced sidecar whole; README's On disk text describes that layout.
 *
 * Must not test what file_store_inline_test.ts covers.
 */

import assert from "../helpers/assert.ts";
import fs from "node:fs";
import { isInline } from "../../cache/file_layout.ts";
import { variantId } from "../../cache/key.ts";
import { INLINE_BODY_MAX_BYTES } from "../../cache/limits.ts";
import { FileStore } from "../../cache/file_store.ts";
import { fileFixture, filesOf, pathIn } from "./file_fixture.ts";
import { bodyBytes, bodyOf, draft, only, put } from "./store_helpers.ts";

const KEY = "http://inline-sidecar.example/entry";
const INLINE = { inlineMaxBytes: INLINE_BODY_MAX_BYTES, memoryBytes: 0 };
const OLD: [string, string | null][] = [["accept-encoding", "gzip"]];
const NEW: [string, string | null][] = [["accept-encoding", "br"]];

/**
 * Runs `work` while counting the files opened for reading whose path
 * contains `part` (Deno.openSync, Deno.readFileSync, and node:fs
 * openSync, which file_sidecar.ts uses) and the bytes read from them.
 */
async function countingReads<T>(
  part: string,
  work: () => Promise<T>,
): Promise<{ result: T; calls: number; bytes: number }> {
  const readFile = Deno.readFileSync;
  const openFile = Deno.openSync;
  const nodeOpen = fs.openSync;
  const nodeRead = fs.readSync;
  const counted = new Set<number>();
  let calls = 0;
  let bytes = 0;
  Deno.readFileSync = (path: string | URL) => {
    const read = readFile(path);
    if (String(path).includes(part)) {
      calls++;
      bytes += read.length;
    }
    return read;
  };
  Deno.openSync = (path: string | URL, options?: Deno.OpenOptions) => {
    const file = openFile(path, options);
    if (!String(path).includes(part)) return file;
    calls++;
    const readSync = file.readSync.bind(file);
    file.readSync = (into: Uint8Array) => {
      const read = readSync(into);
      bytes += read ?? 0;
      return read;
    };
    return file;
  };
  fs.openSync = ((path: string, ...rest: unknown[]) => {
    const fd = (nodeOpen as (...args: unknown[]) => number)(path, ...rest);
    if (String(path).includes(part)) {
      calls++;
      counted.add(fd);
    } else counted.delete(fd);
    return fd;
  }) as typeof fs.openSync;
  fs.readSync = ((fd: number, ...rest: unknown[]) => {
    const read = (nodeRead as (...args: unknown[]) => number)(fd, ...rest);
    if (counted.has(fd)) bytes += read;
    return read;
  }) as typeof fs.readSync;
  try {
    const result = await work();
    return { result, calls, bytes };
  } finally {
    Deno.readFileSync = readFile;
    Deno.openSync = openFile;
    fs.openSync = nodeOpen;
    fs.readSync = nodeRead;
  }
}

Deno.test("FileStore.rekey() keeps the displaced entry of the new variant whole when the moved body's rename fails and its body is inside its sidecar", async () => {
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
      await bodyOf(fixture.store, await only(fixture.store, there)),
      bodyBytes(500, 2),
    );
    const store = await fixture.reopen();
    assert.deepEqual(
      await bodyOf(store, await only(store, there)),
      bodyBytes(500, 2),
    );
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.open() removes a sidecar that holds an inline body longer than INLINE_BODY_MAX_BYTES", async () => {
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

Deno.test("FileStore.openBody() reads an inline body from disk once, and the lookup before it only the JSON, when the entry is not in the metadata cache", async () => {
  const fixture = await fileFixture(INLINE);
  try {
    await put(fixture.store, draft(KEY), bodyBytes(INLINE_BODY_MAX_BYTES, 5));
    const store = await fixture.reopen(); // the sweep does not fill the metadata cache
    const { result, calls, bytes } = await countingReads(
      `${variantId([])}.json`,
      async () => await bodyOf(store, await only(store, draft(KEY))),
    );
    assert.deepEqual(result, bodyBytes(INLINE_BODY_MAX_BYTES, 5));
    const size = (await Deno.stat(pathIn(fixture.dir, KEY, "default.json")))
      .size;
    assert.ok(calls >= 1, "the sidecar was not read");
    assert.ok(
      bytes <= size + 4096,
      `${calls} reads took ${bytes} bytes of a ${size}-byte sidecar for one lookup and its body`,
    );
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.open() start-up sweep reads metadata, not the inline bodies, of 16 entries of 64 KiB", async () => {
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
    const { result: store, calls, bytes } = await countingReads(
      ".json",
      async () => {
        const store = await FileStore.open(fixture.dir, {
          sizeBytes: 1 << 24,
          memoryBytes: 0,
        });
        fixture.store = store;
        await store.indexed;
        return store;
      },
    );
    assert.equal(store.stats.entries, 16, "the sweep did not index them all");
    assert.ok(calls >= 16, `the sweep read ${calls} sidecars`);
    assert.ok(
      bytes <= 16 * 4096,
      `the sweep read ${bytes} bytes of 16 sidecars (the bodies stored in them)`,
    );
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore lookup reads the JSON of an inline entry in growing steps, not its body, when its metadata is longer than 4 KiB", async () => {
  const fixture = await fileFixture(INLINE);
  try {
    const long = draft(KEY);
    long.headers = [...long.headers, ["X-Long", "y".repeat(20_000)]];
    await put(fixture.store, long, bodyBytes(INLINE_BODY_MAX_BYTES, 7));
    const file = await Deno.readFile(pathIn(fixture.dir, KEY, "default.json"));
    const json = file.indexOf(0x0a);
    assert.ok(
      json > 20_000 && file.length === json + 1 + INLINE_BODY_MAX_BYTES,
    );
    const store = await fixture.reopen(); // the sweep does not fill the metadata cache
    const { result, bytes } = await countingReads(
      `${variantId([])}.json`,
      async () => await Promise.resolve(await only(store, long)),
    );
    assert.equal(result.headers.at(-1)?.[1]?.length, 20_000);
    assert.ok(
      bytes <= 2 * json + 4096,
      `the lookup read ${bytes} bytes of a sidecar whose JSON is ${json} bytes`,
    );
    assert.deepEqual(
      await bodyOf(store, result),
      bodyBytes(INLINE_BODY_MAX_BYTES, 7),
    );
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore eviction of an inline entry not in the metadata cache reads its metadata, not its body", async () => {
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

Deno.test("README's On disk paragraph does not say a 1 KiB entry takes two blocks nor that the sweep never reads bodies when the default store keeps a 1 KiB body inside its sidecar", async () => {
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
