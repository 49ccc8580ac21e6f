/**
 * Owns the memory store's index (the file store's is file_index.ts,
 * compact, with metadata on disk): which variants are stored under each
 * primary key, their least-recently-used order and the total
 * body bytes they account for. An entry is identified by its slot (key
 * plus variant id); its current version by its body file name.
 *
 * Must not touch files nor bodies: the stores act on what it returns.
 */

import { variantId } from "./key.ts";
import type { EntryMeta } from "./meta.ts";
import { RecencyMap } from "./recency_map.ts";

/** The place of one variant: its primary key and variant id. */
export function slotOf(meta: Pick<EntryMeta, "key" | "vary">): string {
  return `${variantId(meta.vary)} ${meta.key}`;
}

const NO_VARIANTS: readonly EntryMeta[] = Object.freeze([]);

/** Stored metadata by key and variant, in least-recently-used order. */
export class LruIndex {
  /**
   * key -> its variants in the order first stored. The arrays are replaced,
   * never changed, so `variants()` can hand them out without a copy.
   */
  #byKey = new Map<string, readonly EntryMeta[]>();
  /** slot -> meta, least recently used first. */
  #order = new RecencyMap<string, EntryMeta>();
  /** Slots of the versions stored now, so a hit does not hash the Vary values again. */
  #slotOf = new WeakMap<EntryMeta, string>();
  #bytes = 0;
  /** Times each slot's current version was served (touch()), by slot; absent: 0. */
  #hits = new Map<string, number>();

  /** Number of entries (variants). */
  get size(): number {
    return this.#order.size;
  }

  /** Sum of the stored body sizes. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Every stored variant of a primary key (do not change the array). */
  variants(key: string): readonly EntryMeta[] {
    return this.#byKey.get(key) ?? NO_VARIANTS;
  }

  /** The stored version of the entry in `meta`'s slot, whichever it is. */
  current(meta: Pick<EntryMeta, "key" | "vary">): EntryMeta | undefined {
    return this.#order.peek(slotOf(meta));
  }

  /** True when `meta` is the version stored now (not replaced nor removed). */
  isCurrent(meta: EntryMeta): boolean {
    return this.current(meta)?.bodyFile === meta.bodyFile;
  }

  /**
   * Stores `meta` as the most recently used entry of its slot and returns
   * the version it replaced, if any.
   */
  set(meta: EntryMeta): EntryMeta | undefined {
    const slot = slotOf(meta);
    const previous = this.#order.set(slot, meta);
    if (previous) this.#bytes -= previous.bodySize;
    if (previous?.bodyFile !== meta.bodyFile) this.#hits.delete(slot); // a new version: no hits yet
    this.#slotOf.set(meta, slot);
    this.#bytes += meta.bodySize;
    const others = this.#byKey.get(meta.key) ?? NO_VARIANTS;
    const next = previous
      ? others.map((m) => (m === previous ? meta : m))
      : [...others, meta];
    this.#byKey.set(meta.key, next);
    return previous;
  }

  /** Removes `meta` when it is the current version; returns whether it was. */
  delete(meta: EntryMeta): boolean {
    if (!this.isCurrent(meta)) return false;
    this.#deleteSlot(slotOf(meta));
    return true;
  }

  /** Removes every variant of a key and returns them. */
  deleteKey(key: string): EntryMeta[] {
    const removed = [...this.variants(key)];
    for (const meta of removed) this.#deleteSlot(slotOf(meta));
    return removed;
  }

  /** Makes the current version of `meta` the most recently used. */
  touch(meta: EntryMeta): void {
    const slot = this.#slotOf.get(meta) ?? slotOf(meta);
    if (this.#order.peek(slot)?.bodyFile !== meta.bodyFile) return; // replaced or removed meanwhile
    this.#order.use(slot);
    this.#hits.set(slot, (this.#hits.get(slot) ?? 0) + 1);
  }

  /** The times the current version `meta` was served; 0 when it is not current. */
  hits(meta: EntryMeta): number {
    if (!this.isCurrent(meta)) return 0;
    return this.#hits.get(slotOf(meta)) ?? 0;
  }

  /** The entries, most recently used first, with how often each was served (touch()). */
  *newestFirst(): Generator<{ meta: EntryMeta; hits: number }> {
    for (const [slot, meta] of this.#order.newestFirst()) {
      yield { meta, hits: this.#hits.get(slot) ?? 0 };
    }
  }

  /**
   * Removes least-recently-used entries until the stored bytes are at most
   * `maxBytes`, and returns them, oldest first.
   */
  evictUntil(maxBytes: number): EntryMeta[] {
    const evicted: EntryMeta[] = [];
    for (
      let oldest = this.#order.oldest();
      oldest && this.#bytes > maxBytes;
      oldest = this.#order.oldest()
    ) {
      this.#deleteSlot(oldest[0]);
      evicted.push(oldest[1]);
    }
    return evicted;
  }

  #deleteSlot(slot: string): void {
    const meta = this.#order.delete(slot);
    if (!meta) return;
    this.#hits.delete(slot);
    this.#bytes -= meta.bodySize;
    const rest = (this.#byKey.get(meta.key) ?? NO_VARIANTS).filter((m) =>
      m !== meta
    );
    if (rest.length === 0) this.#byKey.delete(meta.key);
    else this.#byKey.set(meta.key, rest);
  }
}
