/**
 * Owns how the bench folds repeated runs into one figure: the median of
 * the rounds (or the maximum, for a peak), and the collection of samples
 * per figure and proxy (with the round each was measured in).
 *
 * Must not run anything or print; pure code only.
 */

/** How the samples of one figure become one number. */
export type Aggregate = "median" | "max";

/** The median of `values`; the mean of the middle two for an even count. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle];
  return (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Folds `values` with `aggregate`; undefined when there is none. */
export function aggregateOf(
  values: readonly number[],
  aggregate: Aggregate,
): number | undefined {
  if (values.length === 0) return undefined;
  return aggregate === "median" ? median(values) : Math.max(...values);
}

/** One value of a figure for a proxy; `round` is 1-based, absent for a reading outside the rounds. */
export interface Sample {
  value: number;
  round?: number;
}

/** The samples of every (figure, proxy) pair, in the order they came. */
export class Samples {
  #samples = new Map<string, Sample[]>();

  /** Keeps `value` when it is finite; `round` ties it to the round it was measured in. */
  add(figure: string, proxy: string, value: number, round?: number): void {
    if (!Number.isFinite(value)) return;
    const key = `${figure}\u0000${proxy}`;
    const sample = round === undefined ? { value } : { value, round };
    const list = this.#samples.get(key);
    if (list === undefined) this.#samples.set(key, [sample]);
    else list.push(sample);
  }

  /** Every value of the pair, in the order they came. */
  of(figure: string, proxy: string): readonly number[] {
    return (this.#samples.get(`${figure}\u0000${proxy}`) ?? []).map((s) =>
      s.value
    );
  }

  /** The pair's values by round; a later value of the same round replaces an earlier one. */
  byRound(figure: string, proxy: string): Map<number, number> {
    const rounds = new Map<number, number>();
    for (const sample of this.#samples.get(`${figure}\u0000${proxy}`) ?? []) {
      if (sample.round !== undefined) rounds.set(sample.round, sample.value);
    }
    return rounds;
  }
}
