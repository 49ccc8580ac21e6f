/**
 * Owns read-while-write: the body of one store write as far as it got
 * (a Fill), shared by the writer and any number of followers, each a
 * BodyReader at its own offset and pace. The writer reports progress
 * (bytes held in memory, bytes flushed to the body file, commit, failure)
 * and never waits for a follower; followers wait on promises the
 * writer's progress resolves (no timers). A follower ends only once the
 * commit succeeded with exactly the bytes it yielded, and throws when the
 * fill failed: it never passes a truncated body off as complete.
 *
 * Memory per follower is bounded: bytes held in memory (a small body, at
 * most the writer's buffer limit) are shared views, never copies; bytes
 * on disk are read through one shared handle (shared_file.ts) into one
 * READ_CHUNK buffer per follower.
 *
 * Must not write files nor know where the body lives: the writer attaches
 * the handle and says how to reopen the committed body.
 */

import type { BodyReader } from "../http/types.ts";
import { READ_CHUNK } from "./body_reader.ts";
import { SharedFile } from "./shared_file.ts";

/** What a fill tells its store about its followers (the store aborts them at close). */
export interface FollowerHooks {
  /** A follower was made. */
  opened(follower: Follower): void;
  /** A follower let go of what it held (end, cancel, error or abort). */
  closed(follower: Follower): void;
}

/** Where a fill stands. */
export type FillState = "open" | "committed" | "failed";

const PREFIX = "Cannot read cached body: ";

/** The body of one write as far as it got. */
export class Fill {
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

  /** Why the fill failed: an Error message "Cannot read cached body: ...". */
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
    this.#failure = PREFIX + reason;
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
    const follower = new Follower(this, announced, this.#hooks);
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

/**
 * A reader of a fill from byte 0. Chunks held in memory are shared views
 * (read-only); chunks read from the file are views of one buffer, valid
 * until the next read(): copy what you keep.
 */
export class Follower implements BodyReader {
  readonly length: number | undefined;
  #fill: Fill;
  #hooks: FollowerHooks | undefined;
  #at = 0;
  #buffer: Uint8Array | undefined;
  #reading = false;
  #released = false;
  #stopped: "cancelled" | "aborted" | undefined;
  /** The message this follower threw: every later read throws it again. */
  #error: string | undefined;
  #unwait: (() => void) | undefined;

  constructor(fill: Fill, length: number | undefined, hooks?: FollowerHooks) {
    this.#fill = fill;
    this.length = length;
    this.#hooks = hooks;
    fill.file.hold();
  }

  async read(): Promise<Uint8Array | null> {
    for (;;) {
      const verdict = this.#check();
      if (verdict !== "go") return verdict;
      const fill = this.#fill;
      const held = fill.chunkAt(this.#at, READ_CHUNK);
      if (held) {
        this.#at += held.length;
        return held;
      }
      if (this.#at < fill.onDisk) return await this.#readFile();
      if (fill.state === "committed") {
        if (this.#at !== fill.size) {
          this.#fail(`${PREFIX}the fill ended at byte ${this.#at}`);
        }
        this.#release();
        return null;
      }
      await new Promise<void>((wake) => {
        const unwait = fill.onChange(wake);
        this.#unwait = () => {
          unwait();
          wake();
        };
      });
      this.#unwait = undefined;
    }
  }

  trailers(): undefined {
    return undefined;
  }

  /** Stops this follower only: the pending and later reads return null. */
  cancel(): Promise<void> {
    this.#stop("cancelled");
    return Promise.resolve();
  }

  /** Stops the follower for good: the pending and later reads throw (used by the store's close). */
  abort(): void {
    this.#stop("aborted");
  }

  /** "go" when the next bytes may be looked for; else the read's answer (or it throws). */
  #check(): "go" | null {
    if (this.#error !== undefined) throw new Error(this.#error);
    if (this.#stopped === "aborted") {
      this.#fail(`${PREFIX}the store was closed`);
    }
    if (this.#stopped === "cancelled") {
      this.#release();
      return null;
    }
    const fill = this.#fill;
    if (fill.state === "failed") this.#fail(fill.failure);
    const length = this.length;
    if (length === undefined) return "go";
    const size = fill.state === "committed" ? fill.size : fill.readable;
    if (size > length || (fill.state === "committed" && size !== length)) {
      this.#fail(
        `${PREFIX}the body has ${size} bytes, not the announced ${length}`,
      );
    }
    return "go";
  }

  #fail(message: string): never {
    this.#error = message;
    this.#release();
    throw new Error(message);
  }

  async #readFile(): Promise<Uint8Array | null> {
    const count = Math.min(READ_CHUNK, this.#fill.onDisk - this.#at);
    const buffer = this.#buffer ??= new Uint8Array(READ_CHUNK);
    let got: number | null;
    this.#reading = true;
    try {
      got = await this.#fill.file.readAt(this.#at, buffer.subarray(0, count));
    } catch (error) {
      this.#reading = false;
      this.#fail(PREFIX + messageOf(error));
    }
    this.#reading = false;
    const verdict = this.#check(); // stopped or failed while reading
    if (verdict !== "go") return verdict;
    if (got === null) this.#fail(`${PREFIX}the file ended at byte ${this.#at}`);
    this.#at += got;
    return buffer.subarray(0, got);
  }

  #stop(how: "cancelled" | "aborted"): void {
    if (this.#released) return;
    this.#stopped ??= how;
    this.#unwait?.(); // a read waiting for bytes answers now
    if (!this.#reading) this.#release(); // else released when that read returns
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#fill.file.release();
    this.#hooks?.closed(this);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
