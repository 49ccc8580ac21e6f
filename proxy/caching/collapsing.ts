/**
 * Owns request collapsing's bookkeeping: the fills in flight, one per
 * cache key, each a lock object (`FillLock`) that the one request filling
 * the key holds and that other requests for the key wait on. The leader
 * publishes what it does (it stores a response the others may read as it
 * grows, or it ended without one); a FillLock is released exactly once,
 * when it is disposed (`using`), or, when its leader asked, once the body
 * it stores has settled. Releasing publishes "ended" (with the response
 * head the leader got, if any) to whoever still waits. A lock whose fill no longer stores (it failed, outgrew the
 * limit, or its key was forgotten) stays with its readers but leaves the
 * registry: the next request for the key leads a new fill.
 *
 * Must not decide what to fetch or store (flow.ts), nor whether a request
 * may follow a fill (cache/collapse.ts).
 */

import type { EntryMeta } from "../../cache/meta.ts";
import type { FieldList } from "../../http/headers.ts";
import type { Filling } from "./fill.ts";

/** What requests waiting for a fill learn from its leader. */
export type FillNews =
  /**
   * The leader stores this response: collapsed requests may answer from
   * `entry` (the draft, its body size the announced length or 0) and read
   * the body as it grows from `filling`.
   */
  | { kind: "storing"; entry: EntryMeta; filling: Filling }
  /**
   * The fill ended with nothing to read from: `response` is the response
   * head the leader got (absent when none came).
   */
  | { kind: "ended"; response?: { status: number; fields: FieldList } };

/** The fill of one key in flight: the lock its leader holds. */
export class FillLock implements Disposable {
  readonly key: string;
  #fills: Map<string, FillLock>;
  #until: Promise<unknown> | undefined;
  #news = Promise.withResolvers<FillNews>();
  #published: FillNews | undefined;
  #response: { status: number; fields: FieldList } | undefined;
  #released = Promise.withResolvers<void>();
  #done = false;
  #onRelease: (() => void)[] = [];

  constructor(key: string, fills: Map<string, FillLock>) {
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

  /**
   * True while a request for the key should wait for this fill rather
   * than lead one: its leader has not said yet what it does, or it stores
   * a response a reader attached now would get whole.
   */
  get open(): boolean {
    const news = this.#published;
    if (news === undefined) return !this.#done;
    return news.kind === "storing" && news.filling.storing;
  }

  /** Tells the waiting requests what the leader does (the first news only). */
  publish(news: FillNews): void {
    if (this.#published) return;
    this.#published = news;
    this.#news.resolve(news);
  }

  /**
   * The leader got this response head and stores nothing from it: the
   * "ended" news published at release says so.
   */
  endsWith(response: { status: number; fields: FieldList }): void {
    this.#response = response;
  }

  /**
   * Keeps the lock, once disposed, until `settled` settles (the body the
   * fill stores); without it the lock goes when disposed.
   */
  holdUntil(settled: Promise<unknown> | undefined): void {
    this.#until = settled;
  }

  /**
   * Calls `then` when the lock is released (at once when it already is):
   * what the fill holds besides, such as the nodes' lock of the key
   * (shared_fills.ts). `then` must not throw.
   */
  onRelease(then: () => void): void {
    if (this.#done) then();
    else this.#onRelease.push(then);
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
    const response = this.#response;
    this.publish(response ? { kind: "ended", response } : { kind: "ended" });
    this.#released.resolve();
    for (const then of this.#onRelease.splice(0)) then();
  }
}

/** The fills in flight, one per cache key. */
export class FillRegistry {
  #fills = new Map<string, FillLock>();

  /**
   * Makes the caller the filler of `key`: the lock to hold (`using`), or
   * undefined when another request's fill of it is open (FillLock.open).
   */
  lead(key: string): FillLock | undefined {
    if (this.#fills.get(key)?.open) return undefined;
    const lock = new FillLock(key, this.#fills); // none, or one that stores nothing more
    this.#fills.set(key, lock);
    return lock;
  }

  /** The fill of `key` in flight, if any. */
  current(key: string): FillLock | undefined {
    return this.#fills.get(key);
  }

  /**
   * The fill of `key` in flight, if any, leaves the registry (its readers
   * read on): the next request for the key leads a new one.
   */
  forget(key: string): void {
    this.#fills.delete(key);
  }
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
