/**
 * Owns the file store's start-up sweep: walks `<root>/<hh>/<hash>/`,
 * removes temp files, checks every metadata file (schema, folder, variant,
 * body file, or a partial entry's piece files, present with the exact
 * size; bodies are stat'ed, never read),
 * removes what fails and the bodies no metadata names, and returns the
 * valid entries with their metadata file's modification time (the
 * approximate use order after a restart).
 *
 * Must not build the index nor evict: the store does, from what this returns.
 */

import { join } from "node:path";
import { variantId } from "./key.ts";
import { type EntryMeta, parseMeta } from "./meta.ts";
import { filesOf } from "./piece_commit.ts";
import {
  BODY_FILE,
  ENTRY_DIR,
  keyHash,
  META_FILE,
  removeQuietly,
  SHARD_DIR,
  TEMP_SUFFIX,
} from "./file_layout.ts";

/** Metadata files larger than this are not ours. */
const MAX_META_BYTES = 4 * 1024 * 1024;
/** Entry folders checked at the same time. */
const PARALLEL_FOLDERS = 8;

/** A valid entry found on disk. */
export interface FoundEntry {
  meta: EntryMeta;
  /** Modification time of its metadata file (ms since epoch, 0 if unknown). */
  usedAt: number;
}

/** What the sweep found and removed. */
export interface ScanResult {
  entries: FoundEntry[];
  /** Metadata files removed: corrupt, foreign, misplaced, or naming a missing or wrong-size body. */
  corruptRemoved: number;
  /** Leftover `*.tmp` files removed. */
  tempFiles: number;
  /** Body files no valid metadata named, removed. */
  orphanBodies: number;
}

/** Sweeps the store folder (which must exist). */
export async function scanStore(root: string): Promise<ScanResult> {
  const result: ScanResult = {
    entries: [],
    corruptRemoved: 0,
    tempFiles: 0,
    orphanBodies: 0,
  };
  const folders: { path: string; hash: string }[] = [];
  const shards = await listDirs(root, SHARD_DIR);
  for (const shard of shards) {
    for (const hash of await listDirs(join(root, shard), ENTRY_DIR)) {
      if (hash.startsWith(shard)) {
        folders.push({ path: join(root, shard, hash), hash });
      }
    }
  }
  let next = 0;
  const worker = async () => {
    while (next < folders.length) {
      const folder = folders[next++]!;
      await scanEntryDir(folder.path, folder.hash, result);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_FOLDERS }, worker));
  for (const shard of shards) await removeIfEmpty(join(root, shard));
  return result;
}

async function scanEntryDir(
  dir: string,
  hash: string,
  result: ScanResult,
): Promise<void> {
  const names: string[] = [];
  for await (const item of Deno.readDir(dir)) {
    if (item.isFile || item.isSymlink) names.push(item.name);
  }
  const referenced = new Set<string>();
  for (const name of names) {
    if (name.endsWith(TEMP_SUFFIX)) {
      await removeQuietly(join(dir, name));
      result.tempFiles++;
      continue;
    }
    const variant = META_FILE.exec(name)?.[1];
    if (variant === undefined) continue;
    const found = await checkMetaFile(dir, name, hash, variant);
    if (found) {
      for (const file of filesOf(found.meta)) referenced.add(file);
      result.entries.push(found);
    } else {
      await removeQuietly(join(dir, name));
      result.corruptRemoved++;
    }
  }
  for (const name of names) {
    if (!BODY_FILE.test(name) || referenced.has(name)) continue;
    await removeQuietly(join(dir, name)); // a write that never switched in, or a replaced body
    result.orphanBodies++;
  }
  await removeIfEmpty(dir);
}

/** The entry a metadata file describes, or undefined when it must go. */
async function checkMetaFile(
  dir: string,
  name: string,
  hash: string,
  variant: string,
): Promise<FoundEntry | undefined> {
  try {
    const info = await Deno.stat(join(dir, name));
    if (!info.isFile || info.size > MAX_META_BYTES) return undefined;
    const meta = parseMeta(
      JSON.parse(await Deno.readTextFile(join(dir, name))),
    );
    if (!meta) return undefined; // corrupt, foreign or another version
    if (keyHash(meta.key) !== hash) return undefined; // belongs to another folder
    if (variantId(meta.vary) !== variant) return undefined; // belongs to another variant
    for (const { file, size } of bodyFiles(meta)) {
      if (!file.startsWith(`${variant}-`)) return undefined; // another variant's body
      const body = await Deno.stat(join(dir, file));
      if (!body.isFile || body.size !== size) return undefined; // torn or truncated
    }
    return { meta, usedAt: info.mtime?.getTime() ?? 0 };
  } catch {
    return undefined; // unreadable, not JSON, or the body is missing
  }
}

/** The body files an entry needs, with their exact sizes (a partial entry's pieces). */
function bodyFiles(meta: EntryMeta): { file: string; size: number }[] {
  if (!meta.partial) return [{ file: meta.bodyFile, size: meta.bodySize }];
  return meta.partial.pieces.map((p) => ({
    file: p.file,
    size: p.end - p.start + 1,
  }));
}

async function listDirs(dir: string, pattern: RegExp): Promise<string[]> {
  const names: string[] = [];
  for await (const item of Deno.readDir(dir)) {
    if (item.isDirectory && pattern.test(item.name)) names.push(item.name);
  }
  return names;
}

async function removeIfEmpty(dir: string): Promise<void> {
  try {
    await Deno.remove(dir); // fails (and is left) when not empty
  } catch {
    // still holds entries or files that are not ours
  }
}
