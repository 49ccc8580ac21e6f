/**
 * Owns the in-memory store: the Store contract with every body held in
 * memory, bounded by a byte cap with least-recently-used eviction. Used by
 * the handler's component tests; nothing survives the process. Writes
 * are memory_writer.ts's; a partial entry's pieces are held one array
 * each, by piece file name, and assembled into one when they make the
 * whole body or are merged (piece_commit.ts).
 *
 * Must not read the clock nor hold RFC 9111 decisions.
 */

import { concatBytes } from "../http/bytes.ts";
import type { BodyReader } from "../http/types.ts";
import { bytesReader, resolveRange } from "./body_reader.ts";
import { chainReaders } from "./chain_reader.ts";
import { variantId } from "./key.ts";
import { LruIndex } from "./lru_index.ts";
import { listMatch, PurgeLog, targets } from "./purge_log.ts";
import { memoryWriter, type MemoryWriters } from "./memory_writer.ts";
import type { EntryMeta } from "./meta.ts";
import { filesOf, pieceCommit } from "./piece_commit.ts";
import type { Segment } from "./pieces.ts";
import {
  checkDraft,
  checkPiece,
  checkRekey,
  checkSize,
  keepBody,
  piecePlan,
} from "./store_checks.ts";
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

/** Options of the in-memory store. */
export interface MemoryStoreOptions {
  /** The most body bytes kept; least recently used entries go first. */
  sizeBytes: number;
}

/** A Store that keeps bodies in memory. */
export class MemoryStore implements Store {
  readonly #sizeBytes: number;
  readonly #index = new LruIndex();
  /** Body bytes by version (key plus body file name; a partial entry's by piece). */
  readonly #bodies = new Map<string, Uint8Array>();
  #writes = 0;
  /** Open writes and followers, stopped at close. */
  readonly #writers: MemoryWriters;
  #closed = false;
  #evictions = 0;
  #memoryHits = 0;
  /** Hears each commit and eviction (Store.observer). */
  observer?: StoreObserver;
  readonly #purges = new PurgeLog();

  constructor(options: MemoryStoreOptions) {
    this.#sizeBytes = checkSize("sizeBytes", options.sizeBytes);
    this.#writers = {
      sizeBytes: this.#sizeBytes,
      open: new Set(),
      followers: new Set(),
      isClosed: () => this.#closed,
    };
  }

  get stats(): Readonly<StoreStats> {
    return {
      entries: this.#index.size,
      bytes: this.#index.bytes,
      evictions: this.#evictions,
      corruptRemoved: 0,
      writeErrors: 0,
      memoryHits: this.#memoryHits,
    };
  }

  variants(key: string): readonly EntryMeta[] {
    return this.#index.variants(key);
  }

  memoryBody(meta: EntryMeta): Uint8Array | undefined {
    if (meta.partial) return undefined;
    const bytes = this.#bodies.get(bodyId(meta));
    if (bytes) this.#memoryHits++;
    return bytes;
  }

  // deno-lint-ignore require-await -- async so a bad range rejects like the file store's
  async openBody(
    meta: EntryMeta,
    range?: ByteRange,
  ): Promise<BodyReader | undefined> {
    if (meta.partial) return this.#openPieces(meta, range);
    const bytes = this.#bodies.get(bodyId(meta));
    if (!bytes) return undefined;
    const { start, count } = resolveRange(bytes.length, range);
    this.#memoryHits++;
    return bytesReader(bytes.subarray(start, start + count));
  }

  #openPieces(meta: EntryMeta, range?: ByteRange): BodyReader | undefined {
    const plan = piecePlan(meta, range);
    const parts: BodyReader[] = [];
    for (const segment of plan) {
      const bytes = this.#bodies.get(pieceId(segment.file, meta.key));
      if (!bytes) return undefined; // replaced or removed meanwhile
      const { offset, count } = segment;
      parts.push(bytesReader(bytes.subarray(offset, offset + count)));
    }
    this.#memoryHits++;
    return chainReaders(parts, range!.end - range!.start + 1);
  }

  begin(draft: EntryDraft): EntryWriter {
    checkDraft(draft);
    const since = this.#purges.generation;
    return memoryWriter(this.#writers, (bytes) => {
      if (this.#purges.purgedSince(draft.key, since)) return false;
      this.#store(draft, bytes);
      return true;
    });
  }

  beginPartial(draft: PartialDraft, options: PieceOptions): EntryWriter {
    checkPiece(draft, options.range);
    const since = this.#purges.generation;
    return memoryWriter(
      this.#writers,
      (bytes) =>
        !this.#purges.purgedSince(draft.key, since) &&
        this.#commitPiece(draft, options, bytes),
    );
  }

  /** Store.beginPartial's commit (piece_commit.ts says what it does to the slot). */
  #commitPiece(
    draft: PartialDraft,
    options: PieceOptions,
    bytes: Uint8Array,
  ): boolean {
    const { start, end } = options.range;
    if (bytes.length !== end - start + 1) return false;
    const file = `${variantId(draft.vary)}-${++this.#writes}.body`;
    const current = this.#index.current(draft);
    const change = pieceCommit(current, {
      draft,
      piece: { start, end, file },
      replaces: options.replaces,
      spare: `${variantId(draft.vary)}-${++this.#writes}.body`,
    });
    if (change.kind === "refused") return false;
    this.#bodies.set(pieceId(file, draft.key), bytes);
    if (change.merge) {
      const { file: merged, plan } = change.merge;
      this.#bodies.set(pieceId(merged, draft.key), this.#read(draft.key, plan));
    }
    const whole = change.whole;
    let meta = change.meta;
    let unused = change.unused;
    if (whole) {
      const bodyFile = whole.reuse ??
        `${variantId(draft.vary)}-${++this.#writes}.body`;
      if (!whole.reuse) {
        this.#bodies.set(
          pieceId(bodyFile, draft.key),
          this.#read(draft.key, whole.plan),
        );
      }
      meta = { ...whole.meta, bodyFile };
      unused = whole.unused;
    }
    this.#index.set(meta);
    for (const name of unused) this.#bodies.delete(pieceId(name, draft.key));
    this.observer?.stored(meta);
    this.#evict();
    return true;
  }

  /** The bytes `plan` names, in order, from the pieces of `key`. */
  #read(key: string, plan: readonly Segment[]): Uint8Array {
    const parts = plan.map((s) =>
      this.#bodies.get(pieceId(s.file, key))!.subarray(
        s.offset,
        s.offset + s.count,
      )
    );
    return concatBytes(parts);
  }

  async updateMeta(meta: EntryMeta): Promise<void> {
    await this.rekey(meta, meta);
  }

  // deno-lint-ignore require-await -- async so a bad meta rejects like the file store's
  async rekey(
    previous: EntryMeta,
    meta: EntryMeta,
  ): Promise<EntryMeta | undefined> {
    checkRekey(previous, meta);
    const current = this.#index.current(previous);
    if (!current || current.bodyFile !== previous.bodyFile) return undefined;
    const sameVariant = variantId(meta.vary) === variantId(previous.vary);
    if (sameVariant || current.partial) {
      if (!sameVariant) return undefined; // a partial entry stays in its variant
      const updated = keepBody(meta, current);
      this.#index.set(updated);
      return updated;
    }
    const bytes = this.#bodies.get(bodyId(current))!;
    this.#index.delete(current); // re-filed under the new variant, under a new name
    this.#forget(current);
    return this.#file(meta, bytes);
  }

  touch(meta: EntryMeta): void {
    this.#index.touch(meta);
  }

  remove(target: EntryMeta | string): Promise<void> {
    if (typeof target === "string") {
      for (const meta of this.#index.deleteKey(target)) this.#forget(meta);
    } else if (this.#index.delete(target)) {
      this.#forget(target);
    }
    return Promise.resolve();
  }

  list(options: ListOptions = {}): Promise<ListedEntry[]> {
    const { limit = Infinity } = options;
    const match = listMatch(options);
    const listed: ListedEntry[] = [];
    for (const entry of this.#index.newestFirst()) {
      if (listed.length >= limit) break;
      if (match(entry.meta.key)) listed.push(entry);
    }
    return Promise.resolve(listed);
  }

  hits(meta: EntryMeta): number {
    return this.#index.hits(meta);
  }

  purge(target: PurgeTarget): Promise<number> {
    this.#purges.note(target, this.#writers.open.size > 0);
    const keys = new Set<string>();
    for (const { meta } of this.#index.newestFirst()) {
      if (targets(target, meta.key)) keys.add(meta.key);
    }
    let purged = 0;
    for (const key of keys) {
      for (const meta of this.#index.deleteKey(key)) {
        this.#forget(meta);
        purged++;
      }
    }
    return Promise.resolve(purged);
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const abort of [...this.#writers.open]) abort();
    for (const follower of [...this.#writers.followers]) follower.abort();
    return Promise.resolve();
  }

  #store(draft: EntryDraft, bytes: Uint8Array): void {
    const meta = this.#file(draft, bytes);
    this.observer?.stored(meta);
    this.#evict();
  }

  #evict(): void {
    for (const evicted of this.#index.evictUntil(this.#sizeBytes)) {
      this.#forget(evicted);
      this.#evictions++;
      this.observer?.evicted(evicted);
    }
  }

  /** Files `bytes` under the draft's slot with a new body name, replacing what was there. */
  #file(draft: EntryDraft, bytes: Uint8Array): EntryMeta {
    const bodyFile = `${variantId(draft.vary)}-${++this.#writes}.body`;
    const meta: EntryMeta = { ...draft, bodySize: bytes.length, bodyFile };
    this.#bodies.set(bodyId(meta), bytes);
    const replaced = this.#index.set(meta);
    if (replaced) this.#forget(replaced);
    return meta;
  }

  #forget(meta: EntryMeta): void {
    for (const file of filesOf(meta)) {
      this.#bodies.delete(pieceId(file, meta.key));
    }
  }
}

function bodyId(meta: EntryMeta): string {
  return pieceId(meta.bodyFile, meta.key);
}

/** Where the bytes of a body file (or piece) of `key` are held. */
function pieceId(file: string, key: string): string {
  return `${file} ${key}`;
}
