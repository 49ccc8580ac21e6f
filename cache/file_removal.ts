/**
 * Owns deleting the files of entries that left the file store's index
 * (removed, evicted, torn): in the slot's turn, the sidecar first (unless
 * a newer version took the slot), then the body files the slot's version
 * no longer names; and dropping their bodies from the memory tier.
 *
 * Must not change the index: the store takes entries out before this runs.
 */

import { baseOf, metaName, onDisk, removeQuietly } from "./file_layout.ts";
import { type FileIndex, type Gone, slotId } from "./file_index.ts";
import type { MemoryTier } from "./memory_tier.ts";
import type { EntryMeta } from "./meta.ts";
import { filesOf } from "./piece_commit.ts";
import type { SlotLocks } from "./slot_lock.ts";

/** What deleting entries' files needs from the store. */
export interface RemovalHost {
  readonly root: string;
  readonly index: FileIndex;
  readonly tier: MemoryTier;
  readonly locks: SlotLocks;
  /** Keeps track of work that close() awaits. */
  track<T>(work: Promise<T>): Promise<T>;
}

/** An entry taken out of the index as a Gone: its slot and the files on disk it names. */
export function goneOf(index: FileIndex, meta: EntryMeta): Gone {
  return { slot: index.slot(meta), files: onDisk(filesOf(meta)), meta };
}

/** Deletes the files of entries that left the index, and their bodies in the memory tier. */
export function deleteAll(host: RemovalHost, gone: Gone[]): Promise<unknown> {
  for (const { meta } of gone) if (meta) host.tier.drop(meta);
  return Promise.all(gone.map((entry) => deleteFiles(host, entry)));
}

/**
 * Deletes an entry's files once it left the index: the sidecar first
 * (unless a newer version took the slot), then the body files the
 * slot's version no longer names (a partial entry that joined the
 * pieces meanwhile names some of them).
 */
function deleteFiles(host: RemovalHost, { slot, files }: Gone): Promise<void> {
  const base = baseOf(host.root, slot.hash);
  return host.track(host.locks.run(slotId(slot), async () => {
    const holds = host.index.holds(slot);
    if (!holds) await removeQuietly(base + metaName(slot.variant));
    const current = holds ? host.index.currentAt(slot) : undefined;
    if (holds && !current) return; // unreadable now: left for the next start-up sweep
    const named = new Set(filesOf(current));
    for (const file of files) {
      if (!named.has(file)) await removeQuietly(base + file);
    }
  }));
}
