/**
 * Owns the private copy of demo/ that `deno task start` serves: a fresh
 * folder under /tmp holding demo/'s folders and files, so the edits the
 * walk-through suggests never change the tracked files; removed at exit.
 * /tmp is named rather than taken from TMPDIR so that the start task's
 * write permission can name it (`--allow-write=/tmp`).
 *
 * Must not start servers (start.ts does).
 */

import { join } from "node:path";

/** Where the copies go; the start task may write here and nowhere else. */
export const COPY_PARENT = "/tmp";

/**
 * Copies the folder `source` into a new folder `cachelab-demo-*` under
 * `parent` and returns its path. Throws an Error "Cannot copy ..." for an
 * entry that is neither a folder nor a regular file (the copy is removed
 * first).
 */
export async function copyDemo(
  source: string,
  parent: string = COPY_PARENT,
): Promise<string> {
  const copy = await Deno.makeTempDir({
    dir: parent,
    prefix: "cachelab-demo-",
  });
  try {
    await copyFolder(source, copy);
  } catch (e) {
    await removeCopy(copy);
    throw e;
  }
  return copy;
}

/** Removes a copy made by copyDemo; a copy already gone is fine. */
export async function removeCopy(copy: string): Promise<void> {
  try {
    await Deno.remove(copy, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

async function copyFolder(from: string, to: string): Promise<void> {
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
