/**
 * Owns read-while-write on the writer's side: the body of one store write
 * as far as it got (a Fill), shared by the writer and any number of
 * followers (follower.ts), each at its own offset and pace. The writer
 * reports progress (bytes held in memory, bytes flushed to the body file,
 * the body complete, stored or not, or failed); each report wakes the
 * followers waiting for it (promises, no timers). While the write stores,
 * the writer never waits for a follower.
 *
 * Once the write stores nothing more (a failed write: `unstore()`), the
 * rest of the body is held in memory for the followers, each byte until
 * every follower that can still use it has read it, and the writer waits
 * (`room()`) while more than its bound is held: it then goes at the pace
 * of its slowest follower, as a relay without a cache does. A follower
 * started after bytes were let go cannot read them: it throws.
 *
 * Memory is bounded: held bytes (a small body, at most the writer's
 * buffer limit, or the backlog of a failed write) are shared with every
 * follower, never copied; bytes on disk are read through one shared
 * handle (shared_file.ts).
 *
 * Must not write files nor know where the body lives: the writer attaches
 * the handle and says how to reopen the committed body.
 */

import {
  type FillProgress,
  type FillState,
  Follower,
  type FollowerHooks,
} from "./follower.ts";
import { SharedFile } from "./shared_file.ts";

/** The body of one write as far as it got. */
export class Fill implements FillProgress {
  /** The body file's read handle, once the body streams to a file. */
  readonly file = new SharedFile();
  /** The fill's hooks for its followers: it tracks them, then tells the store. */
  #hooks: FollowerHooks;
  #followers = new Set<Follower>();
  #chunks: Uint8Array[] = [];
  /** End offset in the body of each held chunk (ascending, no gaps). */
  #ends: number[] = [];
  /** End offset of the held bytes (kept when they are let go). */
  #heldTo = 0;
  #onDisk = 0;
  #state: FillState = "open";
  #stored = false;
  #failure = "";
  #size = 0;
  /** The write stores nothing more: held bytes go once every follower read them. */
  #unstored = false;
  #waiters = new Set<() => void>();
  #room: { limit: number; resolve: () => void } | undefined;

  /** `hooks` hear of every follower made and let go (the store stops them at close). */
  constructor(hooks?: FollowerHooks) {
    this.#hooks = {
      opened: (follower) => {
        this.#followers.add(follower);
        hooks?.opened(follower);
      },
      closed: (follower) => {
        this.#followers.delete(follower);
        hooks?.closed(follower);
        this.moved();
      },
    };
  }

  get state(): FillState {
    return this.#state;
  }

  /** Why the fill failed ("the fill was aborted"; empty unless failed). */
  get failure(): string {
    return this.#failure;
  }

  /** The complete body's size (0 until complete). */
  get size(): number {
    return this.#size;
  }

  /** True once complete and stored (committed). */
  get stored(): boolean {
    return this.#stored;
  }

  /** Bytes written so far: every one of them held in memory, on disk, or let go after a failed write. */
  get readable(): number {
    return Math.max(this.#heldTo, this.#onDisk);
  }

  /** Bytes readable from the body file. */
  get onDisk(): number {
    return this.#onDisk;
  }

  /** Appends the next chunk of the body, held in memory; the fill keeps it: the caller must not change it. */
  hold(chunk: Uint8Array): void {
    if (this.#state !== "open" || chunk.length === 0) return;
    if (this.#onDisk >= this.#heldTo) this.#dropHeld(); // all on disk already
    this.#heldTo = this.readable + chunk.length;
    this.#chunks.push(chunk);
    this.#ends.push(this.#heldTo);
    if (this.#unstored) this.#trim();
    this.#notify();
  }

  /** Replaces the held chunks, the whole body from byte 0, by one array of the same bytes. */
  holdWhole(bytes: Uint8Array): void {
    const whole = this.#heldFrom() === 0 && bytes.length === this.#heldTo;
    if (this.#state !== "open" || this.#unstored || !whole) return;
    this.#chunks = bytes.length > 0 ? [bytes] : [];
    this.#ends = bytes.length > 0 ? [bytes.length] : [];
  }

  /** `count` more bytes are in the body file. */
  flushed(count: number): void {
    if (this.#state !== "open") return;
    this.#onDisk += count;
    this.#notify();
  }

  /** Drops the held bytes when they are in the body file too (flushed first). */
  forgetHeld(): void {
    if (this.#onDisk >= this.#heldTo) this.#dropHeld();
  }

  /**
   * The write stores nothing more (it failed): from now on held bytes are
   * let go once every follower that can use them read them.
   */
  unstore(): void {
    if (this.#state !== "open" || this.#unstored) return;
    this.#unstored = true;
    this.#trim();
  }

  /**
   * Resolves once at most `limit` bytes are held, or at once while the
   * write stores (one writer waits at a time).
   */
  room(limit: number): Promise<void> {
    if (this.#state !== "open" || !this.#unstored || this.#held() <= limit) {
      return Promise.resolve();
    }
    const wait = Promise.withResolvers<void>();
    this.#room = { limit, resolve: wait.resolve };
    return wait.promise;
  }

  /**
   * The body is complete at `size` bytes, `stored` (committed) or not:
   * followers end there.
   */
  complete(size: number, stored: boolean): void {
    if (this.#state !== "open") return;
    this.#state = "complete";
    this.#size = size;
    this.#stored = stored;
    this.#wakeWriter();
    this.#notify();
  }

  /** The write failed or was aborted: followers throw "Cannot read cached body: `reason`". */
  fail(reason: string): void {
    if (this.#state !== "open") return;
    this.#state = "failed";
    this.#failure = reason;
    this.#dropHeld();
    this.#wakeWriter();
    this.#notify();
  }

  /** A follower read on or let go: after a failed write, what every follower read is let go. */
  moved(): void {
    if (this.#unstored) this.#trim();
  }

  /**
   * A view of up to `max` held bytes starting at `at`, or undefined when
   * `at` is not held in memory. Read-only: shared with the writer.
   */
  chunkAt(at: number, max: number): Uint8Array | undefined {
    if (this.#chunks.length === 0 || at < this.#heldFrom()) return undefined;
    if (at >= this.#heldTo) return undefined;
    let low = 0;
    let high = this.#ends.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.#ends[mid]! > at) high = mid;
      else low = mid + 1;
    }
    const chunk = this.#chunks[low]!;
    const from = at - (this.#ends[low]! - chunk.length);
    return chunk.subarray(from, Math.min(chunk.length, from + max));
  }

  /** Calls `wake` once, at the next change; returns a function that unregisters it. */
  onChange(wake: () => void): () => void {
    this.#waiters.add(wake);
    return () => this.#waiters.delete(wake);
  }

  /** A reader of the body from byte 0 (see EntryWriter.follow). */
  follow(length?: number): Follower {
    const announced = length ??
      (this.#state === "complete" ? this.#size : undefined);
    const follower = new Follower(this, {
      length: announced,
      hooks: this.#hooks,
    });
    this.#hooks.opened(follower);
    return follower;
  }

  /** Offset of the first held byte (#heldTo when none is held). */
  #heldFrom(): number {
    const first = this.#chunks[0];
    return first ? this.#ends[0]! - first.length : this.#heldTo;
  }

  /** Bytes held in memory. */
  #held(): number {
    return this.#heldTo - this.#heldFrom();
  }

  #dropHeld(): void {
    this.#chunks = [];
    this.#ends = [];
  }

  /** Lets go of the held chunks every follower that can still use them has read. */
  #trim(): void {
    const from = this.#heldFrom();
    const lost = from > this.#onDisk; // bytes before `from` were let go: followers behind them cannot go on
    let low = this.#heldTo;
    for (const follower of this.#followers) {
      const at = follower.position;
      if (!lost || at >= from) low = Math.min(low, at);
    }
    let count = 0;
    while (count < this.#chunks.length && this.#ends[count]! <= low) count++;
    if (count > 0) {
      this.#chunks.splice(0, count);
      this.#ends.splice(0, count);
    }
    this.#wakeWriter();
  }

  #wakeWriter(): void {
    const room = this.#room;
    if (!room) return;
    if (this.#state === "open" && this.#held() > room.limit) return;
    this.#room = undefined;
    room.resolve();
  }

  #notify(): void {
    if (this.#waiters.size === 0) return;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }
}
