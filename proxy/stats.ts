/**
 * Owns the proxy's counters, kept in one place: requests, upstream
 * connects and reuses, errors by kind, and (with the cache) hits, misses,
 * revalidations and collapsed requests. Tests read them as their oracle.
 *
 * The upstream counters: `upstream.requests`, `.connects`, `.reuses`;
 * idle connections dropped and why: `.idle_closed_eof`,
 * `.idle_closed_bytes`, `.idle_closed_reset`, `.idle_expired`;
 * connections not pooled after a response and why:
 * `.not_pooled_extra_bytes`, `.not_pooled_closed`,
 * `.not_pooled_max_requests`, `.not_pooled_short_keepalive`,
 * `.not_pooled_full`; requests sent again: `.retries` (RFC 9110 §9.2.2),
 * `.resends` (nothing had been sent), and `.not_retried` (lost, and not
 * safe to send again: 502); `.waits` and `.wait_timeouts` at
 * --max-upstream-connections; `.read_timeouts`; `.connect-failed`,
 * `.connect-timeout`.
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
