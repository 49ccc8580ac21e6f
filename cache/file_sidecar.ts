/**
 * Owns reading one sidecar (a variant's metadata file) back from disk,
 * synchronously, and checking that it belongs where it lies: the schema
 * (meta.ts), the key hash and variant of its name, body files of its
 * variant, its exact length (its JSON, and an inline body's newline and
 * bytes); and what an entry costs against the store's cap.
 *
 * A sidecar is its JSON metadata (a few hundred bytes), followed for an
 * inline entry by a newline and its body (at most INLINE_BODY_MAX_BYTES).
 * A metadata read (lookups, the start-up sweep, eviction) reads the JSON
 * only: the first 4 KiB, more only when no newline came yet, and takes
 * the length from fstat; only opening an inline body reads the rest.
 * Read synchronously from the page cache it costs a few microseconds,
 * less than an async file operation's round trip. Only a regular file is
 * read (lstat first): a folder, symlink, FIFO, socket or device where a
 * sidecar belongs is "corrupt" and never opened, and the open itself
 * neither follows a link nor blocks (O_NOFOLLOW, O_NONBLOCK), so one
 * swapped in after the lstat cannot stop the process either.
 *
 * Must not change files nor the index.
 */

import fs from "node:fs";
import { variantId } from "./key.ts";
import { type EntryMeta, parseMeta } from "./meta.ts";
import { filesOf } from "./piece_commit.ts";
import {
  INLINE_SEPARATOR,
  isInline,
  keyHash,
  metaName,
} from "./file_layout.ts";
import { INLINE_BODY_MAX_BYTES } from "./limits.ts";

/** Metadata (JSON) longer than this is not ours. */
const MAX_META_BYTES = 4 * 1024 * 1024;
/** What a metadata read reads first; more only when the JSON is longer. */
const HEAD_BYTES = 4096;
/** The block a file's size is rounded up to on disk. */
export const BLOCK_BYTES = 4096;
/** What a file's name costs in its folder (a directory entry, about its name's length). */
export const DIR_ENTRY_BYTES = 64;

/** Opens for reading without following a link nor waiting for a FIFO's writer. */
const SAFE_READ = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK |
  fs.constants.O_NOFOLLOW;

/**
 * The least one entry costs on disk: its sidecar's block and directory
 * entry (an empty inline body). A smaller cap stores nothing.
 */
export const ENTRY_MIN_DISK_BYTES = BLOCK_BYTES + DIR_ENTRY_BYTES;

/** How a store counts what its entries cost against its cap. */
export type Accounting = "disk" | "body";

/** A sidecar read back: its metadata, its size and modification time, and the inline body when asked for. */
export interface Sidecar {
  meta: EntryMeta;
  /** The whole file's length in bytes (JSON, and an inline body's newline and bytes). */
  bytes: number;
  /** The file's modification time, ms since the epoch (0 when unknown). */
  modifiedAt: number;
  /** The inline body (a view of the bytes read), only when read with `{ body: true }`. */
  body?: Uint8Array;
}

/**
 * Reads the sidecar of variant `variant` at `base` (the key's path
 * prefix, hash `hash`): "missing" when there is none, "corrupt" when it
 * is unreadable, not ours, of another length than its metadata says, or
 * belongs to another key or variant. Reads the JSON only, unless `body`
 * asks for an inline entry's body too (the whole file, in one read).
 */
export function readSidecar(
  base: string,
  { hash, variant }: { hash: string; variant: string },
  { body = false }: { body?: boolean } = {},
): Sidecar | "missing" | "corrupt" {
  const path = base + metaName(variant);
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (error) {
    return error instanceof Deno.errors.NotFound ? "missing" : "corrupt";
  }
  if (!info.isFile) return "corrupt"; // a folder, link, FIFO, socket or device: never opened
  let file: number;
  try {
    file = fs.openSync(path, SAFE_READ);
  } catch (error) {
    return (error as { code?: string }).code === "ENOENT"
      ? "missing"
      : "corrupt";
  }
  try {
    const size = info.size;
    const modifiedAt = info.mtime?.getTime() ?? 0;
    if (size > MAX_META_BYTES + 1 + INLINE_BODY_MAX_BYTES) return "corrupt"; // not ours
    const head = body ? readUpTo(file, size) : readHead(file, size);
    if (!head) return "corrupt"; // shorter than lstat said, or no JSON end
    const split = head.indexOf(INLINE_SEPARATOR);
    const json = split < 0 ? head : head.subarray(0, split);
    const meta = metaOf(json, { hash, variant });
    if (!meta) return "corrupt";
    if (!isInline(meta.bodyFile) || meta.partial) {
      if (split >= 0 || size !== json.length) return "corrupt"; // bytes after the metadata of a body kept elsewhere
      return { meta, bytes: size, modifiedAt };
    }
    if (split < 0) return "corrupt"; // an inline body's newline is missing
    if (meta.bodySize > INLINE_BODY_MAX_BYTES) return "corrupt"; // no writer makes it
    if (size !== split + 1 + meta.bodySize) return "corrupt"; // a torn or foreign inline body
    if (!body) return { meta, bytes: size, modifiedAt };
    return { meta, bytes: size, modifiedAt, body: head.subarray(split + 1) };
  } catch {
    return "corrupt"; // e.g. EAGAIN: a FIFO swapped in after the lstat
  } finally {
    fs.closeSync(file);
  }
}

/** The metadata in `json` when it is ours and belongs to this slot. */
function metaOf(
  json: Uint8Array,
  { hash, variant }: { hash: string; variant: string },
): EntryMeta | undefined {
  let meta: EntryMeta | undefined;
  try {
    meta = parseMeta(JSON.parse(new TextDecoder().decode(json)));
  } catch {
    return undefined; // not JSON
  }
  if (!meta) return undefined; // foreign, or another version
  if (keyHash(meta.key) !== hash) return undefined; // belongs to another key
  if (variantId(meta.vary) !== variant) return undefined; // another variant's
  for (const file of filesOf(meta)) {
    if (!file.startsWith(`${variant}-`)) return undefined; // another variant's body
  }
  return meta;
}

/**
 * The start of a `size`-byte file up to and with its first newline (or
 * the whole file when it has none): HEAD_BYTES first, then twice as much
 * each time no newline came yet. Undefined when the file ends early or
 * the JSON is longer than MAX_META_BYTES.
 */
function readHead(file: number, size: number): Uint8Array | undefined {
  let head = new Uint8Array(0);
  for (let want = HEAD_BYTES;; want *= 2) {
    const total = Math.min(size, want, MAX_META_BYTES + 1);
    const more = readUpTo(file, total - head.length);
    if (!more) return undefined;
    const from = head.length;
    const grown = new Uint8Array(total);
    grown.set(head);
    grown.set(more, from);
    head = grown;
    if (head.indexOf(INLINE_SEPARATOR, from) >= 0 || total === size) {
      return head;
    }
    if (total > MAX_META_BYTES) return undefined; // JSON over the bound
  }
}

/** Exactly `count` bytes from the file's position; undefined when it ends first. */
function readUpTo(file: number, count: number): Uint8Array | undefined {
  const bytes = new Uint8Array(count);
  let at = 0;
  while (at < count) {
    const read = fs.readSync(file, bytes, at, count - at, null);
    if (read === null || read === 0) return undefined;
    at += read;
  }
  return bytes;
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
