/**
 * Owns read-while-write for one Redis write: the body as far as it got
 * (the Fill of cache/fill.ts with Redis in place of the body file),
 * shared by the writer and its followers (cache/follower.ts). A byte
 * written is held in memory until Redis confirms the chunk that holds it;
 * from then on a follower that needs it reads it back from Redis (one
 * GETRANGE of that chunk, at most READ_CHUNK bytes into the follower's own
 * buffer). So memory holds the chunk being filled, the chunks on their
 * way to Redis and, once the write stores nothing more (a failed write),
 * the bytes not yet read by every follower, the writer waiting (room())
 * while more than its bound is held. A follower that needs bytes Redis no
 * longer has (evicted, removed, out of reach) throws "Cannot read cached
 * body: ...": never a short body passed off as complete.
 *
 * Must not send chunks nor commit: the writer (store_writer.ts) does,
 * and reports what Redis confirmed.
 */

import {
  type FillProgress,
  type FillState,
  Follower,
  type FollowerHooks,
} from "../cache/follower.ts";
import { SharedFile } from "../cache/shared_file.ts";
import type { RedisClient } from "./client.ts";
import { CHUNK_BYTES, chunkKey, type KeyPlace } from "./layout.ts";

/** Bytes held in memory for the writes under way of one store. */
export interface HeldMeter {
  bytes: number;
}

/** The chunks of one write as a read handle: reads go to Redis. */
class ChunkSource extends SharedFile {
  readonly #client: RedisClient;
  readonly #place: KeyPlace;
  readonly #file: string;

  constructor(client: RedisClient, place: KeyPlace, file: string) {
    super();
    this.#client = client;
    this.#place = place;
    this.#file = file;
  }

  /** Reads at most up to the end of the chunk holding byte `at`; throws when Redis lost it. */
  override async readAt(at: number, into: Uint8Array): Promise<number> {
    const i = Math.floor(at / CHUNK_BYTES);
    const from = at - i * CHUNK_BYTES;
    const count = Math.min(into.length, CHUNK_BYTES - from);
    const key = chunkKey(this.#place, this.#file, i);
    const bytes = await this.#client.callBytes(
      "GETRANGE",
      key,
      from,
      from + count - 1,
    ) as Uint8Array;
    if (bytes.length !== count) {
      throw new Error(`chunk ${i} of the write is gone from Redis`);
    }
    into.set(bytes);
    return count;
  }
}

/** Where a write's chunks go, and what its fill reports to. */
export interface ChunkFillOptions {
  client: RedisClient;
  place: KeyPlace;
  /** The write's body file name. */
  file: string;
  meter: HeldMeter;
  hooks: FollowerHooks;
}

/** The body of one Redis write as far as it got (see the module comment). */
export class ChunkFill implements FillProgress {
  readonly file: SharedFile;
  readonly #meter: HeldMeter;
  readonly #hooks: FollowerHooks;
  readonly #followers = new Set<Follower>();
  #chunks: Uint8Array[] = [];
  /** End offset in the body of each held chunk (ascending, no gaps). */
  #ends: number[] = [];
  #heldTo = 0;
  #inRedis = 0;
  #state: FillState = "open";
  #failure = "";
  #size = 0;
  #unstored = false;
  #waiters = new Set<() => void>();
  #room: { limit: number; resolve: () => void } | undefined;
  #unfollowed: (() => void)[] = [];

  constructor(options: ChunkFillOptions) {
    this.file = new ChunkSource(options.client, options.place, options.file);
    this.#meter = options.meter;
    this.#hooks = {
      opened: (follower) => {
        this.#followers.add(follower);
        options.hooks.opened(follower);
      },
      closed: (follower) => {
        this.#followers.delete(follower);
        options.hooks.closed(follower);
        this.moved();
        if (this.#followers.size === 0) this.#callUnfollowed();
      },
    };
  }

  get state(): FillState {
    return this.#state;
  }

  get failure(): string {
    return this.#failure;
  }

  get size(): number {
    return this.#size;
  }

  /** Bytes written so far (held, in Redis, or let go after a failed write). */
  get readable(): number {
    return this.#heldTo;
  }

  /** Bytes Redis confirmed (readable from the write's chunks). */
  get onDisk(): number {
    return this.#inRedis;
  }

  /** Bytes held in memory now. */
  get held(): number {
    return this.#heldTo - this.#heldFrom();
  }

  /** Appends the next bytes of the body; the fill keeps `chunk`: the caller must not change it. */
  hold(chunk: Uint8Array): void {
    if (this.#state !== "open" || chunk.length === 0) return;
    this.#heldTo += chunk.length;
    this.#chunks.push(chunk);
    this.#ends.push(this.#heldTo);
    this.#meter.bytes += chunk.length;
    if (this.#unstored) this.#trim();
    this.#notify();
  }

  /** A copy of `count` held bytes from byte `from` (they must be held). */
  copyOf(from: number, count: number): Uint8Array {
    const out = new Uint8Array(count);
    let filled = 0;
    for (let i = 0; i < this.#chunks.length && filled < count; i++) {
      const chunk = this.#chunks[i]!;
      const at = this.#ends[i]! - chunk.length;
      if (this.#ends[i]! <= from + filled) continue;
      const start = from + filled - at;
      const take = Math.min(chunk.length - start, count - filled);
      out.set(chunk.subarray(start, start + take), filled);
      filled += take;
    }
    if (filled !== count) throw new RangeError("bytes not held");
    return out;
  }

  /** Redis holds bytes 0 to `upTo` (whole chunks sent): the held ones among them go. */
  confirmed(upTo: number): void {
    if (this.#state !== "open" || upTo <= this.#inRedis) return;
    this.#inRedis = upTo;
    this.#dropWhile((end) => end <= upTo);
    this.#notify();
  }

  /** The write stores nothing more: held bytes go once every follower read them. */
  unstore(): void {
    if (this.#state !== "open" || this.#unstored) return;
    this.#unstored = true;
    this.#trim();
  }

  /** Resolves once at most `limit` bytes are held, or at once while the write stores. */
  room(limit: number): Promise<void> {
    if (this.#state !== "open" || !this.#unstored || this.held <= limit) {
      return Promise.resolve();
    }
    const wait = Promise.withResolvers<void>();
    this.#room = { limit, resolve: wait.resolve };
    return wait.promise;
  }

  /** Complete at `size` bytes (stored or not): followers end there; what stays held is no longer metered. */
  complete(size: number): void {
    if (this.#state !== "open") return;
    this.#state = "complete";
    this.#size = size;
    this.#meter.bytes -= this.held;
    this.#wakeWriter();
    this.#notify();
  }

  /** Failed or aborted: followers throw "Cannot read cached body: `reason`". */
  fail(reason: string): void {
    if (this.#state !== "open") return;
    this.#meter.bytes -= this.held;
    this.#state = "failed";
    this.#failure = reason;
    this.#chunks = [];
    this.#ends = [];
    this.#wakeWriter();
    this.#notify();
  }

  /** Calls `then` once no follower reads this fill (at once when none does). */
  whenUnfollowed(then: () => void): void {
    this.#unfollowed.push(then);
    if (this.#followers.size === 0) this.#callUnfollowed();
  }

  moved(): void {
    if (this.#unstored) this.#trim();
  }

  chunkAt(at: number, max: number): Uint8Array | undefined {
    if (at < this.#heldFrom() || at >= this.#heldTo) return undefined;
    let i = 0;
    while (this.#ends[i]! <= at) i++;
    const chunk = this.#chunks[i]!;
    const from = at - (this.#ends[i]! - chunk.length);
    return chunk.subarray(from, Math.min(chunk.length, from + max));
  }

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

  #heldFrom(): number {
    const first = this.#chunks[0];
    return first ? this.#ends[0]! - first.length : this.#heldTo;
  }

  /** Drops held chunks from the first while `drop(end)` holds. */
  #dropWhile(drop: (end: number) => boolean): void {
    let count = 0;
    let bytes = 0;
    while (count < this.#chunks.length && drop(this.#ends[count]!)) {
      bytes += this.#chunks[count]!.length;
      count++;
    }
    if (count === 0) return;
    this.#chunks.splice(0, count);
    this.#ends.splice(0, count);
    if (this.#state === "open") this.#meter.bytes -= bytes;
  }

  /** After a failed write: lets go of what every follower that can still use it read. */
  #trim(): void {
    const from = this.#heldFrom();
    const lost = from > this.#inRedis; // bytes before `from` are nowhere now
    let low = this.#heldTo;
    for (const follower of this.#followers) {
      const at = follower.position;
      if (!lost || at >= from) low = Math.min(low, at);
    }
    this.#dropWhile((end) => end <= low);
    this.#wakeWriter();
  }

  #wakeWriter(): void {
    const room = this.#room;
    if (!room) return;
    if (this.#state === "open" && this.held > room.limit) return;
    this.#room = undefined;
    room.resolve();
  }

  #notify(): void {
    if (this.#waiters.size === 0) return;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  #callUnfollowed(): void {
    const calls = this.#unfollowed;
    this.#unfollowed = [];
    for (const call of calls) call();
  }
}
