/**
 * Owns where the file store keeps things and the few file operations its
 * atomic protocol is built from.
 *
 * Layout (flat): `<root>/<hh>/` holds, for every primary key, files named
 * `<hash>.<name>`, where `<hash>` is the first 32 hex digits (128 bits) of
 * the SHA-256 of the key and `<hh>` its first two. Per variant, `<name>`
 * is `<variant>.json` (the sidecar: its first line the JSON metadata; its
 * rename is the switch that makes a version current) and the body it
 * names, `<variant>-<writeId>.body`.
 * A small body (up to INLINE_BODY_MAX_BYTES) lives inside its sidecar
 * instead: the JSON metadata, a newline, then the raw body bytes; its
 * metadata names `<variant>-<writeId>.inline.body`, a file that never
 * exists (the name still tells versions apart).
 * The 256 `<hh>` folders are made once, when the store opens: a write
 * makes no folder. Anything ending in `.tmp` is work in progress, never
 * read. No fsync: the protocol is safe against the process dying at any
 * point, not against power loss.
 *
 * Must not hold the index nor decide what is current.
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import type { EntryMeta } from "./meta.ts";
import { KEY_HASH_MEMO_ENTRIES } from "./limits.ts";

/** Suffix of files being written; never part of an entry. */
export const TEMP_SUFFIX = ".tmp";
/** A `<hh>` folder name. */
export const SHARD_DIR = /^[0-9a-f]{2}$/;
/** A folder of the layout before the flat one (`<hh>/<sha256>/`): emptied and removed. */
export const OLD_ENTRY_DIR = /^[0-9a-f]{64}$/;
/** A file of the flat layout: captures the key hash, the variant id and the rest of the name. */
export const ENTRY_FILE = /^([0-9a-f]{32})\.([0-9a-f]{32}|default)(.*)$/;
/** The rest of a sidecar's name after its variant. */
export const META_REST = ".json";
/** The rest of a body file's name after its variant. */
export const BODY_REST = /^-[\w.-]+\.body$/;
/** The variant id of an entry without Vary (cache/key.ts). */
export const DEFAULT_VARIANT = "default";

/**
 * The hashes of the keys looked up last, most recent last: a hit on a hot
 * key skips SHA-256 (about 11% of a 1 KiB hit's CPU from the file store).
 * Bounded by KEY_HASH_MEMO_ENTRIES; holds strings only, no entry state.
 */
const recentHashes = new Map<string, string>();

/**
 * The SHA-256 of a primary key, its first 32 hex digits: the prefix of its
 * files' names. The same key always gives the same hash (a memo of the
 * recent ones is consulted first).
 */
export function keyHash(key: string): string {
  const known = recentHashes.get(key);
  if (known !== undefined) {
    recentHashes.delete(key);
    recentHashes.set(key, known);
    return known;
  }
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 32);
  recentHashes.set(key, hash);
  if (recentHashes.size > KEY_HASH_MEMO_ENTRIES) {
    recentHashes.delete(recentHashes.keys().next().value!);
  }
  return hash;
}

/** Hex digits of every byte value. */
const HEX = Array.from(
  { length: 256 },
  (_, i) => i.toString(16).padStart(2, "0"),
);

/** The `<hh>` folder names, "00" to "ff". */
export function shardNames(): string[] {
  return [...HEX];
}

/** The path prefix of a key's files (its key hash's); append a name to it. */
export function entryBase(root: string, key: string): string {
  return baseOf(root, keyHash(key));
}

/** The path prefix of the files of the key whose hash is `hash`. */
export function baseOf(root: string, hash: string): string {
  return join(root, hash.slice(0, 2), `${hash}.`);
}

/** The metadata file name of a variant. */
export function metaName(variant: string): string {
  return `${variant}${META_REST}`;
}

/** The body file name of one write of a variant. */
export function bodyName(variant: string, writeId: string): string {
  return `${variant}-${writeId}.body`;
}

/** The name of a body kept inside its sidecar (no such file exists). */
export function inlineName(variant: string, writeId: string): string {
  return `${variant}-${writeId}${INLINE_REST}`;
}

/** The end of an inline body's name. */
const INLINE_REST = ".inline.body";

/** True when the body named `file` lives inside its sidecar. */
export function isInline(file: string): boolean {
  return file.endsWith(INLINE_REST);
}

/** Of an entry's body file names, those that are files on disk. */
export function onDisk(files: string[]): string[] {
  return files.filter((file) => !isInline(file));
}

/** Random bytes drawn ahead, 8 per write id (one getRandomValues call per 512 ids). */
const pool = new Uint8Array(4096);
let poolAt = pool.length;

/** 64 random bits in hex: makes every write's file names unique. */
export function randomWriteId(): string {
  if (poolAt + 8 > pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  let id = "";
  const end = poolAt + 8;
  for (; poolAt < end; poolAt++) id += HEX[pool[poolAt]!];
  return id;
}

/** Removes a file; a file already gone (or any other failure) is ignored. */
export async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch {
    // gone already, or left for the start-up sweep
  }
}

/** Temp files being written now, by path: the background sweep leaves them alone. */
export type LiveTemps = Set<string>;

/** The byte between a sidecar's JSON and an inline body (JSON text never holds a raw one). */
export const INLINE_SEPARATOR = 0x0a;

/**
 * Writes a variant's metadata atomically: to a unique temp file, then
 * renamed over `<variant>.json` (`base` is the key's path prefix), with
 * synchronous calls (a sidecar is a few hundred bytes of JSON, plus an
 * inline body of at most INLINE_BODY_MAX_BYTES = SYNC_WRITE_MAX_BYTES:
 * cheaper than an async op's round trip through the thread pool, and
 * nothing else runs between the write and the rename). With `body`, the
 * file is the JSON, a newline, then the body.
 * Returns the file's size in bytes.
 * Throws when it could not (the old file is then untouched and the temp
 * file removed).
 */
export function writeMetaFile(
  base: string,
  slot: { variant: string; writeId: string },
  meta: EntryMeta,
  body?: Uint8Array,
): number {
  return writeSidecarFile(base, slot, sidecarBytes(meta, body));
}

/** writeMetaFile with the sidecar's `bytes` made already (sidecarBytes). */
export function writeSidecarFile(
  base: string,
  { variant, writeId }: { variant: string; writeId: string },
  bytes: Uint8Array,
): number {
  const temp = `${base}${variant}-${writeId}.json${TEMP_SUFFIX}`;
  try {
    Deno.writeFileSync(temp, bytes);
    Deno.renameSync(temp, base + metaName(variant));
    return bytes.length;
  } catch (error) {
    try {
      Deno.removeSync(temp);
    } catch {
      // never made, or left for the start-up sweep
    }
    throw error;
  }
}

/** A sidecar's bytes: the JSON of `meta`, then, with `body`, a newline and the body. */
export function sidecarBytes(
  meta: EntryMeta,
  body: Uint8Array | undefined,
): Uint8Array {
  const json = JSON.stringify(meta);
  if (!body) return encoder.encode(json);
  const out = new Uint8Array(json.length * 3 + 1 + body.length);
  const { written } = encoder.encodeInto(json, out);
  out[written] = INLINE_SEPARATOR;
  out.set(body, written + 1);
  return out.subarray(0, written + 1 + body.length);
}

const encoder = new TextEncoder();
