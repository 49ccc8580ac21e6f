/** Tests the round-robin order of scripts/bench/schedule.ts. */

import assert from "../helpers/assert.ts";
import { rotate, schedule } from "../../scripts/bench/schedule.ts";

Deno.test("rotate() turns the list left and wraps when the shift exceeds its length", () => {
  assert.deepEqual(rotate(["a", "b", "c"], 0), ["a", "b", "c"]);
  assert.deepEqual(rotate(["a", "b", "c"], 1), ["b", "c", "a"]);
  assert.deepEqual(rotate(["a", "b", "c"], 4), ["b", "c", "a"]);
  assert.deepEqual(rotate([], 2), []);
});

Deno.test("schedule() alternates contenders within each run and starts each round with the next one", () => {
  const order = schedule(["hit", "miss"], ["x", "y", "z"], 2).map((s) =>
    `${s.round}:${s.run}:${s.contender}`
  );
  assert.deepEqual(order, [
    "1:hit:x",
    "1:hit:y",
    "1:hit:z",
    "1:miss:x",
    "1:miss:y",
    "1:miss:z",
    "2:hit:y",
    "2:hit:z",
    "2:hit:x",
    "2:miss:y",
    "2:miss:z",
    "2:miss:x",
  ]);
});

Deno.test("schedule() never runs one contender twice in a row when there are several", () => {
  const slots = schedule(["a", "b", "c"], ["p", "q", "r", "s"], 3);
  for (let i = 1; i < slots.length; i++) {
    assert.notEqual(slots[i]!.contender, slots[i - 1]!.contender);
  }
  assert.equal(slots.length, 3 * 3 * 4);
});
