/**
 * Owns the Store contract tests of rekey(): metadata replaced in place or
 * re-filed under another variant when Vary changed, the body kept, an
 * entry at the new variant replaced, nothing done for an outdated meta.
 *
 * Must not know which store it runs against.
 */

import assert from "../helpers/assert.ts";
import { concatBytes } from "../../http/bytes.ts";
import { withDeadline } from "../helpers/deadline.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import {
  bodyBytes,
  bodyOf,
  type ContractTest,
  draft,
  only,
  put,
  readAtLeast,
} from "./store_helpers.ts";

const GZIP: [string, string | null][] = [["accept-encoding", "gzip"]];
const GZIP_EN: [string, string | null][] = [
  ["accept-encoding", "gzip"],
  ["accept-language", "en"],
];

/** Registers the rekey() tests. */
export function rekeyContract(test: ContractTest): void {
  for (const size of [5_000, 300_000]) {
    test(`rekey() re-files a ${size}-byte entry under its new variant and keeps the body`, async (store) => {
      const key = `http://k.example/refile-${size}`;
      const old = await put(store, draft(key, GZIP), bodyBytes(size, 1));
      const next = await store.rekey(old, {
        ...old,
        vary: GZIP_EN,
        freshUntil: 7_000,
      });
      assert.ok(next, "nothing was re-filed");
      assert.deepEqual(await store.variants(key), [next]);
      assert.deepEqual({ ...next, bodyFile: "" }, {
        ...old,
        vary: GZIP_EN,
        freshUntil: 7_000,
        bodyFile: "",
      });
      assert.match(next.bodyFile, /^[\w.-]+\.body$/);
      assert.deepEqual(await bodyOf(store, next), bodyBytes(size, 1));
      assert.equal(
        await store.openBody(old),
        undefined,
        "the old variant is still served",
      );
      assert.equal(store.memoryBody(old), undefined);
      assert.equal(store.stats.entries, 1);
      assert.equal(store.stats.bytes, size);
    });
  }

  test("rekey() to no Vary and back keeps the body", async (store) => {
    const key = "http://k.example/default";
    const old = await put(store, draft(key, GZIP), bodyBytes(700, 2));
    const plain = await store.rekey(old, { ...old, vary: [] });
    assert.ok(plain);
    assert.deepEqual(await store.variants(key), [plain]);
    const back = await store.rekey(plain, { ...plain, vary: GZIP });
    assert.ok(back);
    assert.deepEqual(await store.variants(key), [back]);
    assert.deepEqual(await bodyOf(store, back), bodyBytes(700, 2));
  });

  test("rekey() replaces the entry stored at the new variant and removes its body", async (store) => {
    const key = "http://k.example/displace";
    const moved = await put(store, draft(key, GZIP), bodyBytes(100, 3));
    const there = await put(store, draft(key, GZIP_EN), bodyBytes(200, 4));
    const next = await store.rekey(moved, { ...moved, vary: GZIP_EN });
    assert.ok(next);
    assert.deepEqual(await store.variants(key), [next]);
    assert.deepEqual(await bodyOf(store, next), bodyBytes(100, 3));
    assert.equal(await store.openBody(there), undefined);
    assert.equal(store.memoryBody(there), undefined);
    assert.equal(store.stats.entries, 1);
    assert.equal(store.stats.bytes, 100);
  });

  test("rekey() to the same variant updates in place and resolves to the stored meta", async (store) => {
    const entry = draft("http://k.example/same", GZIP);
    const meta = await put(store, entry, bodyBytes(50, 5));
    const updated = await store.rekey(meta, {
      ...meta,
      freshUntil: 55_000,
      bodySize: 1,
      bodyFile: "ignored.body",
    });
    assert.deepEqual(updated, await only(store, entry));
    assert.equal(updated?.freshUntil, 55_000);
    assert.equal(updated?.bodySize, 50);
    assert.deepEqual(await bodyOf(store, updated!), bodyBytes(50, 5));
  });

  test("rekey() of a replaced or removed entry changes nothing", async (store) => {
    const key = "http://k.example/outdated";
    const old = await put(store, draft(key, GZIP), bodyBytes(10, 6));
    const fresh = await put(store, draft(key, GZIP), bodyBytes(10, 7));
    assert.equal(await store.rekey(old, { ...old, vary: GZIP_EN }), undefined);
    assert.deepEqual(await store.variants(key), [fresh]);
    await store.remove(fresh);
    assert.equal(
      await store.rekey(fresh, { ...fresh, vary: GZIP_EN }),
      undefined,
    );
    assert.deepEqual(await store.variants(key), []);
    assert.equal(store.stats.bytes, 0);
  });

  test("rekey() rejects a meta of another key or outside the schema", async (store) => {
    const old = await put(
      store,
      draft("http://k.example/bad", GZIP),
      bodyBytes(10),
    );
    await assert.rejects(
      store.rekey(old, { ...old, key: "http://k.example/other" }),
      TypeError,
    );
    await assert.rejects(store.rekey(old, { ...old, status: 5 }), TypeError);
    assert.deepEqual(await store.variants(old.key), [old]);
  });

  test("rekey() of two entries onto each other's variant at once settles both", async (store) => {
    const key = "http://k.example/swap";
    const a = await put(store, draft(key, GZIP), bodyBytes(30, 8));
    const b = await put(store, draft(key, GZIP_EN), bodyBytes(40, 9));
    const results = await withDeadline(
      Promise.all([
        store.rekey(a, { ...a, vary: GZIP_EN }),
        store.rekey(b, { ...b, vary: GZIP }),
      ]),
      10_000,
      "two crossing re-keys",
    );
    const done = results.filter((meta): meta is EntryMeta =>
      meta !== undefined
    );
    assert.equal(
      done.length,
      1,
      "exactly one re-key finds its entry still current",
    );
    assert.deepEqual(await store.variants(key), done);
    const source = done[0] === results[0] ? bodyBytes(30, 8) : bodyBytes(40, 9);
    assert.deepEqual(await bodyOf(store, done[0]!), source);
  });

  test("rekey() leaves a reader open on the old version reading it", async (store) => {
    const key = "http://k.example/reading";
    const body = bodyBytes(600_000, 10);
    const old = await put(store, draft(key, GZIP), body, 65536);
    const reader = await store.openBody(old);
    assert.ok(reader);
    const parts = await readAtLeast(reader, 1);
    assert.ok(await store.rekey(old, { ...old, vary: GZIP_EN }));
    for (let chunk = await reader.read(); chunk; chunk = await reader.read()) {
      parts.push(chunk.slice());
    }
    assert.deepEqual(concatBytes(parts), body);
  });
}
