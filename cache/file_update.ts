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
 * An entry whose body lives inside its sidecar (file_layout.ts) carries
 * its body along: in place, the new sidecar holds the same bytes (read
 * from the memory tier or the old sidecar); re-filed, step 1 writes
 * `B.json` with the body and a new inline name, step 3 has no rename, and
 * step 4 removes `A.json`. A process killed between 1 and 4 leaves both
 * A and B whole, each a stored response of its own variant.
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
  inlineName,
  isInline,
  keyHash,
  type LiveTemps,
  metaName,
  onDisk,
  removeQuietly,
  writeMetaFile,
} from "./file_layout.ts";
import { type Accounting, readSidecar } from "./file_sidecar.ts";

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
  /** The store's cap in bytes and how entries count against it. */
  readonly cap: { sizeBytes: number; accounting: Accounting };
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
  const inline = inlineBodyOf(host, current);
  if (inline === "lost") return undefined;
  let sidecarBytes: number;
  try {
    sidecarBytes = writeMetaFile(base, sidecarOf(host, meta), updated, inline);
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
  const inline = inlineBodyOf(host, current);
  if (inline === "lost") return undefined;
  const next: EntryMeta = {
    ...meta,
    bodySize: current.bodySize,
    bodyFile: (inline ? inlineName : bodyName)(to, host.newWriteId()),
  };
  const displaced = host.index.current(next);
  const kept = displaced && inlineBodyOf(host, displaced); // its sidecar is overwritten at 1
  const currentBytes = sidecarSize(base, variantId(current.vary));
  let sidecarBytes: number;
  try {
    sidecarBytes = writeMetaFile(base, sidecarOf(host, next), next, inline); // 1
  } catch {
    host.writeFailed();
    return undefined;
  }
  const restoring = {
    base,
    next,
    displaced: kept === "lost" ? undefined : displaced, // unreadable already: not restored
    body: kept === "lost" ? undefined : kept,
  };
  if (!host.index.delete(current)) { // 2; else removed or evicted meanwhile
    await restore(host, restoring);
    return undefined;
  }
  const bytes = host.tier.get(current);
  host.tier.drop(current);
  try {
    if (!inline) {
      await Deno.rename(base + current.bodyFile, base + next.bodyFile); // 3
    }
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
    for (const file of onDisk([displaced.bodyFile])) {
      await removeQuietly(base + file);
    }
  }
  return next;
}

/**
 * Undoes step 1: the new variant's sidecar names what the index holds
 * there again, whole (`body`: the displaced entry's inline body, read
 * before step 1 overwrote its sidecar).
 */
async function restore(
  host: UpdateHost,
  { base, next, displaced, body }: {
    base: string;
    next: EntryMeta;
    displaced: EntryMeta | undefined;
    body: Uint8Array | undefined;
  },
): Promise<void> {
  if (!displaced || !host.index.isCurrent(displaced)) {
    await removeQuietly(base + metaName(variantId(next.vary)));
    return;
  }
  try {
    writeMetaFile(base, sidecarOf(host, displaced), displaced, body);
  } catch {
    host.writeFailed(); // served until a restart, which drops the torn file
  }
}

/**
 * The body of an entry kept inside its sidecar, to carry along: from the
 * memory tier, else read back from the sidecar ("lost" when that fails or
 * names another version); undefined for a body in its own file.
 */
function inlineBodyOf(
  host: UpdateHost,
  current: EntryMeta,
): Uint8Array | "lost" | undefined {
  if (!isInline(current.bodyFile) || current.partial) return undefined;
  const held = host.tier.get(current);
  if (held) return held;
  const read = readSidecar(entryBase(host.root, current.key), {
    hash: keyHash(current.key),
    variant: variantId(current.vary),
  }, { body: true });
  if (typeof read === "string" || read.meta.bodyFile !== current.bodyFile) {
    return "lost";
  }
  if (read.body?.length !== current.bodySize) return "lost"; // rewritten since: not the version updated
  return read.body ?? "lost";
}

/** The size of a variant's sidecar now (what it counts for; 0 when it cannot be read). */
function sidecarSize(base: string, variant: string): number {
  try {
    return Deno.lstatSync(base + metaName(variant)).size;
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
