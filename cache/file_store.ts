/**
 * Owns the file store: metadata in memory (LruIndex), bodies in files laid
 * out as file_layout.ts says, small hot bodies also in a bounded memory
 * tier. A commit renames a complete body into place, then switches the
 * variant's metadata file atomically, then deletes the body it replaced;
 * removals delete the metadata first. Per-slot locks keep the index and
 * the disk in step; a process killed at any point leaves whole entries and
 * litter that the start-up sweep removes. Use order (touch) is kept in
 * memory only: after a restart it is approximated by metadata file times.
 * Opening bodies is file_read.ts's; the switches of commits, a piece of a
 * partial entry's included, are file_switch.ts's; updates after a 304,
 * re-filing under a new variant included, are file_update.ts's; reading a
 * body while it is written is fill.ts's.
 *
 * Must not read the clock, open sockets, nor throw cache failures into
 * the caller's response path (they are counted in `stats`).
 */

import { join } from "node:path";
import type { BodyReader } from "../http/types.ts";
import { resolveRange } from "./body_reader.ts";
import {
  entryDir,
  metaName,
  randomWriteId,
  removeQuietly,
} from "./file_layout.ts";
import { openStoredBody, type ReadHost } from "./file_read.ts";
import { type ScanResult, scanStore } from "./file_scan.ts";
import { updateEntry, type UpdateHost } from "./file_update.ts";
import {
  CLOSED_WRITER,
  FileWriter,
  type WriteDraft,
  type WriterHost,
} from "./file_writer.ts";
import { switchIn, switchPiece } from "./file_switch.ts";
import { variantId } from "./key.ts";
import { LruIndex, slotOf } from "./lru_index.ts";
import { MemoryTier } from "./memory_tier.ts";
import type { EntryMeta } from "./meta.ts";
import { filesOf } from "./piece_commit.ts";
import { SlotLocks } from "./slot_lock.ts";
import type {
  ByteRange,
  EntryDraft,
  EntryWriter,
  PartialDraft,
  PieceOptions,
  Store,
  StoreStats,
} from "./store.ts";
import {
  checkDraft,
  checkPiece,
  checkSize,
  piecePlan,
} from "./store_checks.ts";
import { MEMORY_TIER_DEFAULT_OBJECT } from "./limits.ts";

/** Options of the file store. */
export interface FileStoreOptions {
  /** The most body bytes kept on disk; least recently used entries go first. */
  sizeBytes: number;
  /** The most bytes the memory tier of small hot bodies holds (0 turns it off). */
  memoryBytes: number;
  /** The largest body the memory tier keeps (default 64 KiB). */
  memoryMaxObject?: number;
  /** Makes the unique part of file names (default: 128 random bits); tests predict names with it. */
  newWriteId?: () => string;
}

/** What the start-up sweep removed besides corrupt entries. */
export type StartupCleanup = Pick<ScanResult, "tempFiles" | "orphanBodies">;

/** A Store that keeps bodies in files under one folder. */
export class FileStore implements Store {
  /** What the start-up sweep removed besides corrupt entries. */
  readonly startupCleanup: Readonly<StartupCleanup>;
  readonly #root: string;
  readonly #sizeBytes: number;
  readonly #newWriteId: () => string;
  readonly #index = new LruIndex();
  readonly #tier: MemoryTier;
  readonly #locks = new SlotLocks();
  readonly #writers = new Set<FileWriter>();
  /** Body readers and followers that may hold files; stopped at close. */
  readonly #readers = new Set<{ abort(): void }>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #host: WriterHost;
  readonly #updates: UpdateHost;
  readonly #reads: ReadHost;
  #closed = false;
  #evictions = 0;
  #corruptRemoved = 0;
  #writeErrors = 0;
  #memoryHits = 0;

  private constructor(
    root: string,
    options: FileStoreOptions,
    cleanup: StartupCleanup,
  ) {
    this.#root = root;
    this.#sizeBytes = options.sizeBytes;
    this.#newWriteId = options.newWriteId ?? randomWriteId;
    this.#tier = new MemoryTier({
      maxBytes: options.memoryBytes,
      maxObject: options.memoryMaxObject ?? MEMORY_TIER_DEFAULT_OBJECT,
    });
    this.startupCleanup = cleanup;
    this.#host = {
      root,
      sizeBytes: this.#sizeBytes,
      keepInMemory: this.#tier.maxBytes > 0 ? this.#tier.maxObject : -1,
      newWriteId: this.#newWriteId,
      inSlotTurn: (slot, work) => this.#track(this.#locks.run(slot, work)),
      switchIn: (meta, bytes) => switchIn(this.#updates, { meta, bytes }),
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
      writeFailed: () => this.#writeErrors++,
    };
    this.#reads = {
      index: this.#index,
      tier: this.#tier,
      readers: this.#readers,
      memoryBody: (meta) => this.memoryBody(meta),
      pathOf: (meta, file) => join(entryDir(root, meta.key), file),
      torn: (meta) => this.#torn(meta),
    };
  }

  /**
   * Opens (creating it if needed) the store in `dir`: sweeps leftovers and
   * torn entries, and rebuilds the index from the metadata files.
   * Throws for bad options or when the folder cannot be created or read.
   */
  static async open(
    dir: string,
    options: FileStoreOptions,
  ): Promise<FileStore> {
    checkSize("sizeBytes", options.sizeBytes);
    checkSize("memoryBytes", options.memoryBytes);
    checkSize("memoryMaxObject", options.memoryMaxObject ?? 0);
    await Deno.mkdir(dir, { recursive: true });
    const found = await scanStore(dir);
    const store = new FileStore(dir, options, {
      tempFiles: found.tempFiles,
      orphanBodies: found.orphanBodies,
    });
    store.#corruptRemoved = found.corruptRemoved;
    found.entries.sort((a, b) => a.usedAt - b.usedAt);
    for (const entry of found.entries) store.#index.set(entry.meta);
    await store.#evict(); // the cap may have shrunk since the last run
    return store;
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
    return this.#write(this.#host, draft);
  }

  beginPartial(draft: PartialDraft, options: PieceOptions): EntryWriter {
    checkPiece(draft, options.range);
    const host: WriterHost = {
      ...this.#host,
      switchIn: (body) => switchPiece(this.#updates, { draft, options, body }), // in the slot's turn
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
    checkDraft(meta, { update: true });
    if (meta.key !== previous.key) {
      throw new TypeError(
        `Cannot update entry: ${meta.key} is not the key of ${previous.key}`,
      );
    }
    const [first, second] = [slotOf(previous), slotOf(meta)].sort();
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
    let removed: EntryMeta[] = [];
    if (typeof target === "string") removed = this.#index.deleteKey(target);
    else if (this.#index.delete(target)) removed = [target];
    for (const meta of removed) this.#tier.drop(meta);
    await Promise.all(removed.map((meta) => this.#deleteFiles(meta)));
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
    for (const meta of evicted) this.#tier.drop(meta);
    this.#evictions += evicted.length;
    await Promise.all(evicted.map((meta) => this.#deleteFiles(meta)));
  }

  /** Removes the entry of a torn body (when it is still current) and counts it. */
  async #torn(meta: EntryMeta): Promise<void> {
    if (!this.#index.delete(meta)) return;
    this.#tier.drop(meta);
    this.#corruptRemoved++;
    await this.#deleteFiles(meta);
  }

  /**
   * Deletes an entry's files once it left the index: metadata first
   * (unless a newer version took the slot), then the body files the
   * slot's version no longer names (a partial entry that joined the
   * pieces meanwhile names some of them).
   */
  #deleteFiles(meta: EntryMeta): Promise<void> {
    const dir = entryDir(this.#root, meta.key);
    return this.#track(this.#locks.run(slotOf(meta), async () => {
      const current = this.#index.current(meta);
      if (!current) {
        await removeQuietly(join(dir, metaName(variantId(meta.vary))));
      }
      const named = new Set(filesOf(current));
      for (const file of filesOf(meta)) {
        if (!named.has(file)) await removeQuietly(join(dir, file));
      }
    }));
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#pending.add(work);
    const done = () => this.#pending.delete(work);
    work.then(done, done);
    return work;
  }
}
