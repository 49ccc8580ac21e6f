/**
 * Owns the request-duration histogram and the count of requests by cache
 * result: one fixed array of bucket counters per result, filled once per
 * answered request (where its access-log line is written) without
 * allocating, and read whole when someone asks (the /metrics scrape).
 *
 * Must not format anything (admin/metrics.ts does) nor read the clock:
 * callers pass the duration.
 */

import type { CacheResult } from "./report.ts";

/** Upper bounds of the buckets, in ms (a last, open bucket follows). */
export const DURATION_BOUNDS_MS: readonly number[] = [
  1,
  2.5,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
  10000,
];

/**
 * The results a request is counted under: the cache results the access
 * log ends with (proxy/report.ts), and "NONE" for a request answered
 * without one (refused, a tunnel, a bad request, a handler error).
 */
export const RESULTS: readonly (CacheResult | "NONE")[] = [
  "HIT",
  "HIT-ABORTED",
  "MISS",
  "MISS-NOT-STORED",
  "PARTIAL",
  "REVALIDATED",
  "STALE",
  "BYPASS",
  "NONE",
];

const NONE = RESULTS.length - 1;
const ENDINGS = RESULTS.slice(0, NONE).map((result) => ` ${result}`);
const WIDTH = DURATION_BOUNDS_MS.length + 1;

/**
 * The index in RESULTS of the cache result a log suffix ("12ms HIT",
 * proxy/report.ts logResult) ends with; NONE's index for no suffix or
 * another ending. Allocates nothing.
 */
export function resultIndex(suffix: string | undefined): number {
  if (suffix === undefined) return NONE;
  for (let i = 0; i < ENDINGS.length; i++) {
    if (suffix.endsWith(ENDINGS[i]!)) return i;
  }
  return NONE;
}

/** One result's figures, as read at a scrape. */
export interface ResultTimes {
  result: CacheResult | "NONE";
  /** Requests whose duration was <= DURATION_BOUNDS_MS[i], cumulative, then the total count last. */
  cumulative: number[];
  /** Sum of the durations, in ms. */
  sumMs: number;
}

/** Request durations (ms) by cache result in fixed buckets. */
export class RequestTimes {
  readonly #counts = new Float64Array(RESULTS.length * WIDTH);
  readonly #sums = new Float64Array(RESULTS.length);

  /** Counts one request of result `index` (resultIndex()) that took `ms`. */
  observe(index: number, ms: number): void {
    let bucket = 0;
    while (bucket < WIDTH - 1 && ms > DURATION_BOUNDS_MS[bucket]!) bucket++;
    const at = index * WIDTH + bucket;
    this.#counts[at] = this.#counts[at]! + 1;
    this.#sums[index] = this.#sums[index]! + ms;
  }

  /** Requests counted under `result` so far. */
  count(result: CacheResult | "NONE"): number {
    const index = RESULTS.indexOf(result);
    let total = 0;
    for (let i = 0; i < WIDTH; i++) total += this.#counts[index * WIDTH + i]!;
    return total;
  }

  /** Every result's cumulative buckets and sum (a copy), in RESULTS order. */
  read(): ResultTimes[] {
    return RESULTS.map((result, index) => {
      const cumulative: number[] = [];
      let running = 0;
      for (let i = 0; i < WIDTH; i++) {
        running += this.#counts[index * WIDTH + i]!;
        cumulative.push(running);
      }
      return { result, cumulative, sumMs: this.#sums[index]! };
    });
  }
}
