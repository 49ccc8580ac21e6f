/**
 * Owns in-memory stand-ins for sockets and bodies in unit tests: a byte
 * source that hands out scripted reads (one byte at a time if asked), a
 * sink that records each write, and a body reader built from chunks that
 * can fail part-way.
 *
 * Must not open sockets or files.
 */

import type { FieldList } from "../../http/headers.ts";
import type { BodyReader } from "../../http/types.ts";
import { bytes, join, text } from "./wire_text.ts";

/** A byte source that returns the given parts, one per read, then EOF. */
export class ScriptedSource {
  #parts: Uint8Array[];
  /** How many times read() was called. */
  reads = 0;

  constructor(parts: (string | Uint8Array)[]) {
    this.#parts = parts.map((p) => bytes(p).slice());
  }

  /** A source that delivers `data` one byte per read. */
  static bytewise(data: string | Uint8Array): ScriptedSource {
    return new ScriptedSource([...bytes(data)].map((b) => new Uint8Array([b])));
  }

  read(p: Uint8Array): Promise<number | null> {
    this.reads++;
    const next = this.#parts[0];
    if (next === undefined) return Promise.resolve(null);
    const n = Math.min(p.length, next.length);
    p.set(next.subarray(0, n));
    if (n === next.length) this.#parts.shift();
    else this.#parts[0] = next.subarray(n);
    return Promise.resolve(n);
  }
}

/** A sink that records every write (optionally accepting few bytes a write). */
export class RecordingSink {
  readonly writes: Uint8Array[] = [];
  #maxPerWrite: number;

  constructor(options: { maxPerWrite?: number } = {}) {
    this.#maxPerWrite = options.maxPerWrite ?? Number.POSITIVE_INFINITY;
  }

  write(p: Uint8Array): Promise<number> {
    const n = Math.min(p.length, this.#maxPerWrite);
    this.writes.push(p.slice(0, n));
    return Promise.resolve(n);
  }

  /** Everything written, as a latin1 string. */
  get text(): string {
    return text(join(this.writes));
  }
}

/** Options of a fake body. */
export interface FakeBodyOptions {
  /** The length the body claims (default: undefined, unknown). */
  length?: number;
  trailers?: FieldList;
  /** Throw this error instead of returning chunk number `failAt`. */
  failAt?: number;
  error?: Error;
}

/** A body reader yielding `chunks`; records whether it was cancelled. */
export class FakeBody implements BodyReader {
  readonly length: number | undefined;
  cancelled = false;
  #chunks: Uint8Array[];
  #next = 0;
  #options: FakeBodyOptions;

  constructor(chunks: (string | Uint8Array)[], options: FakeBodyOptions = {}) {
    this.#chunks = chunks.map((c) => bytes(c));
    this.length = options.length;
    this.#options = options;
  }

  read(): Promise<Uint8Array | null> {
    if (this.#next === this.#options.failAt) {
      return Promise.reject(
        this.#options.error ?? new Error("Cannot read body: scripted failure"),
      );
    }
    const chunk = this.#chunks[this.#next++];
    return Promise.resolve(chunk ?? null);
  }

  trailers(): FieldList | undefined {
    return this.#options.trailers;
  }

  cancel(): Promise<void> {
    this.cancelled = true;
    return Promise.resolve();
  }
}
