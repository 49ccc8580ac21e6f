/**
 * Owns the throw-away folders of `cachelab lab`: a private copy of a
 * folder (the demo the origin serves, so its edits never change the
 * tracked files), a fresh cache folder (a moved clock written into its
 * sidecars would put times in the future for a later run), and removing
 * them at exit. scripts/demo_copy.ts copies the same way.
 *
 * Must not start servers.
 */

import { join } from "node:path";

/**
 * A new folder `PREFIX*` under `parent` (the system's temporary folder by
 * default) holding a copy of the folder `source`; returns its path.
 * Throws an Error "Cannot copy ..." for an entry that is neither a folder
 * nor a regular file (the copy is removed first).
 */
export async function copyToTemp(
  source: string,
  options: { prefix: string; parent?: string },
): Promise<string> {
  const copy = await Deno.makeTempDir({
    dir: options.parent,
    prefix: options.prefix,
  });
  try {
    await copyFolder(source, copy);
  } catch (e) {
    await removeFolder(copy);
    throw e;
  }
  return copy;
}

/** Removes a folder and everything in it; one already gone is fine. */
export async function removeFolder(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/** Copies the folders and regular files under `from` into the existing folder `to`. */
export async function copyFolder(from: string, to: string): Promise<void> {
  for await (const entry of Deno.readDir(from)) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory) {
      await Deno.mkdir(target);
      await copyFolder(source, target);
    } else if (entry.isFile) {
      await Deno.copyFile(source, target);
    } else {
      throw new Error(
        `Cannot copy ${source}: neither a folder nor a regular file`,
      );
    }
  }
}
