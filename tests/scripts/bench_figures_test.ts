/** Tests what the bench measures in each mode (scripts/bench/figures.ts). */

import assert from "../helpers/assert.ts";
import { figuresOf, filesOf, runsFor } from "../../scripts/bench/figures.ts";

Deno.test("runsFor() measures misses at 64 KiB in the full mode only", () => {
  const full = runsFor(false).map((run) => run.id);
  const quick = runsFor(true).map((run) => run.id);
  assert.ok(full.includes("miss-64KiB"));
  assert.ok(!quick.includes("miss-64KiB"));
  assert.deepEqual(quick, ["hit-1KiB", "hit-1KiB-1c", "miss-1KiB"]);
});

Deno.test("runsFor() asks for fresh URLs of the 64 KiB file in the miss-64KiB run", () => {
  const run = runsFor(false).find((r) => r.id === "miss-64KiB")!;
  assert.equal(run.freshUrls, true);
  assert.equal(run.file.path, "/64k.bin");
  assert.equal(run.connections, 50);
  assert.deepEqual(run.figures.map((f) => f.figure.id), ["miss-64KiB-rps"]);
});

Deno.test("figuresOf() puts miss-64KiB-rps after miss-1KiB-rps and peak RSS last", () => {
  const ids = figuresOf(runsFor(false)).map((f) => f.id);
  assert.equal(ids.indexOf("miss-64KiB-rps"), ids.indexOf("miss-1KiB-rps") + 1);
  assert.equal(ids.at(-1), "peak-rss-MiB");
});

Deno.test("filesOf() lists each file once when a hit and a miss run share it", () => {
  const paths = filesOf(runsFor(false)).map((f) => f.path);
  assert.deepEqual(paths, ["/1k.bin", "/64k.bin", "/1m.bin", "/256m.bin"]);
});
