/**
 * Owns the in-memory store: the Store contract with every body held in
 * memory, bounded by a byte cap with least-recently-used eviction. Used by
 * the handler's component tests; nothing survives the process. Followers
 * read a write's chunks as they arrive (fill.ts); a write discarded whole
 * keeps its chunks for them, never stored. Writes cannot fail here but
 * for the store's cap.
 *
 * Must not read the clock nor hold RFC 9111 decisions.
 */

import { concatBytes } from "../http/bytes.ts";
import type { BodyReader } from "../http/types.ts";
import { bytesReader, resolveRange } from "./body_reader.ts";
import { Fill } from "./fill.ts";
import type { Follower } from "./follower.ts";
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
  /** Writes neither committed nor aborted, aborted at close. */
  readonly #open = new Set<() => void>();
  readonly #followers = new Set<Follower>();
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
    const fill = new Fill({
      opened: (follower) => this.#followers.add(follower),
      closed: (follower) => this.#followers.delete(follower),
    });
    const chunks: Uint8Array[] = [];
    let written = 0;
    let open = true;
    const end = (failure?: string) => {
      open = false;
      chunks.length = 0;
      this.#open.delete(abort);
      if (failure) fill.fail(failure);
    };
    const abort = () => end("the fill was aborted");
    this.#open.add(abort);
    if (this.#closed) end("the store was closed");
    return {
      write: (chunk) => {
        if (!open) return Promise.resolve(false);
        written += chunk.length;
        if (written > this.#sizeBytes) {
          end("the body is larger than the store's cap");
        } else {
          const copy = chunk.slice();
          chunks.push(copy);
          fill.hold(copy);
        }
        return Promise.resolve(open);
      },
      commit: (bodySize) => {
        if (!open || written !== bodySize) {
          end(
            `the write ended at ${bodySize} bytes, not the ${written} written`,
          );
          return Promise.resolve(false);
        }
        const bytes = concatBytes(chunks);
        fill.holdWhole(bytes);
        end();
        this.#store(draft, bytes);
        fill.complete(bodySize, true);
        return Promise.resolve(true);
      },
      discard: (bodySize) => {
        if (!open) return Promise.resolve();
        if (written !== bodySize) {
          end(
            `the write ended at ${bodySize} bytes, not the ${written} written`,
          );
        } else {
          end(); // the fill keeps the chunks for its followers
          fill.complete(bodySize, false);
        }
        return Promise.resolve();
      },
      abort: () => {
        if (open) abort();
        return Promise.resolve();
      },
      follow: (length) => {
        const follower = fill.follow(length);
        if (this.#closed) follower.abort();
        return follower;
      },
    };
  }

  async updateMeta(meta: EntryMeta): Promise<void> {
    await this.rekey(meta, meta);
  }

  // deno-lint-ignore require-await -- async so a bad meta rejects like the file store's
  async rekey(
    previous: EntryMeta,
    meta: EntryMeta,
  ): Promise<EntryMeta | undefined> {
    checkDraft(meta);
    if (meta.key !== previous.key) {
      throw new TypeError(
        `Cannot update entry: ${meta.key} is not the key of ${previous.key}`,
      );
    }
    const current = this.#index.current(previous);
    if (!current || current.bodyFile !== previous.bodyFile) return undefined;
    const bytes = this.#bodies.get(bodyId(current))!;
    if (variantId(meta.vary) === variantId(previous.vary)) {
      const updated = {
        ...meta,
        bodySize: bytes.length,
        bodyFile: current.bodyFile,
      };
      this.#index.set(updated);
      return updated;
    }
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

  close(): Promise<void> {
    this.#closed = true;
    for (const abort of [...this.#open]) abort();
    for (const follower of [...this.#followers]) follower.abort();
    return Promise.resolve();
  }

  #store(draft: EntryDraft, bytes: Uint8Array): void {
    this.#file(draft, bytes);
    for (const evicted of this.#index.evictUntil(this.#sizeBytes)) {
      this.#forget(evicted);
      this.#evictions++;
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
    this.#bodies.delete(bodyId(meta));
  }
}

function bodyId(meta: EntryMeta): string {
  return `${meta.bodyFile} ${meta.key}`;
}
