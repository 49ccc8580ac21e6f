/**
 * Owns the crash harness of the file store tests: snapshots of one key's
 * files taken after every file mutation while some work runs (each a
 * point the process could die at), and a store opened on a folder that
 * holds exactly one such snapshot.
 *
 * Must not hold assertions about the store's behaviour.
 */

import { FileStore } from "../../cache/file_store.ts";
import { entryBase } from "../../cache/file_layout.ts";
import { filesOf, folderOf, pathIn } from "./file_fixture.ts";

/** The files of the key's folder, by name. */
async function snapshot(
  dir: string,
  key: string,
): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const name of await filesOf(dir, key)) {
    files.set(name, await Deno.readFile(pathIn(dir, key, name)));
  }
  return files;
}

/** The same, read synchronously (taken inside a synchronous file call). */
function snapshotSync(dir: string, key: string): Map<string, Uint8Array> {
  const base = entryBase(dir, key);
  const prefix = base.slice(folderOf(dir, key).length + 1);
  const files = new Map<string, Uint8Array>();
  for (const item of Deno.readDirSync(folderOf(dir, key))) {
    if (!item.name.startsWith(prefix)) continue;
    const name = item.name.slice(prefix.length);
    files.set(name, Deno.readFileSync(base + name));
  }
  return new Map([...files].sort(([a], [b]) => a < b ? -1 : 1));
}

const MUTATIONS = ["writeTextFile", "writeFile", "rename", "remove"] as const;
const SYNC_MUTATIONS = ["writeFileSync", "renameSync", "removeSync"] as const;

/**
 * Runs `work` with a snapshot of the key's folder taken before it and
 * after every file mutation (each a point a crash could stop at).
 */
export async function snapshotsDuring(
  dir: string,
  key: string,
  work: () => Promise<unknown>,
): Promise<Map<string, Uint8Array>[]> {
  const deno = Deno as unknown as Record<string, unknown>;
  const originals = MUTATIONS.map((name) => deno[name]);
  const syncOriginals = SYNC_MUTATIONS.map((name) => deno[name]);
  const states = [await snapshot(dir, key)];
  MUTATIONS.forEach((name, i) => {
    const original = originals[i] as (...args: unknown[]) => Promise<unknown>;
    deno[name] = async (...args: unknown[]) => {
      try {
        return await original.apply(Deno, args);
      } finally {
        states.push(await snapshot(dir, key));
      }
    };
  });
  SYNC_MUTATIONS.forEach((name, i) => {
    const original = syncOriginals[i] as (...args: unknown[]) => unknown;
    deno[name] = (...args: unknown[]) => {
      try {
        return original.apply(Deno, args);
      } finally {
        states.push(snapshotSync(dir, key));
      }
    };
  });
  try {
    await work();
  } finally {
    MUTATIONS.forEach((name, i) => deno[name] = originals[i]);
    SYNC_MUTATIONS.forEach((name, i) => deno[name] = syncOriginals[i]);
  }
  return states;
}

/** Opens a store on a new folder holding exactly `files` for the key. */
export async function restored(
  key: string,
  files: Map<string, Uint8Array>,
): Promise<{ dir: string; store: FileStore }> {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-crash-" });
  await Deno.mkdir(folderOf(dir, key), { recursive: true });
  for (const [name, bytes] of files) {
    await Deno.writeFile(pathIn(dir, key, name), bytes);
  }
  const store = await FileStore.open(dir, {
    sizeBytes: 1 << 24,
    memoryBytes: 0,
  });
  await store.indexed;
  return { dir, store };
}
