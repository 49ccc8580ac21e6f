/**
 * Owns the proxy's bookkeeping of work in flight per cache key: the one
 * request filling a key that others wait for (request collapsing), and
 * background revalidations (stale-while-revalidate: once per key at a
 * time), tracked so shutdown can wait for them.
 *
 * Must not decide what to fetch or store: flow.ts does.
 */

/** Fills in flight, one per cache key, that other requests can wait for. */
export class FillRegistry {
  #fills = new Map<string, Promise<void>>();

  /**
   * Makes the caller the filler of `key` and returns the function that
   * ends the fill, or undefined when another request is filling it.
   */
  lead(key: string): (() => void) | undefined {
    if (this.#fills.has(key)) return undefined;
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#fills.set(key, promise);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#fills.delete(key);
      resolve();
    };
  }

  /**
   * Waits for the fill of `key` in flight, at most `maxWaitMs`. Returns
   * false at once when there is none.
   */
  async follow(key: string, maxWaitMs: number): Promise<boolean> {
    const fill = this.#fills.get(key);
    if (!fill) return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const giveUp = new Promise<void>((
      resolve,
    ) => (timer = setTimeout(resolve, maxWaitMs)));
    try {
      await Promise.race([fill, giveUp]);
    } finally {
      clearTimeout(timer);
    }
    return true;
  }
}

/** Background tasks, at most one per key, awaited at shutdown. */
export class BackgroundTasks {
  #running = new Map<string, Promise<void>>();

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

  /** Waits for every running task. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) {
      await Promise.allSettled([...this.#running.values()]);
    }
  }
}
