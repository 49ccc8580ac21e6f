import assert from "../helpers/assert.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import type { EntryDraft } from "../../cache/store.ts";
import type { FileStore } from "../../cache/file_store.ts";
import { Prng } from "../helpers/prng.ts";
import { fileFixture, filesOf } from "./file_fixture.ts";
import { bodyBytes, draft, only, put, readAll } from "./store_helpers.ts";

const KEYS = [
  "http://race.example/a",
  "http://race.example/b",
  "http://race.example/c",
];
const VARIANTS: [string, string | null][][] = [[["accept", "x"]], [[
  "accept",
  null,
]]];

function seedOf(meta: EntryMeta): number {
  return Number(meta.headers.find(([name]) => name === "X-Seed")?.[1]);
}

async function checkBody(
  store: FileStore,
  meta: EntryMeta,
  mustExist: boolean,
): Promise<void> {
  const reader = await store.openBody(meta);
  if (!reader && !mustExist) return; // replaced or removed meanwhile: a miss, never wrong bytes
  assert.ok(reader, "a stored entry lost its body");
  assert.deepEqual(
    await readAll(reader),
    bodyBytes(meta.bodySize, seedOf(meta)),
  );
}

/** Draws every choice before the first await, so a seed replays the same operations. */
function randomOperation(
  store: FileStore,
  prng: Prng,
  seed: number,
): Promise<void> {
  const key = prng.pick(KEYS);
  const vary = prng.pick(VARIANTS);
  const kind = prng.int(8);
  const size = prng.int(4) === 0 ? 0 : prng.int(150_000);
  const abort = prng.int(5) === 0;
  const claimed = prng.int(8) === 0 ? size + 1 : size;
  const byKey = prng.int(2) === 0;
  const stored = store.variants(key);
  switch (kind) {
    case 0:
    case 1:
    case 2:
    case 3:
      return write(store, {
        ...draft(key, vary),
        headers: [["X-Seed", String(seed)]],
      }, {
        body: bodyBytes(size, seed),
        abort,
        claimed,
      });
    case 4:
      return stored[0]
        ? store.remove(byKey ? key : stored[0])
        : Promise.resolve();
    case 5:
      return stored[0]
        ? store.updateMeta({ ...stored[0], freshUntil: seed })
        : Promise.resolve();
    default:
      return Promise.all(stored.map((meta) => checkBody(store, meta, false)))
        .then(() => {});
  }
}

async function write(
  store: FileStore,
  entry: EntryDraft,
  plan: { body: Uint8Array; abort: boolean; claimed: number },
): Promise<void> {
  const writer = store.begin(entry);
  for (let at = 0; at < plan.body.length; at += 40_000) {
    await writer.write(plan.body.subarray(at, at + 40_000));
  }
  if (plan.abort) await writer.abort();
  else await writer.commit(plan.claimed);
}

Deno.test("FileStore keeps whole entries under concurrent writes, reads and removals", async () => {
  const fixture = await fileFixture({
    sizeBytes: 250_000,
    memoryBytes: 100_000,
    accounting: "body", // bytes checked against the body sizes
  });
  try {
    const prng = new Prng(20240607);
    let seed = 1;
    for (let round = 0; round < 40; round++) {
      const batch = Array.from(
        { length: 8 },
        () => randomOperation(fixture.store, prng, seed++),
      );
      await Promise.all(batch);
    }
    const before = KEYS.flatMap((key) => fixture.store.variants(key));
    assert.equal(fixture.store.stats.entries, before.length);
    assert.equal(
      fixture.store.stats.bytes,
      before.reduce((sum, m) => sum + m.bodySize, 0),
    );
    assert.ok(fixture.store.stats.bytes <= 250_000);
    const store = await fixture.reopen();
    assert.deepEqual(store.startupCleanup, {
      tempFiles: 0,
      orphanBodies: 0,
      oldFolders: 0,
    });
    assert.equal(store.stats.corruptRemoved, 0);
    const after = KEYS.flatMap((key) => store.variants(key));
    assert.deepEqual(new Set(after), new Set(before));
    for (const meta of after) await checkBody(store, meta, true);
    for (const key of KEYS) {
      const expected = store.variants(key).flatMap((
        m,
      ) => [m.bodyFile, `${m.bodyFile.split("-")[0]}.json`]);
      assert.deepEqual(await filesOf(fixture.dir, key), expected.sort());
    }
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore remove() of the old version during a commit keeps the new one whole", async () => {
  const fixture = await fileFixture();
  try {
    const entry = draft("http://race.example/switch");
    await put(fixture.store, entry, bodyBytes(100, 1));
    const old = fixture.store.variants(entry.key)[0]!;
    const writer = fixture.store.begin(draft(entry.key, [], 5_000));
    await writer.write(bodyBytes(200, 2));
    const committing = writer.commit(200); // takes the variant's turn first
    const removing = fixture.store.remove(old); // its file removal waits for that turn
    assert.equal(await committing, true);
    await removing;
    const fresh = await only(fixture.store, entry);
    assert.equal(fresh.freshUntil, 5_000);
    const store = await fixture.reopen();
    assert.deepEqual(store.startupCleanup, {
      tempFiles: 0,
      orphanBodies: 0,
      oldFolders: 0,
    });
    assert.deepEqual(await only(store, entry), fresh);
    assert.deepEqual(
      await readAll((await store.openBody(fresh))!),
      bodyBytes(200, 2),
    );
  } finally {
    await fixture.dispose();
  }
});

/** A write whose follower must read exactly the body when it is stored, and throw when it is not. */
async function followedWrite(
  store: FileStore,
  entry: EntryDraft,
  plan: { body: Uint8Array; abort: boolean; claimed: number },
): Promise<void> {
  const writer = store.begin(entry);
  const reading = readAll(writer.follow(plan.body.length)).catch((
    error: Error,
  ) => error);
  for (let at = 0; at < plan.body.length; at += 256_000) {
    await writer.write(plan.body.subarray(at, at + 256_000));
  }
  let stored = false;
  if (plan.abort) await writer.abort();
  else stored = await writer.commit(plan.claimed);
  const got = await reading;
  if (stored) assert.deepEqual(got, plan.body, "a follower read other bytes");
  else assert.ok(got instanceof Error, "a follower read a body never stored");
}

/** Draws every choice before the first await, so a seed replays the same operations. */
function randomFollowOperation(
  store: FileStore,
  prng: Prng,
  seed: number,
): Promise<void> {
  const key = prng.pick(KEYS);
  const vary = prng.pick(VARIANTS);
  const kind = prng.int(8);
  const size = prng.int(2) === 0
    ? 1_100_000 + prng.int(700_000) // streamed to a temp file
    : prng.int(150_000);
  const abort = prng.int(5) === 0;
  const claimed = prng.int(8) === 0 ? size + 1 : size;
  const stored = store.variants(key);
  const other = stored[0] &&
    VARIANTS.find((v) => JSON.stringify(v) !== JSON.stringify(stored[0]!.vary));
  switch (kind) {
    case 0:
    case 1:
    case 2:
      return followedWrite(store, {
        ...draft(key, vary),
        headers: [["X-Seed", String(seed)]],
      }, { body: bodyBytes(size, seed), abort, claimed });
    case 3:
    case 4:
      return stored[0] && other
        ? store.rekey(stored[0], { ...stored[0], vary: other }).then(() => {})
        : Promise.resolve();
    case 5:
      return stored[0] ? store.remove(stored[0]) : Promise.resolve();
    default:
      return Promise.all(stored.map((meta) => checkBody(store, meta, false)))
        .then(() => {});
  }
}

Deno.test("FileStore keeps whole entries under concurrent followed writes, re-keys and removals", async () => {
  const fixture = await fileFixture({
    sizeBytes: 3_500_000,
    memoryBytes: 100_000,
    accounting: "body", // bytes checked against the body sizes
  });
  try {
    const prng = new Prng(20250112);
    let seed = 1;
    for (let round = 0; round < 30; round++) {
      await Promise.all(
        Array.from(
          { length: 6 },
          () => randomFollowOperation(fixture.store, prng, seed++),
        ),
      );
    }
    const before = KEYS.flatMap((key) => fixture.store.variants(key));
    assert.equal(
      fixture.store.stats.bytes,
      before.reduce((sum, m) => sum + m.bodySize, 0),
    );
    const store = await fixture.reopen();
    assert.deepEqual(store.startupCleanup, {
      tempFiles: 0,
      orphanBodies: 0,
      oldFolders: 0,
    });
    assert.equal(store.stats.corruptRemoved, 0);
    const after = KEYS.flatMap((key) => store.variants(key));
    assert.deepEqual(new Set(after), new Set(before));
    for (const meta of after) await checkBody(store, meta, true);
    for (const key of KEYS) {
      const expected = store.variants(key).flatMap((
        m,
      ) => [m.bodyFile, `${m.bodyFile.split("-")[0]}.json`]);
      assert.deepEqual(await filesOf(fixture.dir, key), expected.sort());
    }
  } finally {
    await fixture.dispose();
  }
});
