/**
 * Owns the in-memory fake of the nodes' fill locks (SharedFills,
 * proxy/caching/shared_fills.ts) for component tests: several proxies in
 * one process given the same FakeSharedFills act as nodes of one
 * cluster. A lock is held until released, or dropped by the test
 * (`expire()`: its holder died); `unavailable` makes every claim fail as a
 * store that cannot be reached would.
 *
 * Must not assert: tests read `claims`, `held` and their own counters.
 */

import type { Claim, SharedFills } from "../../proxy/caching/shared_fills.ts";

/** Locks shared by the proxies of one test, in memory. */
export class FakeSharedFills implements SharedFills {
  /** Claims made, by every node. */
  claims = 0;
  /** While true, claim() answers "unavailable" and waits end at once. */
  unavailable = false;
  #held = new Map<string, number>();
  #waiters = new Map<string, (() => void)[]>();
  #nextToken = 1;

  /** The keys whose lock is held now. */
  get held(): string[] {
    return [...this.#held.keys()];
  }

  claim(key: string): Promise<Claim> {
    this.claims++;
    if (this.unavailable) return Promise.resolve({ kind: "unavailable" });
    if (this.#held.has(key)) return Promise.resolve({ kind: "taken" });
    const token = this.#nextToken++;
    this.#held.set(key, token);
    let released = false;
    return Promise.resolve({
      kind: "held",
      fill: {
        release: () => {
          if (released) return Promise.resolve();
          released = true;
          if (this.#held.get(key) === token) this.#drop(key); // ours only
          return Promise.resolve();
        },
      },
    });
  }

  awaitRelease(key: string, maxWaitMs: number): Promise<boolean> {
    if (this.unavailable || !this.#held.has(key)) {
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), maxWaitMs);
      const list = this.#waiters.get(key) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
      this.#waiters.set(key, list);
    });
  }

  /** Takes the lock of `key` for a node that will never release it. */
  takeForever(key: string): void {
    this.#held.set(key, this.#nextToken++);
  }

  /** The lock of `key` runs out (its holder died): waiters wake. */
  expire(key: string): void {
    this.#drop(key);
  }

  #drop(key: string): void {
    this.#held.delete(key);
    const list = this.#waiters.get(key) ?? [];
    this.#waiters.delete(key);
    for (const wake of list) wake();
  }
}
