import assert from "../helpers/assert.ts";
import { RecencyMap } from "../../cache/recency_map.ts";

function drain<K, V>(map: RecencyMap<K, V>): K[] {
  const out: K[] = [];
  for (let o = map.oldest(); o; o = map.oldest()) {
    out.push(o[0]);
    map.delete(o[0]);
  }
  return out;
}

Deno.test("RecencyMap.use() moves an entry to the newest end; peek() does not", () => {
  const map = new RecencyMap<string, number>();
  for (const [k, v] of [["a", 1], ["b", 2], ["c", 3]] as const) map.set(k, v);
  assert.equal(map.use("a"), 1);
  assert.equal(map.peek("b"), 2);
  assert.deepEqual(drain(map), ["b", "c", "a"]);
  assert.equal(map.size, 0);
});

Deno.test("RecencyMap.set() replaces a value, makes it newest and returns the old one", () => {
  const map = new RecencyMap<string, number>();
  map.set("a", 1);
  map.set("b", 2);
  assert.equal(map.set("a", 10), 1);
  assert.equal(map.set("c", 3), undefined);
  assert.deepEqual(drain(map), ["b", "a", "c"]);
});

Deno.test("RecencyMap.delete() unlinks from the middle and the ends", () => {
  const map = new RecencyMap<number, string>();
  for (let i = 0; i < 5; i++) map.set(i, String(i));
  assert.equal(map.delete(2), "2");
  assert.equal(map.delete(0), "0");
  assert.equal(map.delete(4), "4");
  assert.equal(map.delete(9), undefined);
  map.use(1);
  assert.deepEqual(drain(map), [3, 1]);
  assert.equal(map.oldest(), undefined);
});
