/**
 * Owns the Store contract tests of list() and purge(): entries listed
 * most recently used first with their hits, by prefix and limit; purges
 * by URL, prefix and all answer what they removed; a write under way for
 * a purged key ends whole for its followers but is not stored.
 *
 * Must not know which store it runs against.
 */

import assert from "../helpers/assert.ts";
import {
  bodyBytes,
  bodyOf,
  type ContractTest,
  draft,
  put,
  readAll,
} from "./store_helpers.ts";
import type { Store } from "../../cache/store.ts";

const GZIP: [string, string | null][] = [["accept-encoding", "gzip"]];
const PLAIN: [string, string | null][] = [["accept-encoding", null]];

/** The keys and hits list() gives. */
async function listed(
  store: Store,
  options?: Parameters<Store["list"]>[0],
) {
  return (await store.list(options)).map(({ meta, hits }) => [meta.key, hits]);
}

/** Registers the list() and purge() tests. */
export function purgeContract(test: ContractTest): void {
  test("list() gives entries most recently used first with the hits touch() counted, as hits() does", async (store) => {
    const a = await put(store, draft("http://a.example/1"), bodyBytes(10));
    const b = await put(store, draft("http://a.example/2"), bodyBytes(20));
    await put(store, draft("http://b.example/3"), bodyBytes(30));
    store.touch(a);
    store.touch(b);
    store.touch(a);
    assert.deepEqual(await listed(store), [
      ["http://a.example/1", 2],
      ["http://a.example/2", 1],
      ["http://b.example/3", 0],
    ]);
    assert.equal((await store.list())[0]!.meta.bodySize, 10);
    assert.equal(store.hits(a), 2);
    assert.equal(store.hits(b), 1);
  });

  test("list() keeps to the prefix and the limit", async (store) => {
    await put(store, draft("http://a.example/1"), bodyBytes(10));
    await put(store, draft("http://b.example/2"), bodyBytes(10));
    await put(store, draft("http://a.example/3"), bodyBytes(10));
    assert.deepEqual(await listed(store, { prefix: "http://a.example/" }), [
      ["http://a.example/3", 0],
      ["http://a.example/1", 0],
    ]);
    assert.deepEqual(await listed(store, { prefix: "http://a.", limit: 1 }), [
      ["http://a.example/3", 0],
    ]);
    assert.deepEqual(await listed(store, { limit: 0 }), []);
  });

  test("list() and hits() start a replaced version's hits at 0", async (store) => {
    const old = await put(store, draft("http://a.example/1"), bodyBytes(10));
    store.touch(old);
    await put(store, draft("http://a.example/1"), bodyBytes(11));
    assert.deepEqual(await listed(store), [["http://a.example/1", 0]]);
    assert.equal(store.hits(old), 0, "a replaced version has no hits");
  });

  test("purge() of a URL removes its every variant and answers how many", async (store) => {
    await put(store, draft("http://a.example/1", GZIP), bodyBytes(10));
    await put(store, draft("http://a.example/1", PLAIN), bodyBytes(10));
    await put(store, draft("http://a.example/10"), bodyBytes(10));
    assert.equal(await store.purge({ url: "http://a.example/1" }), 2);
    assert.deepEqual(await store.variants("http://a.example/1"), []);
    assert.deepEqual(await listed(store), [["http://a.example/10", 0]]);
    assert.equal(store.stats.entries, 1);
    assert.equal(await store.purge({ url: "http://a.example/1" }), 0);
  });

  test("list() and purge() of a URL take its keys fetched via another server too", async (store) => {
    await put(store, draft("http://a.example/1"), bodyBytes(10));
    await put(
      store,
      draft("http://a.example/1 via 127.0.0.1:9"),
      bodyBytes(10),
    );
    await put(
      store,
      draft("http://a.example/10 via 127.0.0.1:9"),
      bodyBytes(10),
    );
    assert.deepEqual(await listed(store, { url: "http://a.example/1" }), [
      ["http://a.example/1 via 127.0.0.1:9", 0],
      ["http://a.example/1", 0],
    ]);
    assert.deepEqual(
      await listed(store, { prefix: "http://a.example/1 " }),
      [],
    );
    assert.equal(await store.purge({ url: "http://a.example/1" }), 2);
    assert.deepEqual(await listed(store), [[
      "http://a.example/10 via 127.0.0.1:9",
      0,
    ]]);
    assert.equal(await store.purge({ prefix: "http://a.example/" }), 1);
  });

  test("purge() of a prefix removes the keys starting with it only", async (store) => {
    await put(store, draft("http://a.example/x/1", GZIP), bodyBytes(10));
    await put(store, draft("http://a.example/x/2"), bodyBytes(10));
    const kept = await put(store, draft("http://a.example/y"), bodyBytes(12));
    assert.equal(await store.purge({ prefix: "http://a.example/x/" }), 2);
    assert.deepEqual(await listed(store), [["http://a.example/y", 0]]);
    assert.deepEqual(await bodyOf(store, kept), bodyBytes(12));
  });

  test("list() and purge() of a prefix go through more entries than one scan slice (600)", async (store) => {
    for (let n = 0; n < 600; n++) {
      const host = n % 2 === 0 ? "even" : "odd";
      await put(store, draft(`http://${host}.example/${n}`), bodyBytes(8, n));
    }
    const odd = await store.list({ prefix: "http://odd.example/" });
    assert.equal(odd.length, 300);
    assert.equal(odd[0]!.meta.key, "http://odd.example/599");
    assert.equal(odd[299]!.meta.key, "http://odd.example/1");
    assert.equal((await store.list({ limit: 450 })).length, 450);
    assert.equal(await store.purge({ prefix: "http://odd.example/" }), 300);
    assert.equal(store.stats.entries, 300);
    assert.deepEqual(await store.list({ prefix: "http://odd.example/" }), []);
  });

  test("purge() of all empties the store", async (store) => {
    const a = await put(store, draft("http://a.example/1"), bodyBytes(10));
    await put(store, draft("http://b.example/2", GZIP), bodyBytes(100_000));
    assert.equal(await store.purge({ all: true }), 2);
    assert.deepEqual(await listed(store), []);
    assert.equal(store.stats.entries, 0);
    assert.equal(store.stats.bytes, 0);
    assert.equal(await store.openBody(a), undefined);
    assert.equal(await store.purge({ all: true }), 0);
  });

  for (
    const [name, target] of [
      ["URL", { url: "http://a.example/fill" }],
      ["prefix", { prefix: "http://a.example/" }],
      ["all", { all: true as const }],
    ] as const
  ) {
    test(`purge() by ${name} during a write: its follower reads the whole body, commit stores nothing`, async (store) => {
      const entry = draft("http://a.example/fill");
      const body = bodyBytes(3000, 4);
      const writer = store.begin(entry);
      const follower = writer.follow(body.length);
      await writer.write(body.subarray(0, 1000));
      assert.equal(await store.purge(target), 0);
      await writer.write(body.subarray(1000));
      assert.equal(await writer.commit(body.length), false);
      assert.deepEqual(await readAll(follower), body);
      assert.deepEqual(await store.variants(entry.key), []);
      assert.equal(store.stats.entries, 0);
      await put(store, entry, body); // a write begun after the purge is stored
      assert.equal((await store.variants(entry.key)).length, 1);
    });
  }

  test("purge() during a write of another key lets that write be stored", async (store) => {
    const entry = draft("http://b.example/fill");
    const writer = store.begin(entry);
    await writer.write(bodyBytes(100));
    assert.equal(await store.purge({ prefix: "http://a.example/" }), 0);
    assert.equal(await writer.commit(100), true);
    assert.equal((await store.variants(entry.key)).length, 1);
  });
}
