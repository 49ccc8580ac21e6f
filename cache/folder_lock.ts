/**
 * Owns the cache folder's lock: `<dir>/cachelab.lock`, held with an
 * exclusive operating-system lock (Deno.FsFile.tryLock) by the one proxy
 * using the folder, and recording its pid and admin URL for the next one
 * to name. The lock dies with its process (kill -9 included), so a file
 * left behind never blocks a restart; the file itself is never deleted
 * (deleting a locked file would let a second process lock a new one
 * while a third still holds the old).
 *
 * Must not know about entries: the file store owns everything else in
 * the folder.
 */

import { join } from "node:path";

/** The lock file's name in the cache folder. */
export const LOCK_FILE = "cachelab.lock";

/** What the lock file records. */
export interface LockRecord {
  pid: number;
  /** The holder's admin listener URL, or null (not yet bound, or --no-admin). */
  admin: string | null;
}

/** The folder is locked by another process. */
export class FolderLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FolderLockedError";
  }
}

/** A held lock. */
export interface FolderLock {
  /** Rewrites the record (e.g. once the admin listener is bound). */
  record(record: LockRecord): Promise<void>;
  /** Empties the record and releases the lock (the file stays). */
  release(): Promise<void>;
}

/**
 * Locks `dir` (created when missing) for this process, recording `record`.
 * Throws a FolderLockedError "DIR is in use by another cachelab (pid N,
 * admin URL)" when another process holds it; an Error "PATH is a KIND,
 * not a regular file" when cachelab.lock exists as something else (a
 * FIFO, socket, device, folder or symbolic link: never opened); other
 * errors as Deno.open throws them (permission, not a folder).
 */
export async function lockFolder(
  dir: string,
  record: LockRecord,
): Promise<FolderLock> {
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  await refuseNonRegular(path); // before open: opening a FIFO would block
  const file = await Deno.open(path, { read: true, write: true, create: true });
  let held = false;
  try {
    if (!(await file.tryLock(true))) {
      throw new FolderLockedError(
        `${dir} is in use by another cachelab (${
          holderOf(await readAll(file))
        })`,
      );
    }
    held = true;
    const write = async (next: LockRecord | undefined) => {
      await file.truncate(0);
      await file.seek(0, Deno.SeekMode.Start);
      if (next) {
        const bytes = new TextEncoder().encode(JSON.stringify(next) + "\n");
        await file.write(bytes); // a few bytes: one write
      }
    };
    await write(record);
    let released = false;
    return {
      record: (next) => write(next),
      release: async () => {
        if (released) return;
        released = true;
        try {
          await write(undefined);
          await file.unlock();
        } finally {
          file.close();
        }
      },
    };
  } finally {
    if (!held) file.close();
  }
}

/** Throws "PATH is a KIND, not a regular file" when `path` exists and is not a regular file. */
async function refuseNonRegular(path: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return; // created by open
    throw error;
  }
  if (info.isFile) return;
  throw new Error(`${path} is ${kindOf(info)}, not a regular file`);
}

/** What a non-regular file is, in words: "a FIFO", "a folder", ... */
function kindOf(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a folder";
  if (info.isSymlink) return "a symbolic link";
  if (info.isFifo) return "a FIFO";
  if (info.isSocket) return "a socket";
  if (info.isBlockDevice || info.isCharDevice) return "a device";
  return "a file of another kind";
}

/**
 * A lock file's record as far as its text can be read: `pid` undefined
 * when absent or not a number, `admin` null when not a string; undefined
 * when the text is not a JSON object (a holder may not have written it
 * yet).
 */
export function parseLockRecord(text: string): Partial<LockRecord> | undefined {
  try {
    const value = JSON.parse(text);
    if (typeof value !== "object" || value === null) return undefined;
    return {
      pid: typeof value.pid === "number" ? value.pid : undefined,
      admin: typeof value.admin === "string" ? value.admin : null,
    };
  } catch {
    return undefined;
  }
}

/** "pid N, admin URL" from a lock file's text, as far as it can be read. */
function holderOf(text: string): string {
  const record = parseLockRecord(text);
  if (record === undefined) return "pid unknown";
  const pid = record.pid === undefined ? "unknown" : String(record.pid);
  const admin = record.admin === null || record.admin === undefined
    ? "no admin listener"
    : `admin ${record.admin}`;
  return `pid ${pid}, ${admin}`;
}

async function readAll(file: Deno.FsFile): Promise<string> {
  const buffer = new Uint8Array(4096);
  let text = "";
  await file.seek(0, Deno.SeekMode.Start);
  for (;;) {
    const n = await file.read(buffer);
    if (n === null || text.length > 4096) return text;
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
}
