/**
 * Owns reaching a cache's entries for `cachelab cache ...`: through the
 * admin API of the running proxy that holds the cache folder (its lock
 * file names its admin URL, cache/folder_lock.ts), or, when no process
 * holds it, on the folder itself: under the folder's lock (so no proxy
 * starts on it meanwhile), with a file store opened without a size cap
 * (nothing is evicted) and the admin listener's own entry routes
 * (admin/entries.ts) answering in-process; or in-process over a store
 * the caller opened (storeAccess: a Redis store, shared by running
 * nodes, which no folder lock guards). Either way the caller sends admin
 * API requests and reads the same JSON.
 *
 * Must not parse flags nor print (cli/ does), nor change entries but by
 * the entry routes' purge.
 */

import { join } from "node:path";
import { explainEntry } from "../cache/explain.ts";
import { FileStore } from "../cache/file_store.ts";
import {
  type FolderLock,
  FolderLockedError,
  LOCK_FILE,
  lockFolder,
  type LockRecord,
  parseLockRecord,
} from "../cache/folder_lock.ts";
import type { Store } from "../cache/store.ts";
import type { Peers } from "../proxy/caching/invalidations.ts";
import { entriesRoutes } from "./entries.ts";

/** Sends one admin API request, e.g. `("GET", "/api/entries?prefix=x")`. */
export type AdminFetch = (
  method: "GET" | "DELETE",
  pathAndQuery: string,
) => Promise<Response>;

/** An open way to the entries of one cache. */
export interface EntriesAccess {
  fetch: AdminFetch;
  /** Where the answers come from: "admin http://HOST:PORT of pid N" or "folder DIR". */
  readonly source: string;
  /** Releases what was taken (the folder's store and lock); idempotent. */
  close(): Promise<void>;
}

/** The folder is held by a proxy without an admin listener (--no-admin). */
export class NoAdminError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NoAdminError";
  }
}

/** Milliseconds one admin API request may take, answer and body read, before it fails. */
export const ADMIN_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The admin API at `base` (`http://HOST:PORT`); `source` says whose it is.
 * Each request, body included, is read within `timeoutMs`
 * (ADMIN_REQUEST_TIMEOUT_MS by default), else it throws "the admin API at
 * ROOT did not answer within N s": a listener that accepts but never
 * answers (a stopped process) cannot hold the command.
 */
export function adminAccess(
  base: string,
  source = `admin ${base}`,
  timeoutMs = ADMIN_REQUEST_TIMEOUT_MS,
) {
  const root = base.replace(/\/+$/, "");
  const access: EntriesAccess = {
    fetch: (method, pathAndQuery) =>
      boundedFetch(root, root + pathAndQuery, method, timeoutMs),
    source,
    close: () => Promise.resolve(),
  };
  return access;
}

/** One request whose answer is read whole within `timeoutMs`, returned as a buffered Response. */
async function boundedFetch(
  root: string,
  url: string,
  method: string,
  timeoutMs: number,
): Promise<Response> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const response = await fetch(url, { method, signal: abort.signal });
    const body = await response.arrayBuffer();
    return new Response(body, {
      status: response.status,
      headers: response.headers,
    });
  } catch (error) {
    const reason = abort.signal.aborted
      ? `it did not answer within ${timeoutMs / 1000} s`
      : error instanceof Error
      ? error.message
      : String(error);
    throw new Error(`the admin API at ${root} cannot be reached: ${reason}`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The entries of the cache in `dir`: through its proxy's admin API when a
 * process holds the folder, else on the folder under its lock. Throws a
 * NoAdminError when the holder has no admin listener, an Error "DIR ..."
 * when `dir` is missing or not a cache folder (nothing is created).
 */
export async function folderAccess(dir: string): Promise<EntriesAccess> {
  await checkCacheFolder(dir);
  let lock: FolderLock;
  try {
    lock = await lockFolder(dir, { pid: Deno.pid, admin: null });
  } catch (error) {
    if (!(error instanceof FolderLockedError)) throw error;
    const holder = await readRecord(dir);
    if (holder?.admin) {
      return adminAccess(
        holder.admin,
        `admin ${holder.admin} of pid ${holder.pid}`,
      );
    }
    throw new NoAdminError(
      `${dir} is in use by cachelab pid ${holder?.pid ?? "unknown"}, which ` +
        "has no admin listener (--no-admin); stop it, or restart it without --no-admin",
    );
  }
  return await offline(dir, lock);
}

async function offline(dir: string, lock: FolderLock): Promise<EntriesAccess> {
  let store: FileStore;
  try {
    // No cap of its own: the proxy's cap is not known here, and a cap
    // would evict entries at open.
    store = await FileStore.open(dir, {
      sizeBytes: Number.MAX_SAFE_INTEGER,
      memoryBytes: 0,
    });
  } catch (error) {
    await lock.release();
    throw error;
  }
  await store.indexed; // list and count every entry on disk, not the first ones indexed
  return storeAccess(store, {
    source: `folder ${dir}`,
    close: async () => {
      try {
        await store.close();
      } finally {
        await lock.release();
      }
    },
  });
}

/**
 * The entries of an open `store`, answered in-process by the admin
 * listener's own entry routes (a folder's file store, or a shared store
 * such as Redis, whose purges `peers` announces to the running nodes).
 * `close` releases the store and what goes with it, once.
 */
export function storeAccess(
  store: Store,
  options: { source: string; close: () => Promise<void>; peers?: Peers },
): EntriesAccess {
  const routes = entriesRoutes({
    store,
    explain: explainEntry,
    peers: options.peers,
  }); // as the admin listener's
  let closed = false;
  return {
    fetch: async (method, pathAndQuery) => {
      const url = new URL(pathAndQuery, "http://localhost");
      const handler = routes[`${method} ${url.pathname}`];
      if (!handler) throw new Error(`no admin route ${method} ${url.pathname}`);
      return await handler(new Request(url, { method }), url);
    },
    source: options.source,
    close: async () => {
      if (closed) return;
      closed = true;
      await options.close();
    },
  };
}

/** Throws unless `dir` is a folder a proxy made: its lock file or its first shard folder inside. */
async function checkCacheFolder(dir: string): Promise<void> {
  const info = await Deno.stat(dir).catch((error) => {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`${dir} does not exist (no proxy has used it yet?)`);
    }
    throw error;
  });
  if (!info.isDirectory) throw new Error(`${dir} is not a folder`);
  for (const name of [LOCK_FILE, "00"]) {
    try {
      await Deno.stat(join(dir, name));
      return;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  throw new Error(
    `${dir} is not a cachelab cache folder (no ${LOCK_FILE} nor 00/ in it)`,
  );
}

/** The lock file's record as far as it can be read (a starting holder may not have written it yet). */
async function readRecord(
  dir: string,
): Promise<Partial<LockRecord> | undefined> {
  try {
    return parseLockRecord(await Deno.readTextFile(join(dir, LOCK_FILE)));
  } catch {
    return undefined;
  }
}
