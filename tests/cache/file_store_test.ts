import assert from "../helpers/assert.ts";
import { join } from "node:path";
import { FileStore } from "../../cache/file_store.ts";
import { metaName } from "../../cache/file_layout.ts";
import { INLINE_BODY_MAX_BYTES } from "../../cache/limits.ts";
import { variantId } from "../../cache/key.ts";
import { countingIds, fileFixture, filesOf, pathIn } from "./file_fixture.ts";
import {
  bodyBytes,
  bodyOf,
  draft,
  only,
  put,
  readAll,
} from "./store_helpers.ts";
import { storeContract } from "./store_contract.ts";

for (
  const [name, inlineMaxBytes] of [
    ["FileStore", INLINE_BODY_MAX_BYTES],
    ["FileStore (a file per body)", -1],
  ] as const
) {
  storeContract(name, async (sizeBytes) => {
    const fixture = await fileFixture({
      sizeBytes,
      memoryBytes: 1 << 20,
      accounting: "body", // the contract's unit; disk accounting has tests of its own
      inlineMaxBytes,
    });
    return {
      store: fixture.store,
      dispose: () => fixture.dispose(),
      faults: {
        async failSwitch(entry) {
          const meta = pathIn(
            fixture.dir,
            entry.key,
            metaName(variantId(entry.vary)),
          );
          await Deno.mkdir(join(meta, "in-the-way"), { recursive: true }); // a folder where the metadata goes
        },
      },
    };
  }, { faults: true });
}

Deno.test("FileStore.open() throws when a size option is not a byte count", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      FileStore.open(dir, { sizeBytes: -5, memoryBytes: 0 }),
      /Cannot open store: sizeBytes/,
    );
    await assert.rejects(
      FileStore.open(dir, { sizeBytes: 10, memoryBytes: 1.5 }),
      /Cannot open store: memoryBytes/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileStore.open() serves what an earlier store committed", async () => {
  const fixture = await fileFixture();
  try {
    const big = await put(
      fixture.store,
      draft("http://f.example/big"),
      bodyBytes(400_000, 1),
    );
    const gzip = draft("http://f.example/v", [["accept-encoding", "gzip"]]);
    const plain = draft("http://f.example/v", [["accept-encoding", null]]);
    const a = await put(fixture.store, gzip, bodyBytes(10, 2));
    const b = await put(fixture.store, plain, bodyBytes(20, 3));
    const bytes = fixture.store.stats.bytes;
    const store = await fixture.reopen();
    assert.deepEqual(store.variants(big.key), [big]);
    assert.deepEqual(new Set(store.variants(gzip.key)), new Set([a, b]));
    assert.deepEqual(await bodyOf(store, big), bodyBytes(400_000, 1));
    assert.deepEqual(
      await bodyOf(store, await only(store, plain)),
      bodyBytes(20, 3),
    );
    assert.deepEqual(store.stats, {
      entries: 3,
      bytes, // what the three cost on disk, as before the restart
      evictions: 0,
      corruptRemoved: 0,
      writeErrors: 0,
      memoryHits: 0,
    });
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.open() rebuilds the index without reading bodies", async () => {
  const fixture = await fileFixture({
    sizeBytes: 2 ** 41,
    newWriteId: countingIds(),
  });
  try {
    const meta = await put(
      fixture.store,
      draft("http://f.example/sparse"),
      bodyBytes(8),
    );
    await fixture.store.close();
    const huge = 2 ** 40; // a 1 TiB sparse file: reading it at start-up would never finish
    await Deno.truncate(pathIn(fixture.dir, meta.key, meta.bodyFile), huge);
    const json = pathIn(fixture.dir, meta.key, "default.json");
    await Deno.writeTextFile(json, JSON.stringify({ ...meta, bodySize: huge }));
    const store = await fixture.reopen();
    const found = await only(store, meta);
    assert.equal(found.bodySize, huge);
    const reader = await store.openBody(found, {
      start: huge - 4,
      end: huge - 1,
    });
    assert.ok(reader);
    assert.deepEqual(await readAll(reader), new Uint8Array(4));
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.updateMeta() survives a restart", async () => {
  const fixture = await fileFixture();
  try {
    const meta = await put(
      fixture.store,
      draft("http://f.example/u"),
      bodyBytes(64),
    );
    await fixture.store.updateMeta({ ...meta, freshUntil: 77_000 });
    const store = await fixture.reopen();
    assert.equal((await only(store, meta)).freshUntil, 77_000);
    assert.deepEqual(
      await bodyOf(store, await only(store, meta)),
      bodyBytes(64),
    );
    assert.deepEqual(await filesOf(fixture.dir, meta.key), [
      meta.bodyFile,
      "default.json",
    ]);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.open() evicts by metadata file time when the cap shrank", async () => {
  const fixture = await fileFixture({ accounting: "body" });
  try {
    const keys = [
      "http://f.example/1",
      "http://f.example/2",
      "http://f.example/3",
    ];
    for (const key of keys) {
      await put(fixture.store, draft(key), bodyBytes(100));
    }
    const times = [3_000_000, 1_000_000, 2_000_000]; // seconds: 2 is the oldest, then 3
    for (const [i, key] of keys.entries()) {
      await Deno.utime(
        pathIn(fixture.dir, key, "default.json"),
        times[i]!,
        times[i]!,
      );
    }
    const store = await fixture.reopen({ sizeBytes: 150 });
    assert.deepEqual(keys.map((key) => store.variants(key).length), [1, 0, 0]);
    assert.equal(store.stats.evictions, 2);
    assert.deepEqual(await filesOf(fixture.dir, keys[1]!), []);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.memoryBody() fills on the first read after a restart, small bodies only", async () => {
  const fixture = await fileFixture({
    memoryBytes: 1000,
    memoryMaxObject: 600,
  });
  try {
    const small = await put(
      fixture.store,
      draft("http://f.example/s"),
      bodyBytes(500, 1),
    );
    const large = await put(
      fixture.store,
      draft("http://f.example/l"),
      bodyBytes(700, 2),
    );
    assert.deepEqual(fixture.store.memoryBody(small), bodyBytes(500, 1));
    assert.equal(fixture.store.memoryBody(large), undefined);
    const store = await fixture.reopen();
    assert.equal(store.memoryBody(small), undefined);
    assert.deepEqual(await bodyOf(store, small), bodyBytes(500, 1));
    assert.deepEqual(store.memoryBody(small), bodyBytes(500, 1));
    assert.equal(store.stats.memoryHits, 1);
    await bodyOf(store, large);
    assert.equal(store.memoryBody(large), undefined);
    const other = await put(
      store,
      draft("http://f.example/o"),
      bodyBytes(550, 3),
    );
    assert.equal(
      store.memoryBody(small),
      undefined,
      "tier kept more than memoryBytes",
    );
    assert.deepEqual(store.memoryBody(other), bodyBytes(550, 3));
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.openBody() reader keeps its bytes while the entry is replaced", async () => {
  const fixture = await fileFixture();
  try {
    const entry = draft("http://f.example/replace-while-reading");
    const old = await put(fixture.store, entry, bodyBytes(600_000, 1), 65536);
    const reader = await fixture.store.openBody(old);
    assert.ok(reader);
    const first = await reader.read();
    assert.ok(first);
    const fresh = await put(fixture.store, entry, bodyBytes(300_000, 2), 65536);
    assert.equal(await fixture.store.openBody(old), undefined);
    const whole = new Uint8Array(600_000);
    whole.set(first);
    let at = first.length;
    for (let chunk = await reader.read(); chunk; chunk = await reader.read()) {
      whole.set(chunk, at);
      at += chunk.length;
    }
    assert.equal(at, 600_000);
    assert.deepEqual(whole, bodyBytes(600_000, 1));
    assert.deepEqual(await bodyOf(fixture.store, fresh), bodyBytes(300_000, 2));
    assert.deepEqual(await filesOf(fixture.dir, entry.key), [
      fresh.bodyFile,
      "default.json",
    ]);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.openBody() removes the entry when its body is missing or short", async () => {
  const fixture = await fileFixture({ memoryBytes: 0 });
  try {
    const gone = await put(
      fixture.store,
      draft("http://f.example/gone"),
      bodyBytes(50),
    );
    const short = await put(
      fixture.store,
      draft("http://f.example/short"),
      bodyBytes(50),
    );
    await Deno.remove(pathIn(fixture.dir, gone.key, gone.bodyFile));
    await Deno.truncate(pathIn(fixture.dir, short.key, short.bodyFile), 49);
    assert.equal(await fixture.store.openBody(gone), undefined);
    assert.equal(await fixture.store.openBody(short), undefined);
    assert.equal(fixture.store.stats.corruptRemoved, 2);
    assert.equal(fixture.store.stats.entries, 0);
    assert.deepEqual(await filesOf(fixture.dir, gone.key), []);
    assert.deepEqual(await filesOf(fixture.dir, short.key), []);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore.openBody() reader throws when the file shrinks mid-read", async () => {
  const fixture = await fileFixture();
  try {
    const meta = await put(
      fixture.store,
      draft("http://f.example/shrink"),
      bodyBytes(500_000),
      65536,
    );
    const reader = await fixture.store.openBody(meta);
    assert.ok(reader);
    assert.ok(await reader.read());
    await Deno.truncate(pathIn(fixture.dir, meta.key, meta.bodyFile), 200_000);
    await assert.rejects(async () => {
      while (await reader.read()); // never a quiet end
    }, /Cannot read cached body: the file ended \d+ bytes short/);
    await fixture.store.close(); // waits for the removal
    assert.equal(fixture.store.stats.corruptRemoved, 1);
    assert.deepEqual(fixture.store.variants(meta.key), []);
  } finally {
    await fixture.dispose();
  }
});
