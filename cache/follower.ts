/**
 * Owns read-while-write on the reader's side: a Follower reads the body
 * of one store write from byte 0, as it is written, at its own pace. It
 * yields the bytes held in memory (shared views) or flushed to the body
 * file (read through the fill's shared handle into one READ_CHUNK buffer
 * of its own), waits for the writer's next report when it has caught up,
 * ends only once the body is complete (committed, or ended whole without
 * being stored) with exactly the bytes it yielded, and throws "Cannot read
 * cached body: ..." when the fill failed or the bytes it needs were let go
 * after a failed write: it never passes a truncated body off as complete.
 *
 * Must not change the fill: only the writer reports progress; a follower
 * only says it moved (so that a failed write can let go of what every
 * follower read).
 */

import type { BodyReader } from "../http/types.ts";
import { READ_CHUNK } from "./limits.ts";
import type { SharedFile } from "./shared_file.ts";

/** Where a fill stands: written to, complete (stored or not), or failed. */
export type FillState = "open" | "complete" | "failed";

/** A fill as its followers see it (fill.ts). */
export interface FillProgress {
  readonly state: FillState;
  /** Why it failed (empty unless failed). */
  readonly failure: string;
  /** The complete body's size in bytes (0 until complete). */
  readonly size: number;
  /** Bytes written so far (held in memory, on disk, or let go after a failed write). */
  readonly readable: number;
  /** Bytes readable from the body file. */
  readonly onDisk: number;
  /** The body file's shared read handle. */
  readonly file: SharedFile;
  /** A view of up to `max` held bytes at `at`, or undefined when not held. */
  chunkAt(at: number, max: number): Uint8Array | undefined;
  /** Calls `wake` once, at the next change; returns a function that unregisters it. */
  onChange(wake: () => void): () => void;
  /** A follower read on (see Follower.position). */
  moved(): void;
}

/** What a fill tells its store about its followers (the store aborts them at close). */
export interface FollowerHooks {
  /** A follower was made. */
  opened(follower: Follower): void;
  /** A follower let go of what it held (end, cancel, error or abort). */
  closed(follower: Follower): void;
}

/** How a follower is made. */
export interface FollowerOptions {
  /** The announced body length in bytes, reported as `length`. */
  length: number | undefined;
  hooks?: FollowerHooks;
}

const PREFIX = "Cannot read cached body: ";

/**
 * A reader of a fill from byte 0. Chunks held in memory are shared views
 * (read-only); chunks read from the file are views of one buffer, valid
 * until the next read(): copy what you keep.
 */
export class Follower implements BodyReader {
  readonly length: number | undefined;
  #fill: FillProgress;
  #hooks: FollowerHooks | undefined;
  #at = 0;
  #buffer: Uint8Array | undefined;
  #reading = false;
  #released = false;
  #stopped: "cancelled" | "aborted" | undefined;
  /** The message this follower threw: every later read throws it again. */
  #error: string | undefined;
  #unwait: (() => void) | undefined;

  constructor(fill: FillProgress, options: FollowerOptions) {
    this.#fill = fill;
    this.length = options.length;
    this.#hooks = options.hooks;
    fill.file.hold();
  }

  /** The offset of the next byte it reads. */
  get position(): number {
    return this.#at;
  }

  async read(): Promise<Uint8Array | null> {
    for (;;) {
      const verdict = this.#check();
      if (verdict !== "go") return verdict;
      const fill = this.#fill;
      const held = fill.chunkAt(this.#at, READ_CHUNK);
      if (held) {
        this.#at += held.length;
        fill.moved();
        return held;
      }
      if (this.#at < fill.onDisk) return await this.#readFile();
      if (this.#at < fill.readable) {
        this.#fail(
          `${PREFIX}the write failed and byte ${this.#at} on were let go`,
        );
      }
      if (fill.state === "complete") {
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
    if (fill.state === "failed") this.#fail(PREFIX + fill.failure);
    const length = this.length;
    if (length === undefined) return "go";
    const complete = fill.state === "complete";
    const size = complete ? fill.size : fill.readable;
    if (size > length || (complete && size !== length)) {
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
    this.#fill.moved();
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
