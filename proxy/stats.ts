/**
 * Owns the proxy's counters, kept in one place: requests, upstream
 * connects and reuses, errors by kind, and (with the cache) hits, misses,
 * revalidations and collapsed requests. Tests read them as their oracle.
 *
 * Must not decide anything: other modules count, this one only keeps.
 */

/** A snapshot of every counter, by name. */
export type StatsSnapshot = Record<string, number>;

/** Named monotonic counters. */
export class Stats {
  #counts = new Map<string, number>();

  /** Adds `by` (default 1) to a counter. */
  count(name: string, by = 1): void {
    this.#counts.set(name, (this.#counts.get(name) ?? 0) + by);
  }

  /** The current value of a counter (0 when never counted). */
  get(name: string): number {
    return this.#counts.get(name) ?? 0;
  }

  /** Every counter, sorted by name. */
  snapshot(): StatsSnapshot {
    const out: StatsSnapshot = {};
    for (const name of [...this.#counts.keys()].sort()) {
      out[name] = this.#counts.get(name)!;
    }
    return out;
  }
}
