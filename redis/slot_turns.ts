/**
 * Owns the order of commits per slot (key and variant) on this node:
 * commits land in the order commit() was called (Store contract: the
 * last one wins), however long each one's chunks take to send.
 *
 * Must not talk to Redis.
 */

/** One commit's place in its slot's line. */
export interface Turn {
  /** Resolves once every earlier commit of the slot is done. */
  wait: Promise<void>;
  /** This commit is done: the next one goes. */
  done(): void;
}

/** The lines of commits, by slot. */
export class SlotTurns {
  readonly #lines = new Map<string, Promise<void>>();

  /** Takes the next place in `slot`'s line (call done() in a finally). */
  turn(slot: string): Turn {
    const before = this.#lines.get(slot) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => release = resolve);
    const tail = before.then(() => mine);
    this.#lines.set(slot, tail);
    return {
      wait: before,
      done: () => {
        release();
        if (this.#lines.get(slot) === tail) this.#lines.delete(slot);
      },
    };
  }

  /** Resolves once every commit in line now is done. */
  async settled(): Promise<void> {
    await Promise.all([...this.#lines.values()]);
  }
}
