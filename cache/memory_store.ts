/**
 * Owns the in-memory store: the Store contract with every body held in
 * memory, bounded by a byte cap with least-recently-used eviction. Used by
 * the handler's component tests; nothing survives the process.
 *
 * Must not read the clock nor hold RFC 9111 decisions.
 */

import { concatBytes } from "../http/bytes.ts";
import type { BodyReader } from "../http/types.ts";
import { bytesReader, resolveRange } from "./body_reader.ts";
import { variantId } from "./key.ts";
import { LruIndex } from "./lru_index.ts";
import type { EntryMeta } from "./meta.ts";
import { checkDraft, checkSize } from "./store_checks.ts";
import type {
  ByteRange,
  EntryDraft,
  EntryWriter,
  Store,
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
  /** Body bytes by version (key plus body file name). */
  readonly #bodies = new Map<string, Uint8Array>();
  #writes = 0;
  #closed = false;
  #evictions = 0;
  #memoryHits = 0;

  constructor(options: MemoryStoreOptions) {
    this.#sizeBytes = checkSize("sizeBytes", options.sizeBytes);
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
    const bytes = this.#bodies.get(bodyId(meta));
    if (bytes) this.#memoryHits++;
    return bytes;
  }

  // deno-lint-ignore require-await -- async so a bad range rejects like the file store's
  async openBody(
    meta: EntryMeta,
    range?: ByteRange,
  ): Promise<BodyReader | undefined> {
    const bytes = this.#bodies.get(bodyId(meta));
    if (!bytes) return undefined;
    const { start, count } = resolveRange(bytes.length, range);
    this.#memoryHits++;
    return bytesReader(bytes.subarray(start, start + count));
  }

  begin(draft: EntryDraft): EntryWriter {
    checkDraft(draft);
    const chunks: Uint8Array[] = [];
    let written = 0;
    let open = true;
    return {
      write: (chunk) => {
        if (open && written + chunk.length <= this.#sizeBytes) {
          chunks.push(chunk.slice());
        }
        written += chunk.length;
        return Promise.resolve();
      },
      commit: (bodySize) => {
        const complete = open && written === bodySize;
        open = false;
        if (!complete || this.#closed) return Promise.resolve(false);
        if (bodySize > this.#sizeBytes) return Promise.resolve(false);
        this.#store(draft, concatBytes(chunks));
        return Promise.resolve(true);
      },
      abort: () => {
        open = false;
        chunks.length = 0;
        return Promise.resolve();
      },
    };
  }

  updateMeta(meta: EntryMeta): Promise<void> {
    checkDraft(meta);
    const current = this.#index.current(meta);
    if (current?.bodyFile === meta.bodyFile) {
      this.#index.set({ ...meta, bodySize: current.bodySize });
    }
    return Promise.resolve();
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

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  #store(draft: EntryDraft, bytes: Uint8Array): void {
    const bodyFile = `${variantId(draft.vary)}-${++this.#writes}.body`;
    const meta: EntryMeta = { ...draft, bodySize: bytes.length, bodyFile };
    this.#bodies.set(bodyId(meta), bytes);
    const replaced = this.#index.set(meta);
    if (replaced) this.#forget(replaced);
    for (const evicted of this.#index.evictUntil(this.#sizeBytes)) {
      this.#forget(evicted);
      this.#evictions++;
    }
  }

  #forget(meta: EntryMeta): void {
    this.#bodies.delete(bodyId(meta));
  }
}

function bodyId(meta: EntryMeta): string {
  return `${meta.bodyFile} ${meta.key}`;
}
