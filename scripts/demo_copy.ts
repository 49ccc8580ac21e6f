/**
 * Owns the private copy of demo/ that `deno task start` serves: a fresh
 * folder under /tmp holding demo/'s folders and files, so the edits the
 * walk-through suggests never change the tracked files; removed at exit.
 * /tmp is named rather than taken from TMPDIR so that the start task's
 * write permission can name it (`--allow-write=/tmp`). The copying is
 * cli/lab_folders.ts's, which `cachelab lab` uses too.
 *
 * Must not start servers (start.ts does).
 */

import { copyToTemp, removeFolder } from "../cli/lab_folders.ts";

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
  return await copyToTemp(source, { prefix: "cachelab-demo-", parent });
}

/** Removes a copy made by copyDemo; a copy already gone is fine. */
export async function removeCopy(copy: string): Promise<void> {
  await removeFolder(copy);
}
