/**
 * Owns the storing body: a pump that copies an upstream response body
 * into a store writer at the upstream's pace (and the store's), whatever
 * its readers do. Every client, the leader's included, reads the entry as
 * it grows (EntryWriter.follow): a slow client holds back nobody, and a
 * client that leaves does not stop the fill. The entry is committed only
 * when the whole body arrived intact and within --max-object-size.
 *
 * Whether a reader's body ends cleanly depends only on the upstream body,
 * never on the store: a body that arrived whole reaches every reader
 * whole, stored or not (a response vetoed at its end, found
 * untrustworthy, its key forgotten meanwhile or a newer response stored,
 * is discarded, not aborted; a store write that fails goes on for the
 * readers, EntryWriter.write); a broken upstream aborts the write, and
 * every reader's body then throws (its connection is closed, never a
 * short body passed off as complete). A body of unknown length that
 * outgrows the limit stops being stored and is handed to the leader
 * (leader.ts); the other readers are cut off. A small body of known
 * length is kept whole as well, for the leader to send once the fill
 * settled (so Cache-Status can say `stored`).
 *
 * Must not decide whether to store (cache/after_response.ts does) nor
 * write to sockets.
 */

import { concatBytes } from "../../http/bytes.ts";
import type { BodyReader } from "../../http/types.ts";
import type { EntryWriter } from "../../cache/store.ts";
import {
  type Handoff,
  LeaderBody,
  type LeaderEnd,
  type LeaderSource,
  ReplayBody,
} from "./leader.ts";

const STOPPED: unique symbol = Symbol("stopped");

/** How the store write ended. */
export type StoreOutcome =
  | "stored"
  | "aborted"
  | "too-large"
  | "failed"
  | StoreVeto;

/** Why a response that arrived whole is not stored after all. */
export type StoreVeto =
  /** The upstream said, at its end, that it is not to be trusted. */
  | "untrusted"
  /** Its key was forgotten (invalidated) after the request went upstream. */
  | "forgotten"
  /** A response for the same variant that arrived later is stored (RFC 9111 §4). */
  | "superseded";

/** What a fill reads, how it is bounded and how it reports. */
export interface FillOptions {
  /** The upstream response body. */
  upstream: BodyReader;
  /** Bodies larger than this (--max-object-size) are not stored. */
  maxBytes: number;
  /** Keep the body whole too (a small body the leader sends once settled). */
  keepWhole: boolean;
  /**
   * Asked once the upstream body ended: why the response must not be
   * stored after all, or undefined to commit it.
   */
  veto: () => StoreVeto | undefined | Promise<StoreVeto | undefined>;
  /**
   * True once the key was forgotten since the request went upstream: the
   * response will not be stored, and no new reader attaches (`storing`).
   */
  forgotten: () => boolean;
  /** Called once, as soon as the write ended: "stored", or why not. */
  onSettled: (outcome: StoreOutcome) => void;
}

/** One upstream body being stored, with its readers. */
export class Filling implements LeaderSource {
  readonly upstream: BodyReader;
  /** Settles once the write ended (never rejects). */
  readonly done: Promise<StoreOutcome>;
  #writer: EntryWriter;
  #options: FillOptions;
  #written = 0;
  #parts: Uint8Array[] | undefined;
  #outcome: StoreOutcome | undefined;
  /** Known before the write ended: why nothing will be stored. */
  #notStoring: StoreOutcome | undefined;
  /** The upstream body was read to its end. */
  #complete = false;
  #upstreamError: unknown = undefined;
  #stopped = false;
  /** Ends the upstream read under way with STOPPED (set while one is). */
  #interrupt: (() => void) | undefined;
  #handoff: Handoff | undefined;
  #leader: LeaderBody | undefined;
  #leaderGone = true; // until there is a leader
  #taken = Promise.withResolvers<boolean>();

  /** Starts pumping `options.upstream` into `writer` at once. */
  constructor(writer: EntryWriter, options: FillOptions) {
    this.upstream = options.upstream;
    this.#writer = writer;
    this.#options = options;
    this.#parts = options.keepWhole ? [] : undefined;
    this.done = this.#pump().then((ended) => {
      const outcome = this.#outcome ?? ended; // a failed write is the first word
      this.#outcome = outcome;
      options.onSettled(outcome);
      return outcome;
    });
  }

  /**
   * What became of the write: known once it ended, or, as "failed", as
   * soon as a store write failed (nothing will be stored; a request that
   * would collapse onto the fill now goes upstream itself instead, since
   * the start of the body may no longer be held for it).
   */
  get outcome(): StoreOutcome | undefined {
    return this.#outcome;
  }

  /**
   * True while a reader attached now gets the whole body (follow()) and
   * the write goes on to store it: not ended, no failed write, no
   * hand-off past the limit, not stopped, not vetoed, its key not
   * forgotten. A request that would collapse onto the fill goes upstream
   * otherwise (cache/collapse.ts).
   */
  get storing(): boolean {
    return this.#outcome === undefined && this.#notStoring === undefined &&
      !this.#stopped && !this.#options.forgotten();
  }

  get handoff(): Handoff | undefined {
    return this.#handoff;
  }

  get upstreamError(): unknown {
    return this.#upstreamError;
  }

  /** True when the body is kept whole for whole() (keepWhole). */
  get keepsWhole(): boolean {
    return this.#parts !== undefined;
  }

  /**
   * The reader of the client that started the fill (made once): the
   * entry as it grows, then, past the limit, the upstream itself.
   * `onEnd` hears once how it ended.
   */
  leaderBody(onEnd: (end: LeaderEnd) => void): BodyReader {
    if (this.#leader) return this.#leader;
    this.#leaderGone = false;
    return this.#leader = new LeaderBody(this, {
      follower: this.#writer.follow(this.upstream.length),
      length: this.upstream.length,
      onEnd,
    });
  }

  /** A reader of the entry as it grows, for a collapsed request (EntryWriter.follow). */
  follow(): BodyReader {
    return this.#writer.follow(this.upstream.length);
  }

  handedOver(taken: boolean): void {
    if (!taken) this.#leaderGone = true;
    this.#taken.resolve(taken);
  }

  /**
   * The whole body once the fill ended (keepWhole): its bytes when the
   * upstream body was read to its end; otherwise (the upstream failed
   * part-way, or the fill was stopped) a body that yields what arrived
   * and then throws (the upstream's own error), so the client sees the
   * same cut it would have seen while streaming, never a short body
   * passed off as complete.
   */
  async whole(): Promise<Uint8Array | BodyReader> {
    await this.done;
    const parts = this.#parts ?? [];
    if (this.#complete) {
      return concatBytes(parts); // one chunk (a small body): no copy
    }
    const size = parts.reduce((n, part) => n + part.length, 0);
    return new ReplayBody(parts, {
      error: this.#upstreamError ??
        new Error(`Cannot read the body: the fill stopped at byte ${size}`),
      length: this.upstream.length,
    });
  }

  /** Stops the fill (shutdown): the write is aborted, every reader throws. */
  stop(): void {
    this.#stopped = true;
    this.#interrupt?.(); // a read under way is not waited for
    this.#taken.resolve(false);
    void this.#writer.abort();
    void this.#cancelUpstream();
  }

  async #pump(): Promise<StoreOutcome> {
    const writer = this.#writer;
    for (;;) {
      let chunk: Uint8Array | null | typeof STOPPED;
      try {
        chunk = await this.#read();
      } catch (error) {
        this.#upstreamError = error;
        this.#notStoring = "aborted";
        await writer.abort();
        return "aborted";
      }
      if (chunk === STOPPED || this.#stopped) {
        this.#notStoring = "aborted";
        await writer.abort();
        return "aborted";
      }
      if (chunk === null) break;
      if (this.#written + chunk.length > this.#options.maxBytes) {
        return await this.#overflow(chunk);
      }
      this.#written += chunk.length;
      this.#parts?.push(chunk);
      if (!await writer.write(chunk)) this.#outcome ??= "failed"; // the readers still read on
    }
    this.#complete = true;
    const vetoed = this.#options.forgotten()
      ? "forgotten"
      : this.#options.veto();
    const veto = vetoed instanceof Promise
      ? await vetoed.catch(() => undefined) // a store out of reach: its commit says
      : vetoed;
    if (veto !== undefined) {
      this.#notStoring = veto;
      await writer.discard(this.#written); // whole: every reader ends cleanly
      return veto;
    }
    return await writer.commit(this.#written) ? "stored" : "failed";
  }

  /** Stops reading the upstream (its connection is not reused); never rejects. */
  async #cancelUpstream(): Promise<void> {
    await this.upstream.cancel().catch(() => {});
  }

  /** The next upstream chunk, or STOPPED as soon as stop() is called. */
  #read(): Promise<Uint8Array | null | typeof STOPPED> {
    if (this.#stopped) return Promise.resolve(STOPPED);
    const reading = this.upstream.read();
    reading.catch(() => {}); // stop() may leave it behind
    return new Promise<Uint8Array | null | typeof STOPPED>(
      (resolve, reject) => {
        this.#interrupt = () => resolve(STOPPED);
        reading.then(resolve, reject);
      },
    ).finally(() => this.#interrupt = undefined);
  }

  /**
   * The body outgrew the limit: the leader, when it still reads, gets the
   * rest from the upstream once it read what was stored; the write is then
   * aborted (the other readers throw).
   */
  async #overflow(chunk: Uint8Array): Promise<StoreOutcome> {
    this.#notStoring = "too-large";
    if (this.#parts) {
      this.#parts.push(chunk); // a small body of known length: keep it whole
      await this.#readRest(this.#parts);
    } else if (!this.#leaderGone && !this.#stopped) {
      this.#handoff = { at: this.#written, chunk };
      this.#leader?.wake();
      if (!await this.#taken.promise) await this.#cancelUpstream();
    } else {
      await this.#cancelUpstream();
    }
    await this.#writer.abort();
    return "too-large";
  }

  async #readRest(parts: Uint8Array[]): Promise<void> {
    try {
      for (
        let c = await this.upstream.read();
        c;
        c = await this.upstream.read()
      ) {
        parts.push(c);
      }
      this.#complete = true;
    } catch (error) {
      this.#upstreamError = error;
    }
  }
}
