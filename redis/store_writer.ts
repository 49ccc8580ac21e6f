/**
 * Owns one write into the Redis store: the EntryWriter contract with the
 * body held in memory for its followers (fill.ts, as the memory store
 * does) and, past INLINE_MAX, sent to Redis chunk by chunk as it comes
 * (CHUNK_BYTES each, under the write's own body file name, invisible
 * until a metadata names them, expiring in an hour unless a commit sets
 * their entry's expiry). At commit the store's `commit` switches the
 * metadata in (one script) with the inline body, or after the last
 * chunk; chunks of a write that is not stored are deleted.
 *
 * Must not decide what the slot holds: the store's `commit` does.
 */

import { concatBytes } from "../http/bytes.ts";
import { Fill } from "../cache/fill.ts";
import type { Follower } from "../cache/follower.ts";
import type { EntryWriter } from "../cache/store.ts";
import type { RedisClient } from "./client.ts";
import { CHUNK_BYTES, chunkCount, chunkKey, type KeyPlace } from "./layout.ts";

/** How long chunks of a write not committed (yet) live (1 h). */
const UNCOMMITTED_TTL_MS = 3_600_000;

/** Chunks sent at once before write() waits for them. */
const CHUNKS_IN_FLIGHT = 2;

/** What a Redis writer shares with its store. */
export interface RedisWriters {
  readonly client: RedisClient;
  /** Aborts of the writes neither committed nor aborted (the store aborts them at close). */
  readonly open: Set<() => void>;
  /** Followers alive (the store stops them at close). */
  readonly followers: Set<Follower>;
  isClosed(): boolean;
  /** Counts a write that failed (stats.writeErrors). */
  failed(): void;
}

/** Where this write goes and how it is committed. */
export interface WritePlan {
  place: KeyPlace;
  /** The write's body file name. */
  file: string;
  /**
   * Switches the entry in, called as soon as writer.commit() is (so the
   * store can keep commits of one slot in call order): `inline` is the
   * whole body when it fits in the hash, else undefined (its chunks are
   * in Redis once `sent` resolves true). Resolves to whether it was
   * stored; never rejects.
   */
  commit(
    size: number,
    inline: Uint8Array | undefined,
    sent: Promise<boolean>,
  ): Promise<boolean>;
}

/** A writer of one body into Redis (see the module comment). */
export function redisWriter(host: RedisWriters, plan: WritePlan): EntryWriter {
  const fill = new Fill({
    opened: (follower) => host.followers.add(follower),
    closed: (follower) => host.followers.delete(follower),
  });
  const chunks: Uint8Array[] = [];
  let written = 0;
  let open = true;
  let failed = false;
  let sent = 0; // bytes handed to uploads (whole chunks)
  let sentChunks = 0;
  let inFlight = 0;
  let uploads: Promise<void> = Promise.resolve();
  let committing = false;
  const upload = (bytes: Uint8Array) => {
    const key = chunkKey(plan.place, plan.file, sentChunks++);
    sent += bytes.length;
    inFlight++;
    uploads = uploads.then(async () => {
      try {
        if (failed || (!open && !committing)) return; // aborted meanwhile
        await host.client.call("SET", key, bytes, "PX", UNCOMMITTED_TTL_MS);
      } catch {
        if (!failed) host.failed();
        failed = true;
      } finally {
        inFlight--;
      }
    });
  };
  const forgetChunks = () => {
    const count = sentChunks;
    if (count === 0) return;
    void uploads.then(() =>
      host.client.call(
        "DEL",
        ...Array.from({ length: count }, (_, i) =>
          chunkKey(plan.place, plan.file, i)),
      ).catch(() => {}) // they expire anyway
    );
  };
  const end = (failure?: string) => {
    open = false;
    host.open.delete(abort);
    if (failure) fill.fail(failure);
  };
  const stop = (failure: string) => {
    end(failure);
    chunks.length = 0;
    forgetChunks();
  };
  const abort = () => stop("the fill was aborted");
  const wrongSize = (bodySize: number) =>
    `the write ended at ${bodySize} bytes, not the ${written} written`;
  host.open.add(abort);
  if (host.isClosed()) end("the store was closed");
  return {
    write: async (chunk) => {
      if (!open) return false;
      const copy = chunk.slice();
      chunks.push(copy);
      fill.hold(copy);
      written += copy.length;
      while (written - sent >= CHUNK_BYTES) {
        upload(bytesFrom(chunks, sent, CHUNK_BYTES));
      }
      if (inFlight >= CHUNKS_IN_FLIGHT) await uploads;
      return open && !failed;
    },
    commit: async (bodySize) => {
      if (!open || written !== bodySize) {
        stop(wrongSize(bodySize));
        return false;
      }
      committing = true;
      const bytes = concatBytes(chunks);
      chunks.length = 0;
      fill.holdWhole(bytes);
      end();
      const inline = chunkCount(bodySize) === 0;
      if (!inline && written > sent) upload(bytes.subarray(sent));
      const ready = failed
        ? Promise.resolve(false)
        : uploads.then(() => !failed);
      const stored = await plan.commit(
        bodySize,
        inline ? bytes : undefined,
        ready,
      );
      if (!stored) forgetChunks();
      fill.complete(bodySize, stored);
      return stored;
    },
    discard: (bodySize) => {
      if (!open) return Promise.resolve();
      if (written !== bodySize) {
        stop(wrongSize(bodySize));
      } else {
        end(); // the fill keeps the chunks for its followers
        forgetChunks();
        fill.complete(bodySize, false);
      }
      return Promise.resolve();
    },
    abort: () => {
      if (open) abort();
      return Promise.resolve();
    },
    follow: (length) => {
      const follower = fill.follow(length);
      if (host.isClosed()) follower.abort();
      return follower;
    },
  };
}

/** `count` bytes from byte `from` of the chunks, copied into one array. */
function bytesFrom(
  chunks: readonly Uint8Array[],
  from: number,
  count: number,
): Uint8Array {
  const out = new Uint8Array(count);
  let at = 0; // offset of the current chunk in the body
  let filled = 0;
  for (const chunk of chunks) {
    const chunkEnd = at + chunk.length;
    if (chunkEnd > from && filled < count) {
      const start = Math.max(0, from + filled - at);
      const take = Math.min(chunk.length - start, count - filled);
      out.set(chunk.subarray(start, start + take), filled);
      filled += take;
    }
    at = chunkEnd;
    if (filled >= count) break;
  }
  return out;
}
