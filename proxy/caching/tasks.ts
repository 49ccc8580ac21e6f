/**
 * Owns the cache's work that no client waits for, so that shutdown can
 * end it: background tasks (at most one per key at a time) and fills
 * still storing (a fill goes on when its clients left). Closing stops
 * the fills and waits for both.
 *
 * Must not start work of its own: background.ts and filled.ts do.
 */

/** A fill in flight, as shutdown sees it (fill.ts Filling). */
export interface Stoppable {
  readonly done: Promise<unknown>;
  /** Aborts it; `done` settles soon after. */
  stop(): void;
}

/** Background tasks (at most one per key) and fills, awaited at shutdown. */
export class BackgroundTasks {
  #running = new Map<string, Promise<void>>();
  #fills = new Set<Stoppable>();
  #closing = false;

  /** True once close() began: new fills are stopped at once. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Keeps `fill` until it is done, so close() can stop it and wait. */
  track(fill: Stoppable): void {
    this.#fills.add(fill);
    const forget = () => this.#fills.delete(fill);
    fill.done.then(forget, forget);
    if (this.#closing) fill.stop();
  }

  /**
   * Starts `task` for `key` unless one is running; returns whether it
   * started. The task handles its own errors (a rejection is dropped).
   */
  start(key: string, task: () => Promise<void>): boolean {
    if (this.#running.has(key)) return false;
    const run = task().catch(() => {}).finally(() => this.#running.delete(key));
    this.#running.set(key, run);
    return true;
  }

  /** Stops the fills in flight, then waits for them and every task. */
  async close(): Promise<void> {
    this.#closing = true;
    while (this.#running.size > 0 || this.#fills.size > 0) {
      for (const fill of this.#fills) fill.stop();
      await Promise.allSettled([
        ...this.#running.values(),
        ...[...this.#fills].map((fill) => fill.done),
      ]);
    }
  }
}
