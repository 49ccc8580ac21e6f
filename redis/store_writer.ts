/**
 * Owns one write into the Redis store: the EntryWriter contract, the body
 * sent to Redis chunk by chunk as it comes (CHUNK_BYTES each, under the
 * write's own body file name, invisible until a metadata names them,
 * expiring in an hour unless a commit sets their entry's expiry), and
 * held in memory only until Redis has it (store_fill.ts: followers read
 * the rest back from Redis). At commit the store's `commit` switches the
 * metadata in (one script) with the inline body (at most INLINE_MAX,
 * never sent as a chunk), or after the last chunk. Chunks of a write that
 * is not stored are deleted: at once after an abort, once no follower
 * reads them after a discard or a commit that stored nothing (never
 * after a commit whose outcome is unknown: they expire by themselves).
 *
 * Must not decide what the slot holds: the store's `commit` does.
 */

import { FAILED_WRITE_BACKLOG } from "../cache/limits.ts";
import type { Follower } from "../cache/follower.ts";
import type { EntryWriter } from "../cache/store.ts";
import type { RedisClient } from "./client.ts";
import { CHUNK_BYTES, chunkCount, chunkKey, type KeyPlace } from "./layout.ts";
import { ChunkFill, type HeldMeter } from "./store_fill.ts";

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
  /** Bytes held in memory for the writes under way (fills and chunks being sent). */
  readonly held: HeldMeter;
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
   * stored, undefined when that is unknown (a COMMIT without a reply: it
   * may have run, or run late, so its chunks are not deleted but expire
   * by themselves); never rejects.
   */
  commit(
    size: number,
    inline: Uint8Array | undefined,
    sent: Promise<boolean>,
  ): Promise<boolean | undefined>;
}

/** A writer of one body into Redis (see the module comment). */
export function redisWriter(host: RedisWriters, plan: WritePlan): EntryWriter {
  const fill = new ChunkFill({
    client: host.client,
    place: plan.place,
    file: plan.file,
    meter: host.held,
    hooks: {
      opened: (follower) => host.followers.add(follower),
      closed: (follower) => host.followers.delete(follower),
    },
  });
  let written = 0;
  let open = true;
  let failed = false;
  let sent = 0; // bytes handed to uploads (whole chunks)
  let sentChunks = 0;
  let inFlight = 0;
  let uploads: Promise<void> = Promise.resolve();
  let committing = false;
  const fail = () => {
    if (!failed) host.failed();
    failed = true;
    fill.unstore();
  };
  const upload = (bytes: Uint8Array) => {
    const key = chunkKey(plan.place, plan.file, sentChunks++);
    sent += bytes.length;
    const upTo = sent;
    inFlight++;
    host.held.bytes += bytes.length;
    uploads = uploads.then(async () => {
      try {
        if (failed || (!open && !committing)) return; // aborted meanwhile
        await host.client.call("SET", key, bytes, "PX", UNCOMMITTED_TTL_MS);
        fill.confirmed(upTo);
      } catch {
        fail();
      } finally {
        inFlight--;
        host.held.bytes -= bytes.length;
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
    forgetChunks();
  };
  /** The body ended whole, not stored: its chunks go once no follower reads them. */
  const unstored = (bodySize: number) => {
    fill.complete(bodySize);
    fill.whenUnfollowed(forgetChunks);
  };
  const abort = () => stop("the fill was aborted");
  const wrongSize = (bodySize: number) =>
    `the write ended at ${bodySize} bytes, not the ${written} written`;
  host.open.add(abort);
  if (host.isClosed()) end("the store was closed");
  return {
    write: async (chunk) => {
      if (!open) return false;
      fill.hold(chunk.slice());
      written += chunk.length;
      if (failed) {
        await fill.room(FAILED_WRITE_BACKLOG);
        return false;
      }
      while (written - sent >= CHUNK_BYTES) {
        upload(fill.copyOf(sent, CHUNK_BYTES));
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
      end();
      const inline = chunkCount(bodySize) === 0;
      const body = inline ? fill.copyOf(0, bodySize) : undefined;
      if (!inline && !failed && written > sent) {
        upload(fill.copyOf(sent, written - sent));
      }
      const ready = failed
        ? Promise.resolve(false)
        : uploads.then(() => !failed);
      const stored = await plan.commit(bodySize, body, ready);
      if (stored !== false) fill.complete(bodySize); // stored, or unknown: chunks kept
      else unstored(bodySize);
      return stored === true;
    },
    discard: (bodySize) => {
      if (!open) return Promise.resolve();
      if (written !== bodySize) {
        stop(wrongSize(bodySize));
      } else {
        end();
        unstored(bodySize);
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
