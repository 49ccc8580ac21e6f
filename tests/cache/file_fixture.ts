/**
 * Owns what the file store tests share: a temp folder with a store in it
 * (opened and swept), reopening it, predictable write ids, and looking at
 * a key's files (named as within the key: `default.json`, ...).
 *
 * Must not hold assertions about the store's behaviour.
 */

import { dirname } from "node:path";
import { entryBase } from "../../cache/file_layout.ts";
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

/** Opens a store on `dir` and waits for its start-up sweep. */
async function opened(
  dir: string,
  options: FileStoreOptions,
): Promise<FileStore> {
  const store = await FileStore.open(dir, options);
  await store.indexed;
  return store;
}

/**
 * Opens a store in a new temp folder. Every body has a file of its own
 * (`inlineMaxBytes: -1`) unless the options say otherwise: most tests
 * look at body files; the inline tests opt in.
 */
export async function fileFixture(
  options: Partial<FileStoreOptions> = {},
): Promise<FileFixture> {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-store-" });
  const settings: FileStoreOptions = {
    sizeBytes: 1 << 24,
    memoryBytes: 1 << 20,
    inlineMaxBytes: -1,
    ...options,
  };
  const fixture: FileFixture = {
    dir,
    store: await opened(dir, settings),
    async reopen(changes = {}) {
      await fixture.store.close();
      fixture.store = await opened(dir, { ...settings, ...changes });
      return fixture.store;
    },
    async dispose() {
      await fixture.store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
  return fixture;
}

/** The `<hh>` folder holding a key's files. */
export function folderOf(dir: string, key: string): string {
  return dirname(entryBase(dir, key));
}

/**
 * The sorted names of a key's files, without their `<hash>.` prefix
 * (`default.json`, `default-id0001.body`, ...).
 */
export async function filesOf(dir: string, key: string): Promise<string[]> {
  const base = entryBase(dir, key);
  const prefix = base.slice(folderOf(dir, key).length + 1);
  const names: string[] = [];
  try {
    for await (const item of Deno.readDir(folderOf(dir, key))) {
      if (item.name.startsWith(prefix)) {
        names.push(item.name.slice(prefix.length));
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

/** The path of a key's file named `name` (without its `<hash>.` prefix). */
export function pathIn(dir: string, key: string, name: string): string {
  return entryBase(dir, key) + name;
}
