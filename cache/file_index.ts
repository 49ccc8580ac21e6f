/**
 * Owns the file store's index: which variants are stored under each key,
 * which version of each is current, their least-recently-used order and
 * what they cost against the cap, in a compact table (slot_table.ts)
 * whatever the number of entries. Metadata is not held per entry: a
 * lookup reads the variant's sidecar back (file_sidecar.ts) and keeps the
 * most recently read ones in a bounded cache. A sidecar read that names
 * another version than the table's (a switch under way) is not used.
 *
 * Until the start-up sweep (file_scan.ts) completes, the table may lack
 * entries that are on disk: a lookup of a key it does not know then
 * reads the key's `default` variant's sidecar directly (an entry with
 * Vary is found once the sweep reached it), and what is removed meanwhile
 * is remembered so that neither the lookup nor the sweep brings it back.
 *
 * Must not write nor delete files: the store acts on what it returns.
 */

import { variantId } from "./key.ts";
import type { EntryMeta } from "./meta.ts";
import { RecencyMap } from "./recency_map.ts";
import {
  type Accounting,
  costOf,
  readSidecar,
  type Sidecar,
} from "./file_sidecar.ts";
import { baseOf, DEFAULT_VARIANT, keyHash, onDisk } from "./file_layout.ts";
import { filesOf } from "./piece_commit.ts";
import {
  fingerprint,
  type Hash128,
  hashWords,
  SlotTable,
} from "./slot_table.ts";

/** Records a scan (list, deleteWhere) visits before it lets other work run. */
const SCAN_SLICE = 256;

/** Where a variant's files are: its key hash and variant id (as in the file names). */
export interface Slot {
  hash: string;
  variant: string;
}

/** An entry that left the index: where its files are, which, and its metadata when it could be read. */
export interface Gone {
  slot: Slot;
  files: string[];
  meta?: EntryMeta;
}

/** The lock and sweep id of a slot. */
export function slotId(slot: Slot): string {
  return `${slot.hash}.${slot.variant}`;
}

/** Options of the index. */
export interface FileIndexOptions {
  /** How entries are counted against the cap. */
  accounting: Accounting;
  /** How many variants' metadata the lookup cache keeps. */
  metaCache: number;
}

/** Stored variants by key, compact, with their metadata read back on lookup. */
export class FileIndex {
  readonly #root: string;
  readonly #options: FileIndexOptions;
  readonly #table = new SlotTable();
  readonly #metas = new RecencyMap<number, EntryMeta>();
  readonly #ids = new WeakMap<EntryMeta, { key: Hash128; slot: Slot }>();
  /** Removed while the sweep runs: `<hash>` (every variant) or a slot id. */
  #removed: Set<string> | undefined = new Set();
  /** Modification times of the entries the sweep added, by record. */
  #swept: Map<number, number> | undefined = new Map();

  constructor(root: string, options: FileIndexOptions) {
    this.#root = root;
    this.#options = options;
  }

  /** Number of entries (variants). */
  get size(): number {
    return this.#table.size;
  }

  /** What the entries cost against the cap (body bytes, or disk use). */
  get bytes(): number {
    return this.#table.bytes;
  }

  /** True once the start-up sweep completed: the table holds every entry. */
  get complete(): boolean {
    return this.#removed === undefined;
  }

  /** The slot of an entry (memoized per metadata object). */
  slot(meta: Pick<EntryMeta, "key" | "vary">): Slot {
    return this.#idsOf(meta).slot;
  }

  /** Every stored variant of a key (reads the sidecars it has no metadata of). */
  variants(key: string): EntryMeta[] {
    const hash = keyHash(key);
    const words = hashWords(hash);
    const found: EntryMeta[] = [];
    let hasDefault = false;
    for (const i of this.#table.ofKey(words)) {
      const variant = this.#table.variantId(i);
      hasDefault ||= variant === DEFAULT_VARIANT;
      const meta = this.#load(i, { hash, variant });
      if (meta && meta.key === key) found.push(meta);
    }
    if (!hasDefault && !this.complete) {
      const direct = this.#direct(key, { hash, variant: DEFAULT_VARIANT });
      if (direct) found.push(direct);
    }
    return found;
  }

  /** The stored version in `meta`'s slot, whichever it is. */
  current(meta: Pick<EntryMeta, "key" | "vary">): EntryMeta | undefined {
    const found = this.currentAt(this.slot(meta));
    return found?.key === meta.key ? found : undefined;
  }

  /** The stored version in a slot (undefined when its sidecar cannot be read). */
  currentAt(slot: Slot): EntryMeta | undefined {
    const i = this.#table.find(hashWords(slot.hash), hashWords(slot.variant));
    return i < 0 ? undefined : this.#load(i, slot);
  }

  /** True when `meta` is the version stored now (no I/O). */
  isCurrent(meta: EntryMeta): boolean {
    const i = this.#find(meta);
    return i >= 0 && this.#table.print(i) === fingerprint(meta.bodyFile);
  }

  /** True when the slot holds an entry (no I/O). */
  holds(slot: Slot): boolean {
    return this.#table.find(hashWords(slot.hash), hashWords(slot.variant)) >=
      0;
  }

  /** Stores `meta` (its sidecar `sidecarBytes` long) as the most recently used entry of its slot. */
  set(meta: EntryMeta, sidecarBytes: number): void {
    const { key, slot } = this.#idsOf(meta);
    const variant = hashWords(slot.variant);
    const print = fingerprint(meta.bodyFile);
    const cost = costOf(meta, {
      sidecarBytes,
      accounting: this.#options.accounting,
    });
    let i = this.#table.find(key, variant);
    if (i >= 0) this.#table.update(i, { print, cost });
    else i = this.#table.add(key, variant, { print, cost });
    this.#swept?.delete(i);
    this.#cache(i, meta);
  }

  /** Removes `meta` when it is the current version; returns whether it was. */
  delete(meta: EntryMeta): boolean {
    if (!this.isCurrent(meta)) return false;
    this.#drop(this.#find(meta), this.slot(meta));
    return true;
  }

  /** Removes every variant of a key and returns them. */
  deleteKey(key: string): Gone[] {
    const hash = keyHash(key);
    this.#removed?.add(hash);
    const gone: Gone[] = [];
    for (const i of this.#table.ofKey(hashWords(hash))) {
      gone.push(this.#goneOf(i, { hash, variant: this.#table.variantId(i) }));
    }
    return gone;
  }

  /** Makes the current version of `meta` the most recently used. */
  touch(meta: EntryMeta): void {
    const i = this.#find(meta);
    if (i < 0 || this.#table.print(i) !== fingerprint(meta.bodyFile)) return; // replaced or removed meanwhile
    this.#table.use(i);
    this.#table.hit(i);
    this.#swept?.delete(i);
  }

  /** The hits of `meta` when it is the current version, else 0 (no I/O). */
  hits(meta: EntryMeta): number {
    return this.isCurrent(meta) ? this.#table.hits(this.#find(meta)) : 0;
  }

  /**
   * Up to `limit` entries whose key `match`es, most recently used first,
   * with their hits (reads the sidecars it has no metadata of, without
   * caching them; skips the unreadable). Yields to the event loop every
   * SCAN_SLICE records, so a long scan never holds the proxy up; an
   * entry stored meanwhile may be missed, one removed is skipped.
   */
  async list(
    match: (key: string) => boolean,
    limit: number,
  ): Promise<{ meta: EntryMeta; hits: number }[]> {
    const listed: { meta: EntryMeta; hits: number }[] = [];
    if (limit <= 0) return listed;
    const table = this.#table;
    await this.#scan((i) => {
      const meta = this.#peek(i);
      if (meta && match(meta.key)) listed.push({ meta, hits: table.hits(i) });
      return listed.length < limit;
    });
    return listed;
  }

  /**
   * Removes every entry whose key `match`es, or every entry at all
   * ("all", unreadable ones included), and returns them. Chooses them as
   * list() visits entries (yielding to the event loop), then removes
   * those still holding the version it chose at once.
   */
  async deleteWhere(
    match: ((key: string) => boolean) | "all",
  ): Promise<Gone[]> {
    const table = this.#table;
    const chosen: [number, number][] = [];
    await this.#scan((i) => {
      const meta = match === "all" ? undefined : this.#peek(i);
      if (match === "all" || (meta && match(meta.key))) {
        chosen.push([i, table.print(i)]);
      }
      return true;
    });
    const gone: Gone[] = [];
    for (const [i, print] of chosen) {
      if (!table.isLive(i) || table.print(i) !== print) continue; // removed or replaced meanwhile
      gone.push(this.#goneOf(i, {
        hash: table.keyHex(i),
        variant: table.variantId(i),
      }));
    }
    return gone;
  }

  /** Visits the records, most recently used first, until `visit` says stop; yields every SCAN_SLICE. */
  async #scan(visit: (i: number) => boolean): Promise<void> {
    const table = this.#table;
    const order: number[] = [];
    for (let i = table.newest(); i >= 0; i = table.olderThan(i)) order.push(i);
    for (let k = 0; k < order.length; k++) {
      if (k > 0 && k % SCAN_SLICE === 0) {
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      const i = order[k]!;
      if (table.isLive(i) && !visit(i)) return;
    }
  }

  /** Removes least-recently-used entries until they cost at most `maxBytes`; returns them, oldest first. */
  evictUntil(maxBytes: number): Gone[] {
    const gone: Gone[] = [];
    while (this.#table.bytes > maxBytes && this.#table.oldest() >= 0) {
      const i = this.#table.oldest();
      const slot = {
        hash: this.#table.keyHex(i),
        variant: this.#table.variantId(i),
      };
      gone.push(this.#goneOf(i, slot));
    }
    return gone;
  }

  /** True when the sweep must not add the slot: the index holds it, or it was removed meanwhile. */
  sweepSkips(slot: Slot): boolean {
    return this.holds(slot) || this.isRemoved(slot);
  }

  /** True when the slot's entry (or its key) was removed while the sweep runs. */
  isRemoved(slot: Slot): boolean {
    const removed = this.#removed;
    return removed !== undefined &&
      (removed.has(slot.hash) || removed.has(slotId(slot)));
  }

  /** Adds an entry the sweep found, as least recently used; `usedAt` orders it at the end. */
  addSwept(sidecar: Sidecar, usedAt: number): void {
    const { key, slot } = this.#idsOf(sidecar.meta);
    const i = this.#table.add(key, hashWords(slot.variant), {
      print: fingerprint(sidecar.meta.bodyFile),
      cost: costOf(sidecar.meta, {
        sidecarBytes: sidecar.bytes,
        accounting: this.#options.accounting,
      }),
      oldest: true,
    });
    this.#swept?.set(i, usedAt);
  }

  /** The sweep completed: the entries it added and nobody used since go oldest first by time of use. */
  sweepDone(): void {
    const swept = this.#swept;
    if (!swept) return;
    const order = [...swept.keys()].sort((a, b) =>
      swept.get(a)! - swept.get(b)!
    );
    this.#table.reorderOldest(order);
    this.#swept = undefined;
    this.#removed = undefined;
  }

  /** Reads a key's variant the table does not know (while the sweep runs) and adds it. */
  #direct(key: string, slot: Slot): EntryMeta | undefined {
    if (this.isRemoved(slot)) return undefined;
    const read = readSidecar(baseOf(this.#root, slot.hash), slot);
    if (typeof read === "string" || read.meta.key !== key) return undefined;
    this.set(read.meta, read.bytes);
    this.#table.reorderOldest([this.#find(read.meta)]); // found, not used: as old as the sweep's
    return read.meta;
  }

  #goneOf(i: number, slot: Slot): Gone {
    const meta = this.#load(i, slot);
    this.#drop(i, slot);
    return { slot, files: onDisk(filesOf(meta)), meta };
  }

  #drop(i: number, slot: Slot): void {
    this.#table.remove(i);
    this.#metas.delete(i);
    this.#swept?.delete(i);
    this.#removed?.add(slotId(slot));
  }

  /** The metadata of record `i`: cached, or its sidecar when that names the record's version. */
  #load(i: number, slot: Slot): EntryMeta | undefined {
    const cached = this.#metas.use(i);
    if (cached) return cached;
    const read = readSidecar(baseOf(this.#root, slot.hash), slot);
    if (typeof read === "string") return undefined;
    if (fingerprint(read.meta.bodyFile) !== this.#table.print(i)) {
      return undefined; // a switch under way, or left by a crash: not this version
    }
    this.#cache(i, read.meta);
    return read.meta;
  }

  /** The metadata of record `i` like #load(), without marking nor caching it. */
  #peek(i: number): EntryMeta | undefined {
    const cached = this.#metas.peek(i);
    if (cached) return cached;
    const slot = {
      hash: this.#table.keyHex(i),
      variant: this.#table.variantId(i),
    };
    const read = readSidecar(baseOf(this.#root, slot.hash), slot);
    if (typeof read === "string") return undefined;
    return fingerprint(read.meta.bodyFile) === this.#table.print(i)
      ? read.meta
      : undefined;
  }

  #cache(i: number, meta: EntryMeta): void {
    this.#metas.set(i, meta);
    while (this.#metas.size > this.#options.metaCache) {
      this.#metas.delete(this.#metas.oldest()![0]);
    }
  }

  #find(meta: Pick<EntryMeta, "key" | "vary">): number {
    const { key, slot } = this.#idsOf(meta);
    return this.#table.find(key, hashWords(slot.variant));
  }

  #idsOf(meta: Pick<EntryMeta, "key" | "vary">): { key: Hash128; slot: Slot } {
    const known = this.#ids.get(meta as EntryMeta);
    if (known) return known;
    const hash = keyHash(meta.key);
    const ids = {
      key: hashWords(hash),
      slot: { hash, variant: variantId(meta.vary) },
    };
    this.#ids.set(meta as EntryMeta, ids);
    return ids;
  }
}
