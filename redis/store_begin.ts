/**
 * Owns how the Redis store starts a write and when its commit may run:
 * in its slot's turn on this node (commits of one variant in call order),
 * once its chunks are in Redis, and unless a purge since it began refuses
 * it (this node's purge log, and the purge generation and epoch read at
 * its start, which COMMIT compares on the server for purges on any node).
 *
 * Must not write the entry itself: the `commit` it is given does (store
 * changes and pieces), and the writer (store_writer.ts) sends the body.
 */

import type { PurgeLog } from "../cache/purge_log.ts";
import type { EntryDraft, EntryWriter, PartialDraft } from "../cache/store.ts";
import type { RedisClient } from "./client.ts";
import {
  type KeyPlace,
  metaField,
  newBodyFile,
  placeOf,
  PURGE_EPOCH,
} from "./layout.ts";
import type { SlotTurns } from "./slot_turns.ts";
import { redisWriter, type RedisWriters } from "./store_writer.ts";

/** A write's body as sent, ready to be committed. */
export interface Written {
  place: KeyPlace;
  file: string;
  size: number;
  /** The body when it fits in the hash. */
  inline: Uint8Array | undefined;
  /** "<the key's purge generation>|<the purge epoch>" when the write began (COMMIT's expectation). */
  g: string;
}

/** What starting a write needs of its store. */
export interface WriteHost {
  readonly writers: RedisWriters;
  readonly turns: SlotTurns;
  readonly purges: PurgeLog;
  /** Counts a write that failed (stats.writeErrors). */
  failed(): void;
}

/**
 * A writer whose commit, in its slot's turn, once its chunks are sent
 * and unless the key was purged since it began (on this node, or on any:
 * the generation and epoch), runs `commit` (true stored, false not,
 * undefined unknown: no reply). Never rejects (a failure is counted, and
 * its outcome taken as unknown).
 */
export function beginWrite(
  host: WriteHost,
  draft: EntryDraft | PartialDraft,
  commit: (write: Written) => Promise<boolean | undefined>,
): EntryWriter {
  const place = placeOf(draft.key);
  const file = newBodyFile(draft.vary);
  const since = host.purges.generation;
  const generation = purgeMark(host.writers.client, place);
  return redisWriter(host.writers, {
    place,
    file,
    commit: async (size, inline, sent) => {
      const turn = host.turns.turn(`${place.hash} ${metaField(draft.vary)}`);
      try {
        const ready = await sent;
        await turn.wait;
        if (!ready || host.purges.purgedSince(draft.key, since)) {
          return false;
        }
        const g = await generation;
        if (g === undefined) return false; // Redis could not tell
        return await commit({ place, file, size, inline, g });
      } catch {
        host.failed();
        return undefined; // a COMMIT may have been sent: its outcome is unknown
      } finally {
        turn.done();
      }
    },
  });
}

/**
 * "<the key's purge generation>|<the purge epoch>" now (each "" for
 * none; the generation led by "+" when the key's hash exists, so that
 * COMMIT refuses once it is gone, its purge mark maybe evicted with it),
 * as COMMIT compares it; undefined when Redis could not tell.
 */
function purgeMark(
  client: RedisClient,
  place: KeyPlace,
): Promise<string | undefined> {
  const text = (value: unknown) => typeof value === "string" ? value : "";
  return Promise.all([
    client.call("HGET", place.hash, "g"),
    client.call("EXISTS", place.hash),
    client.call("HGET", PURGE_EPOCH, "n"),
  ]).then(
    ([g, exists, epoch]) =>
      `${exists === 1 ? "+" : ""}${text(g)}|${text(epoch)}`,
    () => undefined,
  );
}
