/**
 * Owns where an entry lives in Redis. Per primary key, one hash
 * `cachelab:{H}:m` (H: the first 32 hex digits of the key's SHA-256; the
 * braces are a hash tag, so every part of the key lands in one cluster
 * slot) with the fields:
 * - `k`: the primary key itself (for listing and purging by URL);
 * - `g`: the key's purge generation (a write begun before a purge of its
 *   key is not committed; purges by prefix or of all raise PURGE_EPOCH);
 * - `v:<variant id>`: a variant's metadata, the sidecar's versioned JSON
 *   (cache/meta.ts);
 * - `b:<body file>`: a body of at most INLINE_MAX bytes, so that metadata
 *   and small body share their fate (one key, evicted or expired whole).
 * Larger bodies go in chunks of CHUNK_BYTES, `cachelab:{H}:c:<body
 * file>:<i>`, written under the write's own body file name before the
 * metadata names them (invisible until then), expiring with the entry.
 *
 * Must not open connections nor decide what to store.
 */

import { createHash, randomBytes } from "node:crypto";
import { variantId } from "../cache/key.ts";
import type { EntryMeta } from "../cache/meta.ts";

/** What every key of the store starts with. */
export const PREFIX = "cachelab:";

/** The largest body kept inside its entry's hash (64 KiB). */
export const INLINE_MAX = 64 * 1024;

/** The size of each chunk of a larger body (256 KiB). */
export const CHUNK_BYTES = 256 * 1024;

/**
 * The purge log, a hash: the purge epoch (field `n`), raised by every
 * purge by prefix or of everything, and each one's prefix (`p:<epoch>`,
 * "" for all), which a write begun before it may not outlive when its key
 * matches (its key may have had no hash to mark when the purge ran).
 * Outside every hash tag: in a Redis Cluster the COMMIT script, which
 * reads it with the entry hash, would need both in one slot (this store
 * runs on one Redis).
 */
export const PURGE_EPOCH = `${PREFIX}purges`;

/** The SCAN pattern of every entry hash. */
export const HASH_PATTERN = `${PREFIX}{*}:m`;

/** The names of one primary key's parts. */
export interface KeyPlace {
  /** The entry hash. */
  hash: string;
  /** The prefix of its chunk keys (add `<body file>:<i>`). */
  chunks: string;
}

/** Where the parts of primary key `key` live. */
export function placeOf(key: string): KeyPlace {
  const h = createHash("sha256").update(key).digest("hex").slice(0, 32);
  return { hash: `${PREFIX}{${h}}:m`, chunks: `${PREFIX}{${h}}:c:` };
}

/** The hash field of a variant's metadata. */
export function metaField(vary: EntryMeta["vary"]): string {
  return `v:${variantId(vary)}`;
}

/** The hash field of an inline body file. */
export function bodyField(file: string): string {
  return `b:${file}`;
}

/** The key of chunk `i` of a chunked body file. */
export function chunkKey(place: KeyPlace, file: string, i: number): string {
  return `${place.chunks}${file}:${i}`;
}

/**
 * The largest body file the store keeps (4 GiB, 16384 chunks): sizes read
 * back from Redis are never trusted past it (a metadata claiming more is
 * corrupt), so that neither a node nor a script builds or loops over what
 * a planted size claims. A write larger than this is not stored.
 */
export const STORED_MAX_BYTES = 4 * 1024 ** 3;

/** The most chunks one body file has (STORED_MAX_BYTES / CHUNK_BYTES). */
export const MAX_CHUNKS = STORED_MAX_BYTES / CHUNK_BYTES;

/**
 * How many pieces a partial entry's metadata may name before it is taken
 * as corrupt (far above what the store merges them to).
 */
export const MAX_PIECES = 1024;

/** True when `size` is a body file size the store could have written (0 to STORED_MAX_BYTES). */
export function plausibleSize(size: unknown): size is number {
  return Number.isSafeInteger(size) && (size as number) >= 0 &&
    (size as number) <= STORED_MAX_BYTES;
}

/** How many chunks a body file of `size` bytes takes (0: inline). */
export function chunkCount(size: number): number {
  return size <= INLINE_MAX ? 0 : Math.ceil(size / CHUNK_BYTES);
}

/** A new body file name for a variant, unique across nodes (random). */
export function newBodyFile(vary: EntryMeta["vary"]): string {
  return `${variantId(vary)}-${randomBytes(8).toString("hex")}.body`;
}

/** The size of body file `file` of `meta` (a piece's length for a partial entry). */
export function fileSize(meta: EntryMeta, file: string): number | undefined {
  if (!meta.partial) return file === meta.bodyFile ? meta.bodySize : undefined;
  const piece = meta.partial.pieces.find((p) => p.file === file);
  return piece && piece.end - piece.start + 1;
}
