/**
 * Owns the file store: a compact index in memory (FileIndex: no metadata
 * per entry; a lookup reads the sidecar's JSON back), bodies and sidecars
 * in files laid out as file_layout.ts says (a body up to `inlineMaxBytes`
 * inside its sidecar), small hot bodies also in a bounded memory tier. A
 * commit writes a complete body file under its final, still unreferenced
 * name (none for a body inside its sidecar), then switches the variant's
 * sidecar atomically, then deletes the body it replaced; removals delete
 * the sidecar first. Per-slot locks keep the index and the disk in step; a
 * process killed at any point leaves whole entries and litter that the
 * start-up sweep (file_scan.ts, in the background once open) removes. Use
 * order (touch) is kept in memory only: after a restart it is
 * approximated by sidecar file times. What entries cost against the cap
 * is their disk use (sidecar and bodies in whole blocks) unless told to
 * count body bytes only. Opening bodies is file_read.ts's; the switches
 * of commits, a piece of a partial entry's included, are
 * file_switch.ts's; updates after a 304, re-filing under a new variant
 * included, are file_update.ts's; reading a body while it is written is
 * fill.ts's.
 *
 * Must not read the clock, open sockets, nor throw cache failures into
 * the caller's response path (they are counted in `stats`).
 */

import { join } from "node:path";
import type { BodyReader } from "../http/types.ts";
import { resolveRange } from "./body_reader.ts";
import {
  entryBase,
  type LiveTemps,
  onDisk,
  removeQuietly,
  shardNames,
} from "./file_layout.ts";
import { FileIndex, type Gone, slotId } from "./file_index.ts";
import { deleteAll, goneOf, type RemovalHost } from "./file_removal.ts";
import { openStoredBody, type ReadHost } from "./file_read.ts";
import { type SweepCounts, sweepStore } from "./file_scan.ts";
import { updateEntry, type UpdateHost } from "./file_update.ts";
import {
  CLOSED_WRITER,
  FileWriter,
  type WriteDraft,
  type WriterHost,
} from "./file_writer.ts";
import { switchIn, switchPiece } from "./file_switch.ts";
import { MemoryTier } from "./memory_tier.ts";
import {
  type FileStoreOptions,
  type ResolvedOptions,
  resolveOptions,
} from "./file_options.ts";
import type { EntryMeta } from "./meta.ts";
import { SlotLocks } from "./slot_lock.ts";
import { listMatch, PurgeLog, targets } from "./purge_log.ts";
import type {
  ByteRange,
  EntryDraft,
  EntryWriter,
  ListedEntry,
  ListOptions,
  PartialDraft,
  PieceOptions,
  PurgeTarget,
  Store,
  StoreObserver,
  StoreStats,
} from "./store.ts";
import {
  checkDraft,
  checkPiece,
  checkRekey,
  piecePlan,
} from "./store_checks.ts";
import { META_CACHE_ENTRIES } from "./limits.ts";

export type { FileStoreOptions };

/** What the start-up sweep removed besides corrupt entries (so far, until `indexed` resolves). */
export type StartupCleanup = SweepCounts;

/** A Store that keeps bodies in files under one folder. */
export class FileStore implements Store {
  readonly #root: string;
  readonly #sizeBytes: number;
  readonly #newWriteId: () => string;
  readonly #index: FileIndex;
  readonly #live: LiveTemps = new Set();
  readonly #cleanup: SweepCounts = {
    tempFiles: 0,
    orphanBodies: 0,
    oldFolders: 0,
  };
  #indexed: Promise<void> = Promise.resolve();
  readonly #tier: MemoryTier;
  readonly #locks = new SlotLocks();
  readonly #writers = new Set<FileWriter>();
  /** Body readers and followers that may hold files; stopped at close. */
  readonly #readers = new Set<{ abort(): void }>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #host: WriterHost;
  readonly #updates: UpdateHost;
  readonly #reads: ReadHost;
  readonly #removals: RemovalHost;
  #closed = false;
  #evictions = 0;
  /** Hears each commit and eviction (Store.observer). */
  observer?: StoreObserver;
  #corruptRemoved = 0;
  #writeErrors = 0;
  #memoryHits = 0;
  readonly #purges = new PurgeLog();

  private constructor(root: string, options: ResolvedOptions) {
    this.#root = root;
    this.#index = new FileIndex(root, {
      accounting: options.accounting,
      metaCache: META_CACHE_ENTRIES,
    });
    this.#sizeBytes = options.sizeBytes;
    this.#newWriteId = options.newWriteId;
    this.#tier = new MemoryTier({
      maxBytes: options.memoryBytes,
      maxObject: options.memoryMaxObject,
    });
    this.#host = {
      root,
      sizeBytes: this.#sizeBytes,
      keepInMemory: this.#tier.maxBytes > 0 ? this.#tier.maxObject : -1,
      inlineMax: options.inlineMaxBytes,
      newWriteId: this.#newWriteId,
      live: this.#live,
      inSlotTurn: (meta, work) => this.#inTurn(meta, work),
      switchIn: async (meta, bytes, inline) => {
        const ok = await switchIn(this.#updates, { meta, bytes, inline });
        if (ok) this.observer?.stored(meta);
        return ok;
      },
      evict: () => this.#evict(),
      writeFailed: () => this.#writeErrors++,
      finished: (writer) => this.#writers.delete(writer),
      followers: {
        opened: (follower) => this.#readers.add(follower),
        closed: (follower) => this.#readers.delete(follower),
      },
      isClosed: () => this.#closed,
    };
    this.#updates = {
      root,
      index: this.#index,
      tier: this.#tier,
      newWriteId: this.#newWriteId,
      live: this.#live,
      writeFailed: () => this.#writeErrors++,
      cap: { sizeBytes: this.#sizeBytes, accounting: options.accounting },
    };
    this.#removals = {
      root,
      index: this.#index,
      tier: this.#tier,
      locks: this.#locks,
      track: (work) => this.#track(work),
    };
    this.#reads = {
      index: this.#index,
      tier: this.#tier,
      readers: this.#readers,
      memoryBody: (meta) => this.memoryBody(meta),
      pathOf: (meta, file) => entryBase(root, meta.key) + file,
      torn: (meta) => this.#torn(meta),
    };
  }

  /**
   * Opens (creating it and its 256 `<hh>` folders if needed) the store in
   * `dir`, at once: the index is rebuilt from the sidecars in the
   * background (`indexed`); lookups meanwhile read a key's sidecar
   * directly. Throws for bad options or when the folders cannot be made.
   */
  static async open(
    dir: string,
    options: FileStoreOptions,
  ): Promise<FileStore> {
    const resolved = resolveOptions(options);
    await Deno.mkdir(dir, { recursive: true });
    await Promise.all(
      shardNames().map((shard) =>
        Deno.mkdir(join(dir, shard), { recursive: true })
      ),
    );
    const store = new FileStore(dir, resolved);
    store.#indexed = store.#track(store.#sweep());
    return store;
  }

  /**
   * Resolves once the start-up sweep completed (the index holds every
   * entry on disk) and the store evicted down to its cap, or the store
   * closed first. Never rejects.
   */
  get indexed(): Promise<void> {
    return this.#indexed;
  }

  /** What the start-up sweep removed besides corrupt entries (so far, until `indexed` resolves). */
  get startupCleanup(): Readonly<StartupCleanup> {
    return { ...this.#cleanup };
  }

  async #sweep(): Promise<void> {
    try {
      await sweepStore({
        root: this.#root,
        index: this.#index,
        live: this.#live,
        counts: this.#cleanup,
        idle: (id) => this.#locks.idle(id),
        inTurn: (id, work) => this.#locks.run(id, work),
        corrupt: () => this.#corruptRemoved++,
        stopped: () => this.#closed,
      });
      if (!this.#closed) await this.#evict(); // the cap may have shrunk since the last run
    } catch {
      // a folder that cannot be read: its entries are found by lookups
    }
  }

  get stats(): Readonly<StoreStats> {
    return {
      entries: this.#index.size,
      bytes: this.#index.bytes,
      evictions: this.#evictions,
      corruptRemoved: this.#corruptRemoved,
      writeErrors: this.#writeErrors,
      memoryHits: this.#memoryHits,
    };
  }

  variants(key: string): readonly EntryMeta[] {
    return this.#index.variants(key);
  }

  memoryBody(meta: EntryMeta): Uint8Array | undefined {
    if (meta.partial) return undefined; // its pieces are never in the tier
    const bytes = this.#tier.get(meta);
    if (bytes) this.#memoryHits++;
    return bytes;
  }

  // deno-lint-ignore require-await -- async so a bad range rejects, open or closed
  async openBody(
    meta: EntryMeta,
    range?: ByteRange,
  ): Promise<BodyReader | undefined> {
    if (!this.#closed) return openStoredBody(this.#reads, { meta, range });
    if (meta.partial) piecePlan(meta, range);
    else resolveRange(meta.bodySize, range);
    return undefined;
  }

  begin(draft: EntryDraft): EntryWriter {
    checkDraft(draft);
    const since = this.#purges.generation;
    const host: WriterHost = {
      ...this.#host,
      switchIn: (meta, bytes, inline) =>
        this.#purges.purgedSince(draft.key, since)
          ? this.#refuse(meta)
          : this.#host.switchIn(meta, bytes, inline), // tells the observer
    };
    return this.#write(host, draft);
  }

  /**
   * A commit (in its slot's turn) of a key purged since its write began:
   * its body file goes (none for an inline body), nothing is stored.
   */
  async #refuse(
    { key, bodyFile }: { key: string; bodyFile: string },
  ): Promise<boolean> {
    const base = entryBase(this.#root, key);
    for (const file of onDisk([bodyFile])) await removeQuietly(base + file);
    return false;
  }

  beginPartial(draft: PartialDraft, options: PieceOptions): EntryWriter {
    checkPiece(draft, options.range);
    const since = this.#purges.generation;
    const host: WriterHost = {
      ...this.#host,
      inlineMax: -1, // a piece is a file of its own
      switchIn: (body) =>
        this.#purges.purgedSince(draft.key, since)
          ? this.#refuse({ key: draft.key, bodyFile: body.bodyFile })
          : switchPiece(this.#updates, { draft, options, body }), // in the slot's turn
    };
    return this.#write(host, draft);
  }

  #write(host: WriterHost, draft: WriteDraft): EntryWriter {
    if (this.#closed) return CLOSED_WRITER;
    const writer = new FileWriter(host, draft);
    this.#writers.add(writer);
    return writer;
  }

  async updateMeta(meta: EntryMeta): Promise<void> {
    await this.rekey(meta, meta);
  }

  async rekey(
    previous: EntryMeta,
    meta: EntryMeta,
  ): Promise<EntryMeta | undefined> {
    checkRekey(previous, meta);
    const [first, second] = [this.#slotId(previous), this.#slotId(meta)]
      .sort();
    const update = () => updateEntry(this.#updates, { previous, meta });
    return await this.#track(this.#locks.run(
      first!,
      first === second ? update : () => this.#locks.run(second!, update),
    )); // both slots in a fixed order: two re-keys across the same slots cannot wait for each other
  }

  touch(meta: EntryMeta): void {
    this.#index.touch(meta);
  }

  async remove(target: EntryMeta | string): Promise<void> {
    let removed: Gone[] = [];
    if (typeof target === "string") removed = this.#index.deleteKey(target);
    else if (this.#index.delete(target)) removed = [this.#goneOf(target)];
    await this.#deleteAll(removed);
  }

  list(options: ListOptions = {}): Promise<ListedEntry[]> {
    return this.#index.list(listMatch(options), options.limit ?? Infinity);
  }

  hits(meta: EntryMeta): number {
    return this.#index.hits(meta);
  }

  async purge(target: PurgeTarget): Promise<number> {
    await this.#indexed;
    this.#purges.note(target, this.#writers.size > 0);
    const gone = "url" in target
      ? this.#index.deleteKey(target.url) // the URI's own key at once, no sidecar read
      : [];
    gone.push(
      ...await this.#index.deleteWhere(
        "all" in target ? "all" : (key) => targets(target, key),
      ),
    );
    await this.#deleteAll(gone);
    return gone.length;
  }

  /**
   * Stops the store: open writes are aborted, commits and removals under
   * way are awaited, open body readers are closed (their next read throws).
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#writers].map((writer) => writer.settle()));
    while (this.#pending.size > 0) await Promise.allSettled(this.#pending);
    for (const reader of [...this.#readers]) reader.abort();
  }

  async #evict(): Promise<void> {
    const evicted = this.#index.evictUntil(this.#sizeBytes);
    this.#evictions += evicted.length;
    for (const gone of evicted) {
      if (gone.meta) this.observer?.evicted(gone.meta);
    }
    await this.#deleteAll(evicted);
  }

  /** Removes the entry of a torn body (when it is still current) and counts it. */
  async #torn(meta: EntryMeta): Promise<void> {
    if (!this.#index.delete(meta)) return;
    this.#corruptRemoved++;
    await this.#deleteAll([this.#goneOf(meta)]);
  }

  #goneOf(meta: EntryMeta): Gone {
    return goneOf(this.#index, meta);
  }

  #deleteAll(gone: Gone[]): Promise<unknown> {
    return deleteAll(this.#removals, gone);
  }

  #slotId(meta: Pick<EntryMeta, "key" | "vary">): string {
    return slotId(this.#index.slot(meta));
  }

  #inTurn<T>(
    meta: Pick<EntryMeta, "key" | "vary">,
    work: () => Promise<T>,
  ): Promise<T> {
    return this.#track(this.#locks.run(this.#slotId(meta), work));
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#pending.add(work);
    const done = () => this.#pending.delete(work);
    work.then(done, done);
    return work;
  }
}
