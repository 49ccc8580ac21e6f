/** Tests the markdown table and ratio lines of scripts/bench/report.ts. */

import assert from "../helpers/assert.ts";
import type { Figure } from "../../scripts/bench/figures.ts";
import {
  formatDuration,
  formatTable,
  formatValue,
  ratio,
  ratioLines,
} from "../../scripts/bench/report.ts";

const RPS: Figure = {
  id: "hit-1KiB-rps",
  heading: "hit-1KiB req/s",
  better: "higher",
  digits: 0,
  aggregate: "median",
};
const P99: Figure = {
  id: "hit-1KiB-p99-ms",
  heading: "hit-1KiB p99 ms",
  better: "lower",
  digits: 2,
  aggregate: "median",
};

const VALUES: Record<string, Record<string, number>> = {
  "hit-1KiB-rps": { cachelab: 30000, "nginx-1w": 25000 },
  "hit-1KiB-p99-ms": { cachelab: 3, "nginx-1w": 2, squid: 4 },
};
const valueOf = (figure: Figure, proxy: string) => VALUES[figure.id]?.[proxy];

Deno.test("formatTable() aligns a markdown table with proxies as rows and n/a for missing values", () => {
  assert.equal(
    formatTable(["cachelab", "nginx-1w", "squid"], [RPS, P99], valueOf),
    [
      "| proxy    | hit-1KiB req/s | hit-1KiB p99 ms |",
      "|----------|---------------:|----------------:|",
      "| cachelab |          30000 |            3.00 |",
      "| nginx-1w |          25000 |            2.00 |",
      "| squid    |            n/a |            4.00 |",
    ].join("\n"),
  );
});

const PEAK: Figure = {
  id: "peak-rss-MiB",
  heading: "peak RSS MiB",
  better: "lower",
  digits: 0,
  aggregate: "max",
};

/** Per figure and proxy, the value of rounds 1, 2, 3 (undefined: not measured). */
const ROUNDS: Record<string, Record<string, (number | undefined)[]>> = {
  "hit-1KiB-rps": {
    cachelab: [30000, 26000, 42000],
    "nginx-1w": [24000, 25000, 30000],
    squid: [15000, undefined, 20000],
  },
  "hit-1KiB-p99-ms": {
    cachelab: [3, 2, 4],
    "nginx-1w": [2, 2, 2],
    squid: [4, 4, 4],
  },
};
const roundsOf = (figure: Figure, proxy: string) => {
  const values = ROUNDS[figure.id]?.[proxy] ?? [];
  const byRound = new Map<number, number>();
  values.forEach((value, index) => {
    if (value !== undefined) byRound.set(index + 1, value);
  });
  return byRound;
};
const PEAKS: Record<string, number> = { cachelab: 90, "nginx-1w": 20 };
const sources = {
  valueOf: (figure: Figure, proxy: string) =>
    figure.aggregate === "max" ? PEAKS[proxy] : valueOf(figure, proxy),
  roundsOf,
};

Deno.test("ratioLines() gives the median of the per-round ratios with their min–max and the better direction", () => {
  assert.deepEqual(
    ratioLines(["cachelab", "nginx-1w", "squid"], [RPS, P99], sources),
    [
      "ratio hit-1KiB-rps cachelab/nginx-1w 1.25 (1.04–1.40), higher is better",
      "ratio hit-1KiB-rps cachelab/squid 2.05 (2.00–2.10), higher is better",
      "ratio hit-1KiB-p99-ms cachelab/nginx-1w 1.50 (1.00–2.00), lower is better",
      "ratio hit-1KiB-p99-ms cachelab/squid 0.75 (0.50–1.00), lower is better",
    ],
  );
});

Deno.test("ratioLines() divides the peaks without a spread when the figure is a peak", () => {
  assert.deepEqual(
    ratioLines(["cachelab", "nginx-1w", "squid"], [PEAK], sources),
    [
      "ratio peak-rss-MiB cachelab/nginx-1w 4.50 (peak of the run), lower is better",
      "ratio peak-rss-MiB cachelab/squid n/a, lower is better",
    ],
  );
});

Deno.test("ratioLines() says n/a when no round has both values and one round when only one has", () => {
  const sparse = {
    valueOf,
    roundsOf: (_figure: Figure, proxy: string) =>
      proxy === "cachelab"
        ? new Map([[1, 10], [2, 20]])
        : proxy === "squid"
        ? new Map([[2, 40]])
        : new Map<number, number>(),
  };
  assert.deepEqual(
    ratioLines(["cachelab", "nginx-1w", "squid"], [RPS], sparse),
    [
      "ratio hit-1KiB-rps cachelab/nginx-1w n/a, higher is better",
      "ratio hit-1KiB-rps cachelab/squid 0.50 (one round), higher is better",
    ],
  );
});

Deno.test("ratioLines() gives no line when cachelab was not measured", () => {
  assert.deepEqual(ratioLines(["nginx-1w", "squid"], [RPS], sources), []);
});

Deno.test("ratio() is undefined when a side is missing or the peer's value is 0", () => {
  assert.equal(ratio(1, 4), 0.25);
  assert.equal(ratio(undefined, 4), undefined);
  assert.equal(ratio(1, undefined), undefined);
  assert.equal(ratio(1, 0), undefined);
});

Deno.test("formatValue() rounds to the figure's digits and shows n/a when there is no number", () => {
  assert.equal(formatValue(1234.567, 0), "1235");
  assert.equal(formatValue(0.126, 2), "0.13");
  assert.equal(formatValue(undefined, 2), "n/a");
  assert.equal(formatValue(Number.NaN, 2), "n/a");
});

Deno.test("formatDuration() shows minutes and zero-padded seconds, rounded", () => {
  assert.equal(formatDuration(617_400), "10m17s");
  assert.equal(formatDuration(43_000), "0m43s");
  assert.equal(formatDuration(59_600), "1m00s");
});
