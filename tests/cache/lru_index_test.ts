import assert from "../helpers/assert.ts";
import { LruIndex } from "../../cache/lru_index.ts";
import { type EntryMeta, META_VERSION } from "../../cache/meta.ts";

function meta(
  key: string,
  bodyFile: string,
  bodySize = 10,
  vary: [string, string | null][] = [],
): EntryMeta {
  return {
    version: META_VERSION,
    key,
    vary,
    status: 200,
    reason: "OK",
    headers: [],
    requestTime: 0,
    responseTime: 0,
    correctedInitialAge: 0,
    freshUntil: 0,
    keepUntil: null,
    bodySize,
    bodyFile,
  };
}

Deno.test("LruIndex.evictUntil() removes the least recently used first, touches included", () => {
  const index = new LruIndex();
  const [a, b, c] = [
    meta("a", "a.body"),
    meta("b", "b.body"),
    meta("c", "c.body"),
  ];
  for (const m of [a, b, c]) index.set(m);
  index.touch(a); // order now b, c, a
  assert.deepEqual(index.evictUntil(10).map((m) => m.key), ["b", "c"]);
  assert.deepEqual([index.size, index.bytes], [1, 10]);
  assert.equal(index.current(a), a);
});

Deno.test("LruIndex.touch() ignores a version that was replaced, and set() replaces in place", () => {
  const index = new LruIndex();
  const old = meta("k", "k-1.body", 5);
  const other = meta("o", "o.body");
  index.set(old);
  index.set(other);
  const fresh = meta("k", "k-2.body", 7);
  assert.equal(index.set(fresh), old);
  index.touch(old); // stale version: no effect on the order
  assert.deepEqual(index.evictUntil(7).map((m) => m.key), ["o"]);
  assert.equal(index.isCurrent(old), false);
  assert.equal(index.isCurrent(fresh), true);
  assert.equal(index.bytes, 7);
});

Deno.test("LruIndex keeps Vary variants of one key apart and deleteKey() removes them all", () => {
  const index = new LruIndex();
  const gz = meta("k", "gz.body", 10, [["accept-encoding", "gzip"]]);
  const br = meta("k", "br.body", 10, [["accept-encoding", "br"]]);
  index.set(gz);
  index.set(br);
  assert.equal(index.variants("k").length, 2);
  assert.equal(index.deleteKey("k").length, 2);
  assert.deepEqual([index.size, index.bytes, index.variants("k")], [0, 0, []]);
  assert.deepEqual(index.evictUntil(0), []);
});

Deno.test("LruIndex.delete() removes only the current version and keeps the list linked", () => {
  const index = new LruIndex();
  const ms = ["a", "b", "c", "d"].map((k) => meta(k, `${k}.body`));
  for (const m of ms) index.set(m);
  assert.equal(index.delete(ms[1]!), true);
  assert.equal(index.delete(meta("c", "other.body")), false);
  index.touch(ms[0]!);
  assert.deepEqual(index.evictUntil(0).map((m) => m.key), ["c", "d", "a"]);
});
