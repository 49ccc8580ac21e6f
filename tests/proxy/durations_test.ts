import { assertEquals } from "../helpers/assert.ts";
import {
  DURATION_BOUNDS_MS,
  RequestTimes,
  resultIndex,
  RESULTS,
} from "../../proxy/durations.ts";

Deno.test("resultIndex() finds the cache result a log suffix ends with", () => {
  const cases: [string | undefined, string][] = [
    ["12ms HIT", "HIT"],
    ["- HIT", "HIT"],
    ["3ms HIT-ABORTED", "HIT-ABORTED"],
    ["5ms MISS", "MISS"],
    ["5ms MISS-NOT-STORED", "MISS-NOT-STORED"],
    ["- PARTIAL", "PARTIAL"],
    ["9ms REVALIDATED", "REVALIDATED"],
    ["- STALE", "STALE"],
    ["1ms BYPASS", "BYPASS"],
    [undefined, "NONE"],
    ["", "NONE"],
    ["12ms WHATEVER", "NONE"],
    ["HIT", "NONE"], // no space: not a log suffix of ours
  ];
  for (const [suffix, result] of cases) {
    assertEquals(RESULTS[resultIndex(suffix)], result, String(suffix));
  }
});

Deno.test("RequestTimes.observe() counts a duration in the first bucket whose bound it does not exceed", () => {
  const times = new RequestTimes();
  const hit = resultIndex("- HIT");
  for (const ms of [0, 1, 1.5, 10, 10000, 60000]) times.observe(hit, ms);
  times.observe(resultIndex(undefined), 7);
  const read = times.read();
  assertEquals(read.map((r) => r.result), [...RESULTS]);
  const hits = read[hit]!;
  const at = (bound: number) =>
    hits.cumulative[DURATION_BOUNDS_MS.indexOf(bound)];
  assertEquals(at(1), 2); // 0 and 1 (bounds are inclusive)
  assertEquals(at(2.5), 3);
  assertEquals(at(5), 3);
  assertEquals(at(10), 4);
  assertEquals(at(5000), 4);
  assertEquals(at(10000), 5);
  assertEquals(hits.cumulative[DURATION_BOUNDS_MS.length], 6); // +Inf: all
  assertEquals(hits.cumulative.length, DURATION_BOUNDS_MS.length + 1);
  assertEquals(hits.sumMs, 0 + 1 + 1.5 + 10 + 10000 + 60000);
  assertEquals(times.count("HIT"), 6);
  assertEquals(times.count("NONE"), 1);
  assertEquals(times.count("MISS"), 0);
  assertEquals(read.find((r) => r.result === "NONE")!.sumMs, 7);
});
