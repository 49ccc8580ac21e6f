/**
 * Owns the Store contract suite: one set of tests every store must pass,
 * registered against a factory. Reading while writing (follow()), ending
 * a write whole without storing it (discard(), a failed commit),
 * re-keying (rekey()), partial entries (beginPartial()) and listing and
 * purging (list(), purge()) have their own files, registered from here. Tests
 * that need a failure injected run against the stores whose fixture can
 * inject it (StoreFaults; the memory store cannot fail a commit).
 *
 * Must not know which store it runs against.
 */

import assert from "../helpers/assert.ts";
import type { Store } from "../../cache/store.ts";
import {
  bodyBytes,
  bodyOf,
  type ContractTest,
  draft,
  type FaultTest,
  only,
  put,
  readAll,
  type StoreFaults,
} from "./store_helpers.ts";
import { followContract } from "./store_contract_follow.ts";
import { discardContract } from "./store_contract_discard.ts";
import { rekeyContract } from "./store_contract_rekey.ts";
import { partialContract } from "./store_contract_partial.ts";
import { piecesContract } from "./store_contract_pieces.ts";
import { purgeContract } from "./store_contract_purge.ts";

/** A store under test, how to dispose of it (and its folder), and the failures it can be made to have. */
export interface StoreFixture {
  store: Store;
  dispose(): Promise<void>;
  faults?: StoreFaults;
}

/** Makes a fresh store with this byte cap (and a memory tier for small bodies). */
export type StoreFactory = (sizeBytes: number) => Promise<StoreFixture>;

/** How a store takes the contract. */
export interface ContractOptions {
  /** Its fixtures inject failures (StoreFaults), for the tests that need them. */
  faults?: boolean;
  /**
   * Why the tests of the store's own byte cap (least-recently-used
   * eviction, a body larger than the cap) do not apply to it (a store
   * whose backend caps itself, as Redis's maxmemory does); they are then
   * listed as "(not applicable: reason)" and skipped.
   */
  noOwnCap?: string;
  /** Why no test can run ("redis-server not found"): each is listed as "(skipped: reason)". */
  skip?: string;
}

/** Registers the contract tests for one store. */
export function storeContract(
  name: string,
  make: StoreFactory,
  options: ContractOptions = {},
): void {
  const test: ContractTest = (title, body, size) => {
    const why = options.skip
      ? `skipped: ${options.skip}`
      : size !== undefined && options.noOwnCap
      ? `not applicable: ${options.noOwnCap}`
      : undefined;
    if (why) {
      Deno.test({ name: `${name}: ${title} (${why})`, ignore: true, fn() {} });
      return;
    }
    Deno.test(`${name}: ${title}`, async () => {
      const fixture = await make(size ?? 1 << 22);
      try {
        await body(fixture.store);
      } finally {
        await fixture.dispose();
      }
    });
  };
  const faultTest: FaultTest = (title, body) => {
    if (!options.faults || options.skip) return; // this store cannot be made to fail so
    Deno.test(`${name}: ${title}`, async () => {
      const fixture = await make(1 << 22);
      try {
        if (!fixture.faults) throw new Error(`${name} injects no faults`);
        await body(fixture.store, fixture.faults);
      } finally {
        await fixture.dispose();
      }
    });
  };

  test("commit() stores the bytes and metadata it was given", async (store) => {
    const entry = draft("http://a.example/one");
    const body = bodyBytes(5000);
    const meta = await put(store, entry, body);
    assert.deepEqual({ ...meta, bodyFile: "" }, {
      ...entry,
      bodySize: 5000,
      bodyFile: "",
    });
    assert.match(meta.bodyFile, /^[\w.-]+\.body$/);
    assert.deepEqual(await bodyOf(store, meta), body);
    assert.equal(store.stats.entries, 1);
    assert.equal(store.stats.bytes, 5000);
  });

  test("variants() shows nothing before commit()", async (store) => {
    const entry = draft("http://a.example/pending");
    const writer = store.begin(entry);
    await writer.write(bodyBytes(100));
    assert.deepEqual(await store.variants(entry.key), []);
    assert.equal(store.stats.entries, 0);
    assert.equal(await writer.commit(100), true);
    assert.equal((await store.variants(entry.key)).length, 1);
  });

  test("commit() stores nothing when the size differs from the bytes written", async (store) => {
    const entry = draft("http://a.example/short");
    for (const claimed of [99, 101]) {
      const writer = store.begin(entry);
      await writer.write(bodyBytes(100));
      assert.equal(await writer.commit(claimed), false);
    }
    assert.deepEqual(await store.variants(entry.key), []);
    assert.equal(store.stats.bytes, 0);
  });

  test("abort() stores nothing and keeps the older entry", async (store) => {
    const entry = draft("http://a.example/keep");
    const old = await put(store, entry, bodyBytes(300, 1));
    const writer = store.begin(draft(entry.key, [], 9_000));
    await writer.write(bodyBytes(300, 2));
    await writer.abort();
    assert.equal(await writer.commit(300), false, "commit after abort stored");
    assert.deepEqual(await store.variants(entry.key), [old]);
    assert.deepEqual(await bodyOf(store, old), bodyBytes(300, 1));
  });

  test("commit() replaces the entry of the same key and variant", async (store) => {
    const entry = draft("http://a.example/replace");
    const old = await put(store, entry, bodyBytes(400, 1));
    const fresh = await put(
      store,
      draft(entry.key, [], 5_000),
      bodyBytes(250, 2),
    );
    assert.notEqual(fresh.bodyFile, old.bodyFile);
    assert.equal(fresh.freshUntil, 5_000);
    assert.equal(store.stats.entries, 1);
    assert.equal(store.stats.bytes, 250);
    assert.deepEqual(await bodyOf(store, fresh), bodyBytes(250, 2));
    assert.equal(
      await store.openBody(old),
      undefined,
      "the replaced body is still served",
    );
  });

  test("variants() keeps two variants of one key side by side", async (store) => {
    const gzip = draft("http://a.example/v", [["accept-encoding", "gzip"]]);
    const none = draft("http://a.example/v", [["accept-encoding", null]]);
    const a = await put(store, gzip, bodyBytes(100, 1));
    const b = await put(store, none, bodyBytes(200, 2));
    assert.equal((await store.variants(gzip.key)).length, 2);
    assert.deepEqual(await bodyOf(store, a), bodyBytes(100, 1));
    assert.deepEqual(await bodyOf(store, b), bodyBytes(200, 2));
    await store.remove(a);
    assert.deepEqual(await store.variants(gzip.key), [b]);
  });

  test("openBody() yields exactly the bytes of a range", async (store) => {
    const body = bodyBytes(300 * 1024, 3);
    const meta = await put(
      store,
      draft("http://a.example/range"),
      body,
      64 * 1024,
    );
    for (
      const [start, end] of [[0, 0], [2, 5], [1000, 200_000], [
        0,
        body.length - 1,
      ]]
    ) {
      const reader = await store.openBody(meta, { start: start!, end: end! });
      assert.ok(reader);
      assert.equal(reader.length, end! - start! + 1);
      assert.deepEqual(await readAll(reader), body.subarray(start!, end! + 1));
    }
    const whole = await store.openBody(meta);
    assert.ok(whole);
    assert.equal(whole.length, body.length);
    await whole.cancel();
    await assert.rejects(
      store.openBody(meta, { start: 5, end: body.length }),
      RangeError,
    );
    await assert.rejects(
      store.openBody(meta, { start: 6, end: 5 }),
      RangeError,
    );
  });

  test("openBody() reads an empty body as no chunks", async (store) => {
    const meta = await put(
      store,
      draft("http://a.example/empty"),
      new Uint8Array(0),
    );
    assert.equal(meta.bodySize, 0);
    assert.deepEqual(await bodyOf(store, meta), new Uint8Array(0));
  });

  test("remove() removes one entry by meta and every variant by key", async (store) => {
    const key = "http://a.example/remove";
    const a = await put(store, draft(key, [["accept", "a"]]), bodyBytes(10, 1));
    const b = await put(store, draft(key, [["accept", "b"]]), bodyBytes(20, 2));
    const other = await put(
      store,
      draft("http://a.example/other"),
      bodyBytes(30, 3),
    );
    await store.remove(a);
    assert.deepEqual(await store.variants(key), [b]);
    assert.equal(await store.openBody(a), undefined);
    await store.remove(key);
    assert.deepEqual(await store.variants(key), []);
    assert.deepEqual(await store.variants(other.key), [other]);
    assert.equal(store.stats.entries, 1);
    assert.equal(store.stats.bytes, 30);
  });

  test("remove() of a replaced meta keeps its successor", async (store) => {
    const entry = draft("http://a.example/stale");
    const old = await put(store, entry, bodyBytes(10, 1));
    const fresh = await put(store, entry, bodyBytes(10, 2));
    await store.remove(old);
    assert.deepEqual(await store.variants(entry.key), [fresh]);
    assert.deepEqual(await bodyOf(store, fresh), bodyBytes(10, 2));
  });

  test(
    "commit() evicts the least recently used entries, touch() reorders",
    async (store) => {
      const a = await put(store, draft("http://a.example/a"), bodyBytes(40, 1));
      const b = await put(store, draft("http://a.example/b"), bodyBytes(40, 2));
      store.touch(a);
      const c = await put(store, draft("http://a.example/c"), bodyBytes(40, 3));
      assert.deepEqual(
        await store.variants(b.key),
        [],
        "b was used least recently",
      );
      assert.deepEqual(await store.variants(a.key), [a]);
      assert.deepEqual(await store.variants(c.key), [c]);
      assert.equal(store.stats.evictions, 1);
      assert.equal(store.stats.bytes, 80);
      assert.equal(await store.openBody(b), undefined);
      await put(store, draft("http://a.example/d"), bodyBytes(40, 4));
      assert.deepEqual(await store.variants(a.key), [], "a is now the oldest");
      assert.deepEqual(await store.variants(c.key), [c]);
    },
    100,
  );

  test(
    "commit() refuses a body larger than the whole cap and evicts nothing",
    async (store) => {
      const kept = await put(
        store,
        draft("http://a.example/kept"),
        bodyBytes(60, 1),
      );
      const writer = store.begin(draft("http://a.example/huge"));
      await writer.write(bodyBytes(101));
      assert.equal(await writer.commit(101), false);
      assert.deepEqual(await store.variants("http://a.example/huge"), []);
      assert.deepEqual(await store.variants(kept.key), [kept]);
      assert.equal(store.stats.evictions, 0);
    },
    100,
  );

  test("updateMeta() replaces the metadata and keeps the body", async (store) => {
    const entry = draft("http://a.example/update");
    const meta = await put(store, entry, bodyBytes(77));
    await store.updateMeta({
      ...meta,
      freshUntil: 99_000,
      headers: [["ETag", '"x"']],
    });
    const updated = await only(store, entry);
    assert.equal(updated.freshUntil, 99_000);
    assert.deepEqual(updated.headers, [["ETag", '"x"']]);
    assert.equal(updated.bodyFile, meta.bodyFile);
    assert.deepEqual(await bodyOf(store, updated), bodyBytes(77));
  });

  test("updateMeta() of a replaced meta changes nothing", async (store) => {
    const entry = draft("http://a.example/update-stale");
    const old = await put(store, entry, bodyBytes(5, 1));
    const fresh = await put(store, entry, bodyBytes(5, 2));
    await store.updateMeta({ ...old, freshUntil: 123_456 });
    assert.deepEqual(await store.variants(entry.key), [fresh]);
  });

  test("memoryBody() returns the current bytes only", async (store) => {
    const entry = draft("http://a.example/hot");
    const old = await put(store, entry, bodyBytes(500, 1));
    assert.deepEqual(store.memoryBody(old), bodyBytes(500, 1));
    const fresh = await put(store, entry, bodyBytes(500, 2));
    assert.equal(store.memoryBody(old), undefined);
    assert.deepEqual(store.memoryBody(fresh), bodyBytes(500, 2));
    const hits = store.stats.memoryHits;
    await store.remove(fresh);
    assert.equal(store.memoryBody(fresh), undefined);
    assert.equal(store.stats.memoryHits, hits);
  });

  test("commit() of concurrent writers keeps the last commit", async (store) => {
    const entry = draft("http://a.example/race");
    const first = store.begin(entry);
    const second = store.begin(entry);
    await first.write(bodyBytes(3000, 1));
    await second.write(bodyBytes(2000, 2));
    await first.write(bodyBytes(3000, 3));
    const results = await Promise.all([
      first.commit(6000),
      second.commit(2000),
    ]);
    assert.deepEqual(results, [true, true]);
    const meta = await only(store, entry);
    assert.equal(meta.bodySize, 2000);
    assert.deepEqual(await bodyOf(store, meta), bodyBytes(2000, 2));
    assert.equal(store.stats.entries, 1);
    assert.equal(store.stats.bytes, 2000);
  });

  test("begin() throws when the draft does not fit the schema", (store) => {
    const bad = { ...draft("http://a.example/bad"), correctedInitialAge: -1 };
    assert.throws(() => store.begin(bad), TypeError);
    return Promise.resolve();
  });

  followContract(test);
  discardContract(test, faultTest);
  rekeyContract(test);
  partialContract(test);
  piecesContract(test);
  purgeContract(test);
}
