/**
 * Owns where the file store keeps things and the few file operations its
 * atomic protocol is built from.
 *
 * Layout: `<root>/<hh>/<sha256(key)>/` holds, per variant, `<variant>.json`
 * (the metadata, the switch that makes a version current) and the body it
 * names, `<variant>-<writeId>.body`. `<hh>` is the hash's first two hex
 * digits. Anything ending in `.tmp` is work in progress, never read, and
 * removed at start-up. No fsync: the protocol is safe against the process
 * dying at any point, not against power loss.
 *
 * Must not hold the index nor decide what is current.
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import type { EntryMeta } from "./meta.ts";

/** Suffix of files being written; never part of an entry. */
export const TEMP_SUFFIX = ".tmp";
/** A `<hh>` folder name. */
export const SHARD_DIR = /^[0-9a-f]{2}$/;
/** An entry folder name: the SHA-256 of the primary key. */
export const ENTRY_DIR = /^[0-9a-f]{64}$/;
/** A metadata file name; the capture is the variant id. */
export const META_FILE = /^([0-9a-f]{32}|default)\.json$/;
/** A body file name. */
export const BODY_FILE = /^[\w.-]+\.body$/;

/** The SHA-256 of a primary key in hex: the name of its folder. */
export function keyHash(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** The folder holding every variant of a primary key. */
export function entryDir(root: string, key: string): string {
  const hash = keyHash(key);
  return join(root, hash.slice(0, 2), hash);
}

/** The metadata file name of a variant. */
export function metaName(variant: string): string {
  return `${variant}.json`;
}

/** The body file name of one write of a variant. */
export function bodyName(variant: string, writeId: string): string {
  return `${variant}-${writeId}.body`;
}

/** 128 random bits in hex: makes every write's file names unique. */
export function randomWriteId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Removes a file; a file already gone (or any other failure) is ignored. */
export async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch {
    // gone already, or left for the start-up sweep
  }
}

/**
 * Writes a variant's metadata atomically: to a unique temp file, then
 * renamed over `<variant>.json`. Throws when it could not (the old file
 * is then untouched and the temp file removed).
 */
export async function writeMetaFile(
  dir: string,
  variant: string,
  writeId: string,
  meta: EntryMeta,
): Promise<void> {
  const temp = join(dir, `${variant}-${writeId}.json${TEMP_SUFFIX}`);
  try {
    await Deno.writeTextFile(temp, JSON.stringify(meta));
    await Deno.rename(temp, join(dir, metaName(variant)));
  } catch (error) {
    await removeQuietly(temp);
    throw error;
  }
}
