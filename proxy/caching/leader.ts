/**
 * Owns the body the client that started a fill reads (the leader's): the
 * entry as it grows, through a follower of the store write like every
 * collapsed request, at its client's pace, never holding the fill back.
 * When the fill outgrows --max-object-size it stops storing and hands the
 * rest of the upstream body to this reader: it reads the entry up to that
 * point, then the upstream directly, so the client that asked gets every
 * byte while nothing more is stored.
 *
 * A small body kept whole that did not arrive whole is replayed to the
 * leader as far as it came, then cut (ReplayBody).
 *
 * Must not read the upstream before the fill hands it over, nor write to
 * the store.
 */

import type { FieldList } from "../../http/headers.ts";
import type { BodyReader } from "../../http/types.ts";

/** Where a fill stopped storing, and what it hands to its leader. */
export interface Handoff {
  /** Bytes written to the entry (and readable from it) before the hand-off. */
  at: number;
  /** The chunk the fill read but did not store. */
  chunk: Uint8Array;
}

/** What the leader's body needs from its fill (fill.ts). */
export interface LeaderSource {
  /** The hand-off, once the fill outgrew the limit (the fill then calls wake()). */
  readonly handoff: Handoff | undefined;
  /** The upstream body: read only after a hand-off. */
  readonly upstream: BodyReader;
  /** The upstream's error, when that is why the fill failed. */
  readonly upstreamError: unknown;
  /** Settles once the write ended (never rejects); `outcome` then says how. */
  readonly done: Promise<unknown>;
  /** "stored" once the entry was stored. */
  readonly outcome: string | undefined;
  /** The leader took the rest (true), or left (false): the fill may stop its write. */
  handedOver(taken: boolean): void;
}

/** How the leader's body ended, for the access log. */
export type LeaderEnd = "stored" | "not-stored";

/** The leader's reader of a fill. */
export class LeaderBody implements BodyReader {
  readonly length: number | undefined;
  #fill: LeaderSource;
  #follower: BodyReader;
  #onEnd: (end: LeaderEnd) => void;
  #at = 0;
  #tail: { first: Uint8Array | undefined } | undefined;
  #ended = false;
  #cancelled = false;

  /**
   * `follower` reads the store write from byte 0 (EntryWriter.follow);
   * `onEnd` is called once when the body ended or failed.
   */
  constructor(
    fill: LeaderSource,
    options: {
      follower: BodyReader;
      length: number | undefined;
      onEnd: (end: LeaderEnd) => void;
    },
  ) {
    this.#fill = fill;
    this.#follower = options.follower;
    this.length = options.length;
    this.#onEnd = options.onEnd;
  }

  async read(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.#tail) return await this.#readTail(this.#tail);
      const handoff = this.#fill.handoff;
      if (handoff && this.#at >= handoff.at) {
        this.#takeOver(handoff);
        continue;
      }
      let next: Uint8Array | null;
      try {
        next = await this.#follower.read();
      } catch (error) {
        this.#end("not-stored");
        throw this.#fill.upstreamError ?? error; // the upstream's own error when it cut the body
      }
      if (next === null) {
        const handoff = this.#fill.handoff;
        if (this.#cancelled) return null;
        if (!handoff) {
          await this.#fill.done; // the body is whole: was it stored?
          this.#end(this.#fill.outcome === "stored" ? "stored" : "not-stored");
          return null;
        }
        if (this.#at >= handoff.at) continue; // woken by wake(): the upstream goes on
        this.#end("not-stored");
        throw new Error(
          `Cannot read the body: it stopped at byte ${this.#at}, before ${handoff.at}`,
        );
      }
      this.#at += next.length;
      return next;
    }
  }

  trailers(): FieldList | undefined {
    return this.#fill.upstream.trailers();
  }

  async cancel(): Promise<void> {
    this.#cancelled = true;
    if (this.#tail) {
      await this.#fill.upstream.cancel();
      return;
    }
    this.#fill.handedOver(false); // a client that left does not hold the fill
    await this.#follower.cancel();
  }

  /**
   * The fill handed off: a read waiting at the end of what was stored
   * returns (its follower stops) so that the next one takes over.
   */
  wake(): void {
    const handoff = this.#fill.handoff;
    if (handoff && this.#at >= handoff.at) void this.#follower.cancel();
  }

  /** From here on the upstream is read directly. */
  #takeOver(handoff: Handoff): void {
    this.#tail = { first: handoff.chunk };
    void this.#follower.cancel();
    this.#fill.handedOver(true);
  }

  async #readTail(tail: { first: Uint8Array | undefined }): Promise<
    Uint8Array | null
  > {
    const first = tail.first;
    if (first) {
      tail.first = undefined;
      return first;
    }
    let chunk: Uint8Array | null;
    try {
      chunk = await this.#fill.upstream.read();
    } catch (error) {
      this.#end("not-stored");
      throw error;
    }
    if (chunk === null) this.#end("not-stored");
    return chunk;
  }

  #end(end: LeaderEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onEnd(end);
  }
}

/**
 * What arrived of a body, then the error that cut it: the leader's body
 * of a small fill that did not end whole (fill.ts Filling.whole()).
 */
export class ReplayBody implements BodyReader {
  readonly length: number | undefined;
  #parts: Uint8Array[];
  #error: unknown;

  constructor(
    parts: Uint8Array[],
    cut: { error: unknown; length: number | undefined },
  ) {
    this.#parts = [...parts];
    this.#error = cut.error;
    this.length = cut.length;
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
