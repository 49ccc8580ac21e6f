/**
 * Owns request collapsing's bookkeeping: the fills in flight, one per
 * cache key, each a lock object (`Fill`) that the one request filling the
 * key holds and that other requests for the key wait on. The leader
 * publishes what it does (it stores a response the others may read as it
 * grows, or it ended without one); a Fill is released exactly once, when
 * it is disposed (`using`), or, when its leader asked, once the body it
 * stores has settled. Releasing publishes "ended" to whoever still waits.
 *
 * Must not decide what to fetch or store: flow.ts does.
 */

import type { EntryMeta } from "../../cache/meta.ts";
import type { Filling } from "./fill.ts";

/** What requests waiting for a fill learn from its leader. */
export type FillNews =
  /**
   * The leader stores this response: collapsed requests may answer from
   * `entry` (the draft, its body size the announced length or 0) and read
   * the body as it grows from `filling`.
   */
  | { kind: "storing"; entry: EntryMeta; filling: Filling }
  /** The fill ended with nothing to read from: look again. */
  | { kind: "ended" };

const ENDED: FillNews = { kind: "ended" };

/** The fill of one key in flight: the lock its leader holds. */
export class Fill implements Disposable {
  readonly key: string;
  #fills: Map<string, Fill>;
  #until: Promise<unknown> | undefined;
  #news = Promise.withResolvers<FillNews>();
  #published = false;
  #released = Promise.withResolvers<void>();
  #done = false;

  constructor(key: string, fills: Map<string, Fill>) {
    this.key = key;
    this.#fills = fills;
  }

  /** Resolves with the leader's news (at the latest, "ended" at release). */
  get news(): Promise<FillNews> {
    return this.#news.promise;
  }

  /** Resolves once the fill is released. */
  get released(): Promise<void> {
    return this.#released.promise;
  }

  /** Tells the waiting requests what the leader does (the first news only). */
  publish(news: FillNews): void {
    if (this.#published) return;
    this.#published = true;
    this.#news.resolve(news);
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
    this.publish(ENDED);
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

/**
 * What the leader of `fill` stores, once it says so (bounded by
 * `maxWaitMs`): undefined when it ended with nothing to read from, its
 * write already settled, or the wait ran out.
 */
export async function storingNews(
  fill: Fill,
  maxWaitMs: number,
): Promise<Extract<FillNews, { kind: "storing" }> | undefined> {
  const news = await within(fill.news, maxWaitMs);
  if (news?.kind !== "storing" || news.filling.outcome !== undefined) {
    return undefined;
  }
  return news;
}

/** What `promise` resolves with, or undefined once `maxWaitMs` passed. */
export async function within<T>(
  promise: Promise<T>,
  maxWaitMs: number,
): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const giveUp = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), maxWaitMs);
  });
  try {
    return await Promise.race([promise, giveUp]);
  } finally {
    clearTimeout(timer);
  }
}
