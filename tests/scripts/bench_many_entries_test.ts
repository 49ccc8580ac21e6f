/** Tests the pure parts of the bench's look at cachelab with many entries (scripts/bench/many_entries.ts). */

import assert from "../helpers/assert.ts";
import {
  fillRunSeconds,
  firstRequestPath,
  isHit,
  manyEntriesLines,
  short,
} from "../../scripts/bench/many_entries.ts";

Deno.test("fillRunSeconds() runs 5 s when no rate is known yet", () => {
  assert.equal(fillRunSeconds(200_000, undefined), 5);
  assert.equal(fillRunSeconds(200_000, 0), 5);
});

Deno.test("fillRunSeconds() runs just long enough for the rest at the last rate, 1 to 10 s", () => {
  assert.equal(fillRunSeconds(2500, 1000), 3);
  assert.equal(fillRunSeconds(200_000, 1000), 10);
  assert.equal(fillRunSeconds(10, 1000), 1);
});

Deno.test("short() writes thousands as k when they are whole", () => {
  assert.equal(short(200_000), "200k");
  assert.equal(short(1500), "1500");
});

Deno.test("manyEntriesLines() gives the fill, memory, start-up and first answer with the targets", () => {
  const lines = manyEntriesLines({
    entries: 200_000,
    reached: 200_040,
    fillMs: 100_000,
    rssMiB: 140.4,
    peakMiB: 151.6,
    startupMs: 812.3,
    firstAnswer: { status: 200, cacheStatus: "cachelab; hit; ttl=3500" },
    restartRssMiB: 88.9,
    problems: [],
  });
  assert.deepEqual(lines, [
    "cachelab with 200000 entries of 1 KiB, stored by 200040 fresh-URL misses in 100.0 s (2000 req/s):",
    "- rss-200k-MiB 140 once stored (peak 152 while storing), target at most 150",
    "- startup-200k-ms 812 from spawn to the first answer (200, Cache-Status: cachelab; hit; ttl=3500), target at most 2000",
    "- rss-200k-restart-MiB 89 5 s after the restarted proxy answered, target at most 150",
  ]);
});

Deno.test("manyEntriesLines() says n/a and no answer when the restart never answered", () => {
  const lines = manyEntriesLines({
    entries: 3000,
    reached: 3000,
    fillMs: 2000,
    rssMiB: 80,
    problems: ["the restarted proxy did not answer within 120 s"],
  });
  assert.equal(
    lines[2],
    "- startup-3k-ms n/a from spawn to the first answer (no answer), target at most 2000",
  );
  assert.equal(
    lines[3],
    "- rss-3k-restart-MiB n/a 5 s after the restarted proxy answered, target at most 150",
  );
});

Deno.test("firstRequestPath() finds the first logged request of a tag, not one of another tag", () => {
  const log = [
    "listening on http://127.0.0.1:4000",
    '127.0.0.1 - - [30/Nov/2026:07:05:09 +0000] "GET /1k.bin?n=r3-cachelab-1-9 HTTP/1.1" 200 1024',
    '127.0.0.1 - - [30/Nov/2026:07:05:09 +0000] "GET /1k.bin?n=many1-1-4 HTTP/1.1" 200 1024',
    '127.0.0.1 - - [30/Nov/2026:07:05:09 +0000] "GET /1k.bin?n=many1-1-5 HTTP/1.1" 200 1024',
  ].join("\n");
  assert.equal(firstRequestPath(log, "many1"), "/1k.bin?n=many1-1-4");
  assert.equal(firstRequestPath(log, "many2"), undefined);
  assert.equal(firstRequestPath(log, "many"), undefined);
});

Deno.test("manyEntriesLines() says MISS instead of a start-up time when the first answer was not a hit", () => {
  const lines = manyEntriesLines({
    entries: 20_000,
    reached: 20_010,
    fillMs: 10_000,
    rssMiB: 120,
    startupMs: 79_300,
    firstAnswer: { status: 200, cacheStatus: "cachelab; fwd=uri-miss; stored" },
    restartRssMiB: 90,
    problems: [],
  });
  assert.equal(
    lines[2],
    "- startup-20k-ms MISS (79300 ms, no stored entry served) from spawn to the first answer (200, Cache-Status: cachelab; fwd=uri-miss; stored), target at most 2000",
  );
});

Deno.test("isHit() is true only when a Cache-Status entry has the hit parameter", () => {
  assert.equal(isHit("cachelab; hit; ttl=3500"), true);
  assert.equal(isHit("upstream; fwd=miss, cachelab; hit"), true);
  assert.equal(isHit("cachelab; fwd=uri-miss; stored"), false);
  assert.equal(isHit("hit"), false); // a cache named "hit", no parameter
  assert.equal(isHit(""), false);
});
