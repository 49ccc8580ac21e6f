/**
 * Owns the Redis store's changes to stored entries and what this node
 * records of them: switching a complete entry in (COMMIT), updating or
 * re-filing one (REKEY), removing variants (REMOVE), and the counters,
 * memory tier and hits that follow each (a replaced or removed version
 * leaves the tier and its hits are forgotten). Failures are counted,
 * never thrown.
 *
 * Must not decide what is stored: the store and piece commits do.
 */

import type { EntryMeta } from "../cache/meta.ts";
import { keepBody } from "../cache/store_checks.ts";
import {
  bodyField,
  type KeyPlace,
  metaField,
  newBodyFile,
  placeOf,
  PURGE_EPOCH,
} from "./layout.ts";
import type { RedisStoreParts } from "./store_parts.ts";

/**
 * The COMMIT script's deadline for a call sent now that waits at most
 * `timeoutMs` for its reply: ms since the epoch on the real clock (Redis
 * compares it with its TIME; the clocks of the node and Redis are taken
 * to agree within the timeout's bound).
 */
export function commitDeadline(timeoutMs: number): number {
  return Date.now() + timeoutMs;
}

/**
 * Switches a complete entry in (COMMIT) unless the key was purged since
 * generation `g`, a part is missing, or the reply would come later than
 * `timeoutMs`; `inline` is its body when it fits in the hash. Resolves
 * true when stored, false when not, undefined when the outcome is unknown
 * (no reply: the write's chunks must then stay, to expire by
 * themselves). Never rejects.
 */
export async function commitEntry(
  parts: RedisStoreParts,
  place: KeyPlace,
  meta: EntryMeta,
  how: { g: string; inline: Uint8Array | undefined; timeoutMs: number },
): Promise<boolean | undefined> {
  try {
    const reply = await parts.scripts.commit.run([place.hash, PURGE_EPOCH], [
      place.chunks,
      meta.key,
      metaField(meta.vary),
      JSON.stringify(meta),
      how.g,
      "*",
      how.inline ? bodyField(meta.bodyFile) : "",
      how.inline ?? "",
      "",
      commitDeadline(how.timeoutMs),
    ]) as [number, string, number];
    if (reply[0] !== 1) return false;
    recordStored(parts, meta, reply[1], reply[2]);
    if (how.inline) parts.tier.put(meta, how.inline);
    return true;
  } catch {
    parts.counts.writeErrors++;
    return undefined; // COMMIT may have run (reply lost) or not: unknown
  }
}

/**
 * Records a commit: `oldFile` and `oldSize` are the replaced version's
 * ("" and -1 when the slot was empty). Tells the observer.
 */
export function recordStored(
  parts: RedisStoreParts,
  meta: EntryMeta,
  oldFile: string,
  oldSize: number,
): void {
  if (oldSize < 0) parts.counts.entries++;
  parts.counts.bytes += meta.bodySize - Math.max(0, oldSize);
  if (oldFile) forgetVersion(parts, meta.key, oldFile);
  parts.use.stored(meta);
  parts.observer?.stored(meta);
}

/** A version no longer stored: out of the memory tier, its hits forgotten. */
export function forgetVersion(
  parts: RedisStoreParts,
  key: string,
  bodyFile: string,
): void {
  parts.tier.drop({ key, bodyFile });
  parts.use.forget({ key, bodyFile });
}

/**
 * Removes the variant `field` of `key` while it names `file` ("*": any;
 * field "": every variant), or every variant of a purged key (`purge`:
 * its generation goes up). Resolves to how many went (0 on a failure,
 * counted).
 */
export async function removeEntries(
  parts: RedisStoreParts,
  key: string,
  which: { field: string; file: string; purge?: boolean },
): Promise<number> {
  const place = placeOf(key);
  try {
    const reply = await parts.scripts.remove.run([place.hash], [
      place.chunks,
      which.field,
      which.file,
      which.purge ? "1" : "0",
    ]) as [number, number, ...string[]];
    const [removed, bytes, ...files] = reply;
    parts.counts.entries -= removed;
    parts.counts.bytes -= bytes;
    for (const bodyFile of files) forgetVersion(parts, key, bodyFile);
    return removed;
  } catch {
    parts.counts.writeErrors++;
    return 0;
  }
}

/**
 * Store.rekey() once the slot's current version `stored` is known: the
 * metadata updated in place, or the entry re-filed under another variant
 * with its body renamed (the old version is gone; readers open on it
 * keep reading). Resolves to the stored meta, or undefined (not current,
 * a partial entry to re-file, a failure: counted).
 */
export async function rekeyEntry(
  parts: RedisStoreParts,
  change: { previous: EntryMeta; meta: EntryMeta; stored: EntryMeta },
): Promise<EntryMeta | undefined> {
  const { previous, meta, stored } = change;
  const place = placeOf(meta.key);
  const from = metaField(previous.vary);
  const to = metaField(meta.vary);
  if (stored.bodyFile !== previous.bodyFile) return undefined;
  if (stored.partial && from !== to) return undefined; // a partial entry stays in its variant
  const kept = keepBody(meta, stored);
  const updated = from === to
    ? kept
    : { ...kept, bodyFile: newBodyFile(meta.vary) };
  try {
    const reply = await parts.scripts.rekey.run([place.hash], [
      place.chunks,
      from,
      previous.bodyFile,
      to,
      JSON.stringify(updated),
      updated.bodyFile,
    ]) as [number, number, string];
    if (reply[0] !== 1) return undefined;
    if (reply[1] >= 0) {
      parts.counts.entries--;
      parts.counts.bytes -= reply[1];
    }
    if (reply[2]) forgetVersion(parts, meta.key, reply[2]);
    if (from !== to) refiled(parts, previous, updated);
    return updated;
  } catch {
    parts.counts.writeErrors++; // a failed write is counted, never thrown
    return undefined;
  }
}

/** The tier's bytes and the hits of a re-filed version follow it under its new name. */
function refiled(
  parts: RedisStoreParts,
  previous: EntryMeta,
  updated: EntryMeta,
): void {
  const held = parts.tier.get(previous);
  const hits = parts.use.hits(previous);
  forgetVersion(parts, previous.key, previous.bodyFile);
  if (held) parts.tier.put(updated, held);
  parts.use.stored(updated);
  for (let i = 0; i < hits; i++) parts.use.touch(updated);
}
