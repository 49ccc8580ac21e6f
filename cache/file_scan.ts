/**
 * Owns the file store's start-up sweep, run in the background once the
 * store is open (the proxy serves meanwhile): one `<hh>` folder at a
 * time, in short synchronous slices between which the event loop runs,
 * it lists the folder and, per variant's files:
 * - removes leftover `*.tmp` files (not those a write of this process is
 *   writing now) and folders of the older layout (`<hh>/<sha256>/`);
 * - checks the sidecar (its JSON only, file_sidecar.ts: schema, key hash
 *   and variant of its name, its length; an inline body is not read) and
 *   its body files (regular files of their exact size, lstat'ed, never read)
 *   and adds
 *   the entry to the index with its sidecar's modification time (the
 *   approximate use order after a restart), unless the index knows the
 *   slot already (a lookup or a write of this process got there first)
 *   or it was removed meanwhile (its files are then removed);
 * - removes a sidecar that fails (counted as corrupt), and the body files
 *   of the listing its sidecar does not name.
 * A variant's files are looked at in its slot's turn (or at once when no
 * work of that slot is queued: nothing can start during a synchronous
 * slice), so a body written since the listing is never taken for litter;
 * a body of the listing that the sidecar does not name is never named
 * again (names are unique per write).
 *
 * Must not evict nor read the clock: the store does, once this resolves.
 */

import { join } from "node:path";
import {
  BODY_REST,
  ENTRY_FILE,
  type LiveTemps,
  META_REST,
  OLD_ENTRY_DIR,
  shardNames,
  TEMP_SUFFIX,
} from "./file_layout.ts";
import { type FileIndex, type Slot, slotId } from "./file_index.ts";
import { bodyFiles, readSidecar } from "./file_sidecar.ts";
import { filesOf } from "./piece_commit.ts";

/** Files listed or variants looked at per slice before the event loop runs again (about 2 ms). */
const SLICE = 256;

/** What the sweep removed besides corrupt entries. */
export interface SweepCounts {
  /** Leftover `*.tmp` files removed. */
  tempFiles: number;
  /** Body files no valid sidecar named, removed. */
  orphanBodies: number;
  /** Folders of the older layout removed (with what they held). */
  oldFolders: number;
}

/** What the sweep needs from its store. */
export interface SweepHost {
  readonly root: string;
  readonly index: FileIndex;
  /** Temp files being written now (left alone). */
  readonly live: LiveTemps;
  readonly counts: SweepCounts;
  /** True when no work of the slot is queued or running. */
  idle(id: string): boolean;
  /** Runs `work` in the slot's turn. */
  inTurn(id: string, work: () => Promise<void>): Promise<void>;
  /** Counts a sidecar removed as corrupt. */
  corrupt(): void;
  /** True once the store closes: the sweep stops. */
  stopped(): boolean;
}

/** One variant's files in a listing. */
interface Group {
  slot: Slot;
  bodies: string[];
}

/** Sweeps every `<hh>` folder (which must exist); resolves when done or stopped. */
export async function sweepStore(host: SweepHost): Promise<void> {
  let work = 0;
  const slice = async (units: number) => {
    work += units;
    if (work < SLICE) return;
    work = 0;
    await pause();
  };
  for (const shard of shardNames()) {
    if (host.stopped()) return;
    const groups = listShard(host, join(host.root, shard));
    await slice(groups.size + 1);
    for (const group of groups.values()) {
      if (host.stopped()) return;
      const id = slotId(group.slot);
      if (host.idle(id)) checkGroup(host, group);
      else {await host.inTurn(id, () =>
          Promise.resolve(checkGroup(host, group)));}
      await slice(4);
    }
  }
  host.index.sweepDone();
}

/** Lists a folder: removes stale temp files and old folders; groups the rest by variant. */
function listShard(host: SweepHost, dir: string): Map<string, Group> {
  const groups = new Map<string, Group>();
  let items: Deno.DirEntry[];
  try {
    items = [...Deno.readDirSync(dir)];
  } catch {
    return groups; // removed under us: nothing to sweep
  }
  for (const item of items) {
    const path = join(dir, item.name);
    if (item.isDirectory) {
      if (OLD_ENTRY_DIR.test(item.name) && removeNow(path, true)) {
        host.counts.oldFolders++;
      }
      continue;
    }
    const match = ENTRY_FILE.exec(item.name);
    if (!match) continue; // not ours
    const [, hash, variant, rest] = match as unknown as [
      string,
      string,
      string,
      string,
    ];
    if (rest.endsWith(TEMP_SUFFIX)) {
      if (!host.live.has(path) && removeNow(path)) host.counts.tempFiles++;
      continue;
    }
    if (rest !== META_REST && !BODY_REST.test(rest)) continue;
    const id = `${hash}.${variant}`;
    let group = groups.get(id);
    if (!group) groups.set(id, group = { slot: { hash, variant }, bodies: [] });
    if (rest !== META_REST) group.bodies.push(`${variant}${rest}`);
  }
  return groups;
}

/** Looks at one variant's files (see the module comment). */
function checkGroup(host: SweepHost, { slot, bodies }: Group): void {
  const base = join(host.root, slot.hash.slice(0, 2), `${slot.hash}.`);
  const read = readSidecar(base, slot);
  const { index } = host;
  let named: string[] = [];
  if (index.holds(slot)) {
    if (typeof read === "string" || !index.isCurrent(read.meta)) return; // not at rest: left alone
    named = filesOf(read.meta);
  } else if (index.isRemoved(slot)) {
    removeNow(`${base}${slot.variant}${META_REST}`);
  } else if (
    read === "corrupt" || (read !== "missing" && !whole(base, read.meta))
  ) {
    if (removeNow(`${base}${slot.variant}${META_REST}`)) host.corrupt();
  } else if (read !== "missing") {
    named = filesOf(read.meta);
    index.addSwept(read, read.modifiedAt);
  }
  for (const body of bodies) {
    if (!named.includes(body) && removeNow(base + body)) {
      host.counts.orphanBodies++;
    }
  }
}

/** True when every body file the entry needs is there with its exact size. */
function whole(base: string, meta: Parameters<typeof bodyFiles>[0]): boolean {
  try {
    return bodyFiles(meta).every(({ file, size }) => {
      const info = Deno.lstatSync(base + file); // a link, FIFO or folder is not a body
      return info.isFile && info.size === size;
    });
  } catch {
    return false; // a body is missing
  }
}

/** Removes a file (or a folder with what it holds); true when it did. */
function removeNow(path: string, recursive = false): boolean {
  try {
    Deno.removeSync(path, { recursive });
    return true;
  } catch {
    return false; // gone already
  }
}

function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
