/**
 * Owns request collapsing's bookkeeping: the fills in flight, one per
 * cache key, each a lock object (`Fill`) that the one request filling the
 * key holds and that other requests for the key wait on. A Fill is
 * released exactly once, when it is disposed (`using`), or, when its
 * leader asked it to, once the body it stores has settled.
 *
 * Must not decide what to fetch or store: flow.ts does.
 */

/** The fill of one key in flight: the lock its leader holds. */
export class Fill implements Disposable {
  readonly key: string;
  #fills: Map<string, Fill>;
  #until: Promise<unknown> | undefined;
  #released = Promise.withResolvers<void>();
  #done = false;

  constructor(key: string, fills: Map<string, Fill>) {
    this.key = key;
    this.#fills = fills;
  }

  /** Resolves once the fill is released. */
  get released(): Promise<void> {
    return this.#released.promise;
  }

  /**
   * Keeps the lock, once disposed, until `settled` settles (the body the
   * fill stores); without it the lock goes when disposed.
   */
  holdUntil(settled: Promise<unknown> | undefined): void {
    this.#until = settled;
  }

  /** Releases the lock now, or once what holdUntil() named settled. */
  [Symbol.dispose](): void {
    const release = () => this.#release();
    if (this.#until) this.#until.then(release, release);
    else release();
  }

  #release(): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#fills.get(this.key) === this) this.#fills.delete(this.key);
    this.#released.resolve();
  }
}

/** The fills in flight, one per cache key. */
export class FillRegistry {
  #fills = new Map<string, Fill>();

  /**
   * Makes the caller the filler of `key`: the lock to hold (`using`), or
   * undefined when another request is filling it.
   */
  lead(key: string): Fill | undefined {
    if (this.#fills.has(key)) return undefined;
    const fill = new Fill(key, this.#fills);
    this.#fills.set(key, fill);
    return fill;
  }

  /** The fill of `key` in flight, if any. */
  current(key: string): Fill | undefined {
    return this.#fills.get(key);
  }
}

/** Waits until `fill` is released, at most `maxWaitMs`. */
export async function waitFor(fill: Fill, maxWaitMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const giveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, maxWaitMs);
  });
  try {
    await Promise.race([fill.released, giveUp]);
  } finally {
    clearTimeout(timer);
  }
}
