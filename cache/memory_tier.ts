/**
 * Owns the bounded in-memory copy of small hot bodies a disk store keeps
 * beside its files: at most `maxObject` bytes each, `maxBytes` in total,
 * least recently used dropped first. Bodies are keyed by the identity of
 * the stored version (key plus body file name), so bytes of a replaced or
 * removed entry can never be returned for its successor.
 *
 * Must not decide what is current: the store drops what it replaces.
 */

import type { EntryMeta } from "./meta.ts";
import { RecencyMap } from "./recency_map.ts";

/** Options of the in-memory tier. */
export interface MemoryTierOptions {
  /** Total bytes the tier may hold (0 turns it off). */
  maxBytes: number;
  /** Largest body the tier keeps. */
  maxObject: number;
}

/** Small bodies in memory, in least-recently-used order. */
export class MemoryTier {
  readonly maxBytes: number;
  readonly maxObject: number;
  #bodies = new RecencyMap<string, Uint8Array>();
  #bytes = 0;

  constructor(options: MemoryTierOptions) {
    this.maxBytes = options.maxBytes;
    this.maxObject = Math.min(options.maxObject, options.maxBytes);
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** True when a body of this size would be kept. */
  accepts(size: number): boolean {
    return size <= this.maxObject && this.maxBytes > 0;
  }

  /** The body of this exact version, marked as just used. */
  get(meta: EntryMeta): Uint8Array | undefined {
    return this.#bodies.use(tierId(meta));
  }

  /** Keeps the body of this version when it is small enough. */
  put(meta: EntryMeta, bytes: Uint8Array): void {
    if (!this.accepts(bytes.length)) return;
    this.drop(meta);
    this.#bodies.set(tierId(meta), bytes);
    this.#bytes += bytes.length;
    for (
      let oldest = this.#bodies.oldest();
      oldest && this.#bytes > this.maxBytes;
      oldest = this.#bodies.oldest()
    ) {
      this.#bodies.delete(oldest[0]);
      this.#bytes -= oldest[1].length;
    }
  }

  /** Forgets the body of this version (its key and body file name it). */
  drop(meta: Pick<EntryMeta, "key" | "bodyFile">): void {
    const bytes = this.#bodies.delete(tierId(meta));
    if (bytes) this.#bytes -= bytes.length;
  }

  /**
   * Forgets the bodies of every key `dropsKey` answers true for (all of
   * them when it is absent), e.g. the keys another node announced as
   * invalidated. Visits every body held: O(bodies).
   */
  dropWhere(dropsKey?: (key: string) => boolean): void {
    const ids: string[] = [];
    for (const [id] of this.#bodies.newestFirst()) {
      if (!dropsKey || dropsKey(id.slice(id.indexOf(" ") + 1))) ids.push(id);
    }
    for (const id of ids) {
      const bytes = this.#bodies.delete(id);
      if (bytes) this.#bytes -= bytes.length;
    }
  }
}

function tierId(meta: Pick<EntryMeta, "key" | "bodyFile">): string {
  return `${meta.bodyFile} ${meta.key}`;
}
