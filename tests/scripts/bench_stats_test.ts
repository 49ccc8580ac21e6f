/** Tests the medians and sample collection of scripts/bench/stats.ts. */

import assert from "../helpers/assert.ts";
import { aggregateOf, median, Samples } from "../../scripts/bench/stats.ts";

Deno.test("median() takes the middle value when the count is odd, whatever the order", () => {
  assert.equal(median([30, 10, 20]), 20);
  assert.equal(median([5]), 5);
});

Deno.test("median() averages the middle two when the count is even", () => {
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

Deno.test("median() returns undefined when there is no value", () => {
  assert.equal(median([]), undefined);
});

Deno.test("median() does not reorder its input", () => {
  const values = [3, 1, 2];
  median(values);
  assert.deepEqual(values, [3, 1, 2]);
});

Deno.test("aggregateOf() takes the maximum for a peak and the median otherwise", () => {
  assert.equal(aggregateOf([100, 300, 200], "max"), 300);
  assert.equal(aggregateOf([100, 300, 200], "median"), 200);
  assert.equal(aggregateOf([], "max"), undefined);
});

Deno.test("Samples keeps values apart per figure and proxy and drops non-finite ones", () => {
  const samples = new Samples();
  samples.add("hit-1KiB-rps", "nginx-1w", 1);
  samples.add("hit-1KiB-rps", "nginx-1w", 2);
  samples.add("hit-1KiB-rps", "squid", 3);
  samples.add("hit-1KiB-rps", "squid", Number.NaN);
  assert.deepEqual(samples.of("hit-1KiB-rps", "nginx-1w"), [1, 2]);
  assert.deepEqual(samples.of("hit-1KiB-rps", "squid"), [3]);
  assert.deepEqual(samples.of("miss-1KiB-rps", "squid"), []);
});

Deno.test("Samples.byRound() maps each round to its value and leaves out readings without a round", () => {
  const samples = new Samples();
  samples.add("hit-1KiB-rps", "cachelab", 10, 1);
  samples.add("hit-1KiB-rps", "cachelab", 30, 3);
  samples.add("hit-1KiB-rps", "cachelab", 20, 2);
  samples.add("hit-1KiB-rps", "cachelab", Number.NaN, 4);
  samples.add("peak-rss-MiB", "cachelab", 90);
  samples.add("hit-1KiB-rps", "squid", 5, 1);
  assert.deepEqual(
    [...samples.byRound("hit-1KiB-rps", "cachelab")],
    [[1, 10], [3, 30], [2, 20]],
  );
  assert.deepEqual([...samples.byRound("peak-rss-MiB", "cachelab")], []);
  assert.deepEqual(samples.of("peak-rss-MiB", "cachelab"), [90]);
  assert.deepEqual(samples.of("hit-1KiB-rps", "cachelab"), [10, 30, 20]);
  assert.deepEqual([...samples.byRound("miss-1KiB-rps", "squid")], []);
});
