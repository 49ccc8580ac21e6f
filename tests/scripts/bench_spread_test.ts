/** Tests the per-round ratios and their spread (scripts/bench/spread.ts). */

import assert from "../helpers/assert.ts";
import {
  formatSpread,
  type RatioSpread,
  roundRatios,
  spreadOf,
} from "../../scripts/bench/spread.ts";

const rounds = (...values: number[]) =>
  new Map(values.map((value, index) => [index + 1, value]));

Deno.test("roundRatios() divides each round's values by the same round's peer values, in round order", () => {
  const cases: {
    name: string;
    subject: Map<number, number>;
    peer: Map<number, number>;
    want: number[];
  }[] = [
    {
      name: "three rounds",
      subject: rounds(30000, 26000, 42000),
      peer: rounds(24000, 25000, 30000),
      want: [1.25, 1.04, 1.4],
    },
    {
      name: "rounds stored out of order",
      subject: new Map([[3, 6], [1, 2], [2, 4]]),
      peer: new Map([[2, 2], [3, 2], [1, 2]]),
      want: [1, 2, 3],
    },
    {
      name: "a round the peer missed",
      subject: rounds(10, 20, 30),
      peer: new Map([[1, 10], [3, 10]]),
      want: [1, 3],
    },
    {
      name: "a round cachelab missed",
      subject: new Map([[2, 20]]),
      peer: rounds(10, 10, 10),
      want: [2],
    },
    {
      name: "a peer value of 0",
      subject: rounds(10, 20),
      peer: rounds(0, 10),
      want: [2],
    },
    {
      name: "non-finite values",
      subject: rounds(Number.NaN, 20, 30),
      peer: rounds(10, Number.POSITIVE_INFINITY, 10),
      want: [3],
    },
    { name: "nothing measured", subject: new Map(), peer: new Map(), want: [] },
  ];
  for (const { name, subject, peer, want } of cases) {
    assert.deepEqual(roundRatios(subject, peer), want, name);
  }
});

Deno.test("spreadOf() gives the median, min and max of the ratios and how many there were", () => {
  const cases: {
    ratios: number[];
    want: RatioSpread | undefined;
  }[] = [
    {
      ratios: [1.25, 1.04, 1.4],
      want: { median: 1.25, min: 1.04, max: 1.4, rounds: 3 },
    },
    {
      ratios: [0.5, 2, 1, 4],
      want: { median: 1.5, min: 0.5, max: 4, rounds: 4 },
    },
    { ratios: [0.8], want: { median: 0.8, min: 0.8, max: 0.8, rounds: 1 } },
    { ratios: [], want: undefined },
  ];
  for (const { ratios, want } of cases) {
    assert.deepEqual(spreadOf(ratios), want, ratios.join(","));
  }
});

Deno.test("formatSpread() prints the median with min–max beside it, one round alone, or n/a", () => {
  const cases: { spread: RatioSpread | undefined; want: string }[] = [
    {
      spread: { median: 1.21, min: 1.04, max: 1.4, rounds: 3 },
      want: "1.21 (1.04–1.40)",
    },
    {
      spread: { median: 0.8, min: 0.8, max: 0.8, rounds: 2 },
      want: "0.80 (0.80–0.80)",
    },
    {
      spread: { median: 1.0049, min: 0.994, max: 1.006, rounds: 5 },
      want: "1.00 (0.99–1.01)",
    },
    {
      spread: { median: 0.84, min: 0.84, max: 0.84, rounds: 1 },
      want: "0.84 (one round)",
    },
    { spread: undefined, want: "n/a" },
  ];
  for (const { spread, want } of cases) {
    assert.equal(formatSpread(spread), want);
  }
});
