/**
 * Owns the in-memory index both stores share: which variants are stored
 * under each primary key, their least-recently-used order and the total
 * body bytes they account for. An entry is identified by its slot (key
 * plus variant id); its current version by its body file name.
 *
 * Must not touch files nor bodies: the stores act on what it returns.
 */

import { variantId } from "./key.ts";
import type { EntryMeta } from "./meta.ts";

/** The place of one variant: its primary key and variant id. */
export function slotOf(meta: Pick<EntryMeta, "key" | "vary">): string {
  return `${variantId(meta.vary)} ${meta.key}`;
}

/** Stored metadata by key and variant, in least-recently-used order. */
export class LruIndex {
  /** key -> slot -> meta; a key's variants in the order first stored. */
  #byKey = new Map<string, Map<string, EntryMeta>>();
  /** slot -> meta; iteration starts at the least recently used. */
  #order = new Map<string, EntryMeta>();
  #bytes = 0;

  /** Number of entries (variants). */
  get size(): number {
    return this.#order.size;
  }

  /** Sum of the stored body sizes. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Every stored variant of a primary key. */
  variants(key: string): EntryMeta[] {
    const slots = this.#byKey.get(key);
    return slots ? [...slots.values()] : [];
  }

  /** The stored version of the entry in `meta`'s slot, whichever it is. */
  current(meta: Pick<EntryMeta, "key" | "vary">): EntryMeta | undefined {
    return this.#order.get(slotOf(meta));
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
    const previous = this.#order.get(slot);
    if (previous) this.#bytes -= previous.bodySize;
    this.#order.delete(slot);
    this.#order.set(slot, meta);
    this.#bytes += meta.bodySize;
    let slots = this.#byKey.get(meta.key);
    if (!slots) {
      slots = new Map();
      this.#byKey.set(meta.key, slots);
    }
    slots.set(slot, meta);
    return previous;
  }

  /** Removes `meta` when it is the current version; returns whether it was. */
  delete(meta: EntryMeta): boolean {
    if (!this.isCurrent(meta)) return false;
    this.#deleteSlot(slotOf(meta), meta);
    return true;
  }

  /** Removes every variant of a key and returns them. */
  deleteKey(key: string): EntryMeta[] {
    const removed = this.variants(key);
    for (const meta of removed) this.#deleteSlot(slotOf(meta), meta);
    return removed;
  }

  /** Makes the current version of `meta` the most recently used. */
  touch(meta: EntryMeta): void {
    if (!this.isCurrent(meta)) return;
    const slot = slotOf(meta);
    const stored = this.#order.get(slot)!;
    this.#order.delete(slot);
    this.#order.set(slot, stored);
  }

  /**
   * Removes least-recently-used entries until the stored bytes are at most
   * `maxBytes`, and returns them, oldest first.
   */
  evictUntil(maxBytes: number): EntryMeta[] {
    const evicted: EntryMeta[] = [];
    for (const [slot, meta] of this.#order) {
      if (this.#bytes <= maxBytes) break;
      this.#deleteSlot(slot, meta);
      evicted.push(meta);
    }
    return evicted;
  }

  #deleteSlot(slot: string, meta: EntryMeta): void {
    this.#order.delete(slot);
    this.#bytes -= meta.bodySize;
    const slots = this.#byKey.get(meta.key);
    slots?.delete(slot);
    if (slots?.size === 0) this.#byKey.delete(meta.key);
  }
}
