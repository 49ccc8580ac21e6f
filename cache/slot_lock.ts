/**
 * Owns the per-entry ordering of the file store's multi-step operations
 * (the metadata switch, 304 updates, removals): work on one slot runs one
 * at a time in call order, so the index and the disk never disagree about
 * which version is current. Different slots run concurrently.
 *
 * Must not know what the work does.
 */

/** A queue of async work per slot. */
export class SlotLocks {
  #tails = new Map<string, Promise<void>>();

  /** True when no work of `slot` is queued or running. */
  idle(slot: string): boolean {
    return !this.#tails.has(slot);
  }

  /** Runs `work` once every earlier work of `slot` has settled. */
  run<T>(slot: string, work: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(slot) ?? Promise.resolve();
    const result = before.then(work);
    const tail = result.then(() => {}, () => {});
    this.#tails.set(slot, tail);
    tail.then(() => {
      if (this.#tails.get(slot) === tail) this.#tails.delete(slot);
    });
    return result;
  }
}
