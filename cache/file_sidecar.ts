/**
 * Owns reading one sidecar (a variant's metadata file) back from disk,
 * synchronously, and checking that it belongs where it lies: the schema
 * (meta.ts), the key hash and variant of its name, body files of its
 * variant; and what an entry costs against the store's cap.
 *
 * A sidecar is a few hundred bytes: read synchronously from the page
 * cache it costs a few microseconds, less than an async file operation's
 * round trip, and it is read only for a lookup of a key the index holds
 * (or, while the start-up sweep runs, of one it may not know yet).
 *
 * Must not change files nor the index.
 */

import { variantId } from "./key.ts";
import { type EntryMeta, parseMeta } from "./meta.ts";
import { filesOf } from "./piece_commit.ts";
import {
  INLINE_SEPARATOR,
  isInline,
  keyHash,
  metaName,
} from "./file_layout.ts";

/** Metadata files larger than this are not ours. */
const MAX_META_BYTES = 4 * 1024 * 1024;
/** The block a file's size is rounded up to on disk. */
export const BLOCK_BYTES = 4096;
/** What a file's name costs in its folder (a directory entry, about its name's length). */
export const DIR_ENTRY_BYTES = 64;

/** How a store counts what its entries cost against its cap. */
export type Accounting = "disk" | "body";

/** A sidecar read back: its metadata, its size in bytes, and the body it holds (inline entries). */
export interface Sidecar {
  meta: EntryMeta;
  bytes: number;
  /** The inline body (a view of the file's bytes), when the metadata names one. */
  body?: Uint8Array;
}

/**
 * Reads the sidecar of variant `variant` at `base` (the key's path
 * prefix, hash `hash`): "missing" when there is none, "corrupt" when it
 * is unreadable, not ours, or belongs to another key or variant.
 */
export function readSidecar(
  base: string,
  { hash, variant }: { hash: string; variant: string },
): Sidecar | "missing" | "corrupt" {
  let text: Uint8Array;
  try {
    text = Deno.readFileSync(base + metaName(variant));
  } catch (error) {
    return error instanceof Deno.errors.NotFound ? "missing" : "corrupt";
  }
  if (text.length > MAX_META_BYTES) return "corrupt";
  const split = text.indexOf(INLINE_SEPARATOR);
  const json = split < 0 ? text : text.subarray(0, split);
  let meta: EntryMeta | undefined;
  try {
    meta = parseMeta(JSON.parse(new TextDecoder().decode(json)));
  } catch {
    return "corrupt"; // not JSON
  }
  if (!meta) return "corrupt"; // foreign, or another version
  if (keyHash(meta.key) !== hash) return "corrupt"; // belongs to another key
  if (variantId(meta.vary) !== variant) return "corrupt"; // another variant's
  for (const file of filesOf(meta)) {
    if (!file.startsWith(`${variant}-`)) return "corrupt"; // another variant's body
  }
  if (!isInline(meta.bodyFile) || meta.partial) {
    if (split >= 0) return "corrupt"; // bytes after the metadata of a body kept elsewhere
    return { meta, bytes: text.length };
  }
  const body = split < 0 ? undefined : text.subarray(split + 1);
  if (body?.length !== meta.bodySize) return "corrupt"; // a torn or foreign inline body
  return { meta, bytes: text.length, body };
}

/** The body files an entry needs, with their exact sizes (a partial entry's pieces; none for an inline body). */
export function bodyFiles(meta: EntryMeta): { file: string; size: number }[] {
  if (!meta.partial) {
    if (isInline(meta.bodyFile)) return [];
    return [{ file: meta.bodyFile, size: meta.bodySize }];
  }
  return meta.partial.pieces.map((p) => ({
    file: p.file,
    size: p.end - p.start + 1,
  }));
}

/**
 * What an entry costs against the cap: its body bytes ("body"), or what
 * its files take on disk ("disk": the sidecar and each body file rounded
 * up to whole blocks, plus their directory entries).
 */
export function costOf(
  meta: EntryMeta,
  { sidecarBytes, accounting }: {
    sidecarBytes: number;
    accounting: Accounting;
  },
): number {
  if (accounting === "body") return meta.bodySize;
  let cost = blocks(sidecarBytes) + DIR_ENTRY_BYTES;
  for (const { size } of bodyFiles(meta)) {
    cost += blocks(size) + DIR_ENTRY_BYTES;
  }
  return cost;
}

function blocks(size: number): number {
  return Math.ceil(size / BLOCK_BYTES) * BLOCK_BYTES;
}
