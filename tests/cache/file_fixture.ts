/**
 * Owns what the file store tests share: a temp folder with a store in it,
 * reopening it, predictable write ids, and looking at an entry's files.
 *
 * Must not hold assertions about the store's behaviour.
 */

import { join } from "node:path";
import { entryDir } from "../../cache/file_layout.ts";
import { FileStore, type FileStoreOptions } from "../../cache/file_store.ts";

/** A folder and the store open on it. */
export interface FileFixture {
  dir: string;
  store: FileStore;
  /** Closes the store and opens a new one on the same folder. */
  reopen(options?: Partial<FileStoreOptions>): Promise<FileStore>;
  /** Closes the store and removes the folder. */
  dispose(): Promise<void>;
}

/** Write ids "id0001", "id0002", ... so tests know the file names. */
export function countingIds(): () => string {
  let n = 0;
  return () => `id${String(++n).padStart(4, "0")}`;
}

/** Opens a store in a new temp folder. */
export async function fileFixture(
  options: Partial<FileStoreOptions> = {},
): Promise<FileFixture> {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-store-" });
  const settings: FileStoreOptions = {
    sizeBytes: 1 << 24,
    memoryBytes: 1 << 20,
    ...options,
  };
  const fixture: FileFixture = {
    dir,
    store: await FileStore.open(dir, settings),
    async reopen(changes = {}) {
      await fixture.store.close();
      fixture.store = await FileStore.open(dir, { ...settings, ...changes });
      return fixture.store;
    },
    async dispose() {
      await fixture.store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
  return fixture;
}

/** The folder of a key's entries. */
export function folderOf(dir: string, key: string): string {
  return entryDir(dir, key);
}

/** The sorted file names in a key's folder ([] when the folder is gone). */
export async function filesOf(dir: string, key: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const item of Deno.readDir(entryDir(dir, key))) {
      names.push(item.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

/** The path of a file in a key's folder. */
export function pathIn(dir: string, key: string, name: string): string {
  return join(entryDir(dir, key), name);
}
