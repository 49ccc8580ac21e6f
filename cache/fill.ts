/**
 * Owns read-while-write on the writer's side: the body of one store write
 * as far as it got (a Fill), shared by the writer and any number of
 * followers (follower.ts), each at its own offset and pace. The writer
 * reports progress (bytes held in memory, bytes flushed to the body file,
 * commit, failure) and never waits for a follower; each report wakes the
 * followers waiting for it (promises, no timers).
 *
 * Memory is bounded: held bytes (a small body, at most the writer's
 * buffer limit) are shared with every follower, never copied; bytes on
 * disk are read through one shared handle (shared_file.ts).
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
  #hooks: FollowerHooks | undefined;
  #chunks: Uint8Array[] = [];
  /** End offset of each held chunk (ascending). */
  #ends: number[] = [];
  #inMemory = 0;
  #onDisk = 0;
  #state: FillState = "open";
  #failure = "";
  #size = 0;
  #waiters = new Set<() => void>();

  constructor(hooks?: FollowerHooks) {
    this.#hooks = hooks;
  }

  get state(): FillState {
    return this.#state;
  }

  /** Why the fill failed ("the fill was aborted"; empty unless failed). */
  get failure(): string {
    return this.#failure;
  }

  /** The committed body size (0 until committed). */
  get size(): number {
    return this.#size;
  }

  /** Bytes a follower may read now, from memory or from the file. */
  get readable(): number {
    return Math.max(this.#inMemory, this.#onDisk);
  }

  /** Bytes readable from the body file. */
  get onDisk(): number {
    return this.#onDisk;
  }

  /** Appends a chunk held in memory; the fill keeps it: the caller must not change it. */
  hold(chunk: Uint8Array): void {
    if (this.#state !== "open" || chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#inMemory += chunk.length;
    this.#ends.push(this.#inMemory);
    this.#notify();
  }

  /** Replaces the held chunks by one array of the same bytes (frees the chunk list). */
  holdWhole(bytes: Uint8Array): void {
    if (this.#state !== "open" || bytes.length !== this.#inMemory) return;
    this.#chunks = bytes.length > 0 ? [bytes] : [];
    this.#ends = bytes.length > 0 ? [bytes.length] : [];
  }

  /** `count` more bytes are in the body file. */
  flushed(count: number): void {
    if (this.#state !== "open") return;
    this.#onDisk += count;
    this.#notify();
  }

  /** Drops the held bytes: they are in the body file now (flushed first). */
  forgetHeld(): void {
    if (this.#onDisk < this.#inMemory) return; // not on disk: keep serving them from memory
    this.#chunks = [];
    this.#ends = [];
    this.#inMemory = 0;
  }

  /** The write committed `size` bytes: followers end there. */
  commit(size: number): void {
    if (this.#state !== "open") return;
    this.#state = "committed";
    this.#size = size;
    this.#notify();
  }

  /** The write failed or was aborted: followers throw "Cannot read cached body: `reason`". */
  fail(reason: string): void {
    if (this.#state !== "open") return;
    this.#state = "failed";
    this.#failure = reason;
    this.#chunks = [];
    this.#ends = [];
    this.#notify();
  }

  /**
   * A view of up to `max` held bytes starting at `at`, or undefined when
   * `at` is not held in memory. Read-only: shared with the writer.
   */
  chunkAt(at: number, max: number): Uint8Array | undefined {
    if (at >= this.#inMemory || this.#chunks.length === 0) return undefined;
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
      (this.#state === "committed" ? this.#size : undefined);
    const follower = new Follower(this, {
      length: announced,
      hooks: this.#hooks,
    });
    this.#hooks?.opened(follower);
    return follower;
  }

  #notify(): void {
    if (this.#waiters.size === 0) return;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }
}
