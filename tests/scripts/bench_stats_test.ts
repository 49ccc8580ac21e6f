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
