/**
 * Owns how the bench folds repeated runs into one figure: the median of
 * the rounds (or the maximum, for a peak), and the collection of samples
 * per figure and proxy.
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

/** The samples of every (figure, proxy) pair, in the order they came. */
export class Samples {
  #values = new Map<string, number[]>();

  add(figure: string, proxy: string, value: number): void {
    if (!Number.isFinite(value)) return;
    const key = `${figure}\u0000${proxy}`;
    const list = this.#values.get(key);
    if (list === undefined) this.#values.set(key, [value]);
    else list.push(value);
  }

  of(figure: string, proxy: string): readonly number[] {
    return this.#values.get(`${figure}\u0000${proxy}`) ?? [];
  }
}
