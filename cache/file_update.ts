/**
 * Owns the file store's metadata updates (after a 304 or a HEAD): in
 * place, or re-filed under another variant when the response's Vary
 * changed, keeping the body's bytes in both cases (a partial entry keeps
 * its pieces, and is updated in place only).
 *
 * Re-filing an entry from variant A (`A.json` naming `A-1.body`; names
 * within the key's files, file_layout.ts) to B,
 * where B may already hold `B.json` naming `B-0.body`:
 *
 * 1. write `B.json` naming `B-2.body`, which does not exist yet;
 * 2. take A out of the index (a concurrent read of A is then a miss, never
 *    a torn entry);
 * 3. rename `A-1.body` to `B-2.body`: the switch. In one step `A.json`
 *    names a missing body (torn) and `B.json` a whole one;
 * 4. put B in the index, remove `A.json` and `B-0.body`.
 *
 * A process killed before step 3 leaves A whole and `B.json` torn (B-0 is
 * lost); after it, B whole and `A.json` torn. The start-up scan removes
 * torn metadata files (counted as corrupt) and bodies nothing names. The
 * two metadata files never name the same body, so neither removal can
 * take the other's bytes.
 *
 * Must not take locks nor read the clock: the store runs this in the
 * turns of both slots.
 */

import { variantId } from "./key.ts";
import type { FileIndex } from "./file_index.ts";
import type { MemoryTier } from "./memory_tier.ts";
import type { EntryMeta } from "./meta.ts";
import { keepBody } from "./store_checks.ts";
import {
  bodyName,
  entryBase,
  type LiveTemps,
  metaName,
  removeQuietly,
  writeMetaFile,
} from "./file_layout.ts";

/** What an update needs from its store. */
export interface UpdateHost {
  readonly root: string;
  readonly index: FileIndex;
  readonly tier: MemoryTier;
  newWriteId(): string;
  /** Temp files being written now (the start-up sweep leaves them alone). */
  readonly live: LiveTemps;
  /** Counts a failed write. */
  writeFailed(): void;
}

/** One update: the stored entry and the metadata that replaces it. */
export interface Update {
  previous: EntryMeta;
  meta: EntryMeta;
}

/**
 * Replaces the stored entry `previous` by `meta` with the same body (see
 * Store.rekey); resolves to the meta now stored, or undefined when
 * `previous` is no longer current or a write failed (counted). Must run
 * in the turns of the slots of both `previous` and `meta`.
 */
export async function updateEntry(
  host: UpdateHost,
  { previous, meta }: Update,
): Promise<EntryMeta | undefined> {
  const current = host.index.current(previous);
  if (!current || current.bodyFile !== previous.bodyFile) return undefined; // replaced or removed meanwhile
  const base = entryBase(host.root, meta.key);
  if (variantId(meta.vary) !== variantId(previous.vary)) {
    if (current.partial) return undefined; // a partial entry stays in its variant
    return await refile(host, { previous: current, meta });
  }
  const updated = keepBody(meta, current);
  let sidecarBytes: number;
  try {
    sidecarBytes = writeMetaFile(base, sidecarOf(host, meta), updated);
  } catch {
    host.writeFailed();
    return undefined;
  }
  if (!host.index.isCurrent(current)) return undefined; // removed meanwhile: its removal deletes the file we wrote
  host.index.set(updated, sidecarBytes);
  return updated;
}

/** Steps 1 to 4 of the module comment; `current` is the stored version. */
async function refile(
  host: UpdateHost,
  { previous: current, meta }: Update,
): Promise<EntryMeta | undefined> {
  const base = entryBase(host.root, meta.key);
  const to = variantId(meta.vary);
  const next: EntryMeta = {
    ...meta,
    bodySize: current.bodySize,
    bodyFile: bodyName(to, host.newWriteId()),
  };
  const displaced = host.index.current(next);
  const currentBytes = sidecarSize(base, variantId(current.vary));
  let sidecarBytes: number;
  try {
    sidecarBytes = writeMetaFile(base, sidecarOf(host, next), next); // 1
  } catch {
    host.writeFailed();
    return undefined;
  }
  const restoring = { base, next, displaced };
  if (!host.index.delete(current)) { // 2; else removed or evicted meanwhile
    await restore(host, restoring);
    return undefined;
  }
  const bytes = host.tier.get(current);
  host.tier.drop(current);
  try {
    await Deno.rename(base + current.bodyFile, base + next.bodyFile); // 3
  } catch {
    host.writeFailed();
    await restore(host, restoring);
    host.index.set(current, currentBytes);
    if (bytes) host.tier.put(current, bytes);
    return undefined;
  }
  host.index.set(next, sidecarBytes); // 4
  if (bytes) host.tier.put(next, bytes);
  await removeQuietly(base + metaName(variantId(current.vary)));
  if (displaced) {
    host.tier.drop(displaced);
    await removeQuietly(base + displaced.bodyFile);
  }
  return next;
}

/** Undoes step 1: the new variant's metadata file names what the index holds there again. */
async function restore(
  host: UpdateHost,
  { base, next, displaced }: {
    base: string;
    next: EntryMeta;
    displaced: EntryMeta | undefined;
  },
): Promise<void> {
  if (!displaced || !host.index.isCurrent(displaced)) {
    await removeQuietly(base + metaName(variantId(next.vary)));
    return;
  }
  try {
    writeMetaFile(base, sidecarOf(host, displaced), displaced);
  } catch {
    host.writeFailed(); // served until a restart, which drops the torn file
  }
}

/** The size of a variant's sidecar now (what it counts for; 0 when it cannot be read). */
function sidecarSize(base: string, variant: string): number {
  try {
    return Deno.statSync(base + metaName(variant)).size;
  } catch {
    return 0;
  }
}

/** Where writeMetaFile writes `meta`'s sidecar: its variant and a new write id. */
export function sidecarOf(
  host: UpdateHost,
  meta: Pick<EntryMeta, "vary">,
): { variant: string; writeId: string } {
  return { variant: variantId(meta.vary), writeId: host.newWriteId() };
}
