/**
 * Owns one write into the memory store: the EntryWriter contract over
 * chunks held in memory, read while written by its followers (fill.ts),
 * bounded by the store's cap. At commit the whole body goes to the store,
 * which says whether it stored it (a complete entry, or a piece of a
 * partial one). Writes cannot fail here but for the cap.
 *
 * Must not touch the index: the store's `stored` callback does.
 */

import { concatBytes } from "../http/bytes.ts";
import { Fill } from "./fill.ts";
import type { Follower } from "./follower.ts";
import type { EntryWriter } from "./store.ts";

/** What a memory writer shares with its store. */
export interface MemoryWriters {
  /** The store's byte cap: a longer body is never stored. */
  readonly sizeBytes: number;
  /** Aborts of the writes neither committed nor aborted (the store aborts them at close). */
  readonly open: Set<() => void>;
  /** Followers alive (the store stops them at close). */
  readonly followers: Set<Follower>;
  /** True once the store is closed. */
  isClosed(): boolean;
}

/**
 * A writer whose commit, when exactly the bytes written are committed,
 * hands the whole body to `stored`, which says whether it was stored.
 */
export function memoryWriter(
  host: MemoryWriters,
  stored: (bytes: Uint8Array) => boolean,
): EntryWriter {
  const fill = new Fill({
    opened: (follower) => host.followers.add(follower),
    closed: (follower) => host.followers.delete(follower),
  });
  const chunks: Uint8Array[] = [];
  let written = 0;
  let open = true;
  const end = (failure?: string) => {
    open = false;
    chunks.length = 0;
    host.open.delete(abort);
    if (failure) fill.fail(failure);
  };
  const abort = () => end("the fill was aborted");
  const wrongSize = (bodySize: number) =>
    `the write ended at ${bodySize} bytes, not the ${written} written`;
  host.open.add(abort);
  if (host.isClosed()) end("the store was closed");
  return {
    write: (chunk) => {
      if (!open) return Promise.resolve(false);
      written += chunk.length;
      if (written > host.sizeBytes) {
        end("the body is larger than the store's cap");
      } else {
        const copy = chunk.slice();
        chunks.push(copy);
        fill.hold(copy);
      }
      return Promise.resolve(open);
    },
    commit: (bodySize) => {
      if (!open || written !== bodySize) {
        end(wrongSize(bodySize));
        return Promise.resolve(false);
      }
      const bytes = concatBytes(chunks);
      fill.holdWhole(bytes);
      end();
      const done = stored(bytes);
      fill.complete(bodySize, done);
      return Promise.resolve(done);
    },
    discard: (bodySize) => {
      if (!open) return Promise.resolve();
      if (written !== bodySize) {
        end(wrongSize(bodySize));
      } else {
        end(); // the fill keeps the chunks for its followers
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
