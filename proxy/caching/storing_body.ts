/**
 * Owns teeing a response body into the cache while it streams to the
 * client: every chunk goes to the store writer, then on to the client.
 * The entry is committed only when the whole body arrived intact and
 * within the size limit; a broken upstream, a client that went away or an
 * oversize body abort it, and the client still gets the truth (the
 * framing error propagates and its connection is closed). Also reading a
 * small body whole before its head goes out (`readAhead`), so whether it
 * was stored is known in time for Cache-Status.
 *
 * Must not decide whether to store (cache/policy.ts) nor write to
 * sockets.
 */

import { concatBytes } from "../../http/bytes.ts";
import type { FieldList } from "../../http/headers.ts";
import type { BodyReader } from "../../http/types.ts";
import type { EntryWriter } from "../../cache/store.ts";

/** How the store write ended. */
export type StoreOutcome =
  | "stored"
  | "aborted"
  | "too-large"
  | "failed"
  /** The source said, at its end, that it is not to be trusted. */
  | "untrusted";

/** Limits on what a StoringBody commits. */
export interface StoringOptions {
  /** Bodies larger than this are not stored. */
  maxBytes: number;
  /**
   * Asked once the source ended: false when the response must not be
   * stored after all (an upstream that sent bytes right behind it).
   */
  trusted?: () => boolean;
}

/** A body that copies what passes through it into a store writer. */
export class StoringBody implements BodyReader {
  readonly length: number | undefined;
  #source: BodyReader;
  #writer: EntryWriter;
  #maxBytes: number;
  #trusted: () => boolean;
  #written = 0;
  #writing = true;
  #onDone: (outcome: StoreOutcome) => void;
  #finished = false;

  /**
   * `onDone` is called once, after the commit or the abort, with what
   * became of the entry.
   */
  constructor(
    source: BodyReader,
    writer: EntryWriter,
    options: StoringOptions,
    onDone: (outcome: StoreOutcome) => void,
  ) {
    this.#source = source;
    this.#writer = writer;
    this.#maxBytes = options.maxBytes;
    this.#trusted = options.trusted ?? (() => true);
    this.#onDone = onDone;
    this.length = source.length;
  }

  async read(): Promise<Uint8Array | null> {
    let chunk: Uint8Array | null;
    try {
      chunk = await this.#source.read();
    } catch (e) {
      await this.#abort("aborted");
      throw e;
    }
    if (chunk === null) {
      if (this.#trusted()) await this.#commit();
      else await this.#abort("untrusted");
      return null;
    }
    this.#written += chunk.length;
    if (this.#writing && this.#written > this.#maxBytes) {
      await this.#abort("too-large");
    }
    if (this.#writing) await this.#writer.write(chunk);
    return chunk;
  }

  trailers(): FieldList | undefined {
    return this.#source.trailers();
  }

  async cancel(): Promise<void> {
    await this.#abort("aborted");
    await this.#source.cancel();
  }

  async #commit(): Promise<void> {
    if (!this.#writing) return this.#finish(this.#outcomeIfStopped);
    this.#writing = false;
    const stored = await this.#writer.commit(this.#written);
    this.#finish(stored ? "stored" : "failed");
  }

  #outcomeIfStopped: StoreOutcome = "aborted";

  async #abort(outcome: StoreOutcome): Promise<void> {
    if (!this.#writing) return this.#finish(this.#outcomeIfStopped);
    this.#writing = false;
    this.#outcomeIfStopped = outcome;
    await this.#writer.abort();
    if (outcome !== "too-large") this.#finish(outcome); // an oversize body still streams on
  }

  #finish(outcome: StoreOutcome): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#onDone(outcome);
  }
}

/**
 * Reads a body whole before its response head goes out: its bytes, or,
 * when it fails part-way, a body that yields what arrived and then throws
 * the same error, so the client sees the same cut it would have seen
 * while streaming.
 */
export async function readAhead(
  body: BodyReader,
): Promise<Uint8Array | BodyReader> {
  const parts: Uint8Array[] = [];
  try {
    for (let c = await body.read(); c !== null; c = await body.read()) {
      parts.push(c);
    }
  } catch (error) {
    return new ReplayBody(parts, error, body.length);
  }
  return concatBytes(parts);
}

/** What arrived of a body, then the error that cut it. */
class ReplayBody implements BodyReader {
  readonly length: number | undefined;
  #parts: Uint8Array[];
  #error: unknown;

  constructor(parts: Uint8Array[], error: unknown, length: number | undefined) {
    this.#parts = parts;
    this.#error = error;
    this.length = length;
  }

  read(): Promise<Uint8Array | null> {
    const next = this.#parts.shift();
    return next ? Promise.resolve(next) : Promise.reject(this.#error);
  }

  trailers(): undefined {
    return undefined;
  }

  cancel(): Promise<void> {
    this.#parts = [];
    return Promise.resolve();
  }
}
