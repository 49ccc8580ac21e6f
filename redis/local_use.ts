/**
 * Owns what this node knows of how entries are used: the hits it served
 * of each stored version (touch()) and the order it last stored or used
 * them in, for Store.list() and Store.hits(). Redis's own LRU sees every
 * read; these counts are this node's alone, kept in memory, bounded.
 *
 * Must not talk to Redis.
 */

import type { EntryMeta } from "../cache/meta.ts";

/** Versions remembered at most; past it, the oldest half is forgotten. */
const MAX_VERSIONS = 100_000;

/** Hits and recency of the versions this node stored or served. */
export class LocalUse {
  #seq = 0;
  /** By version: [last use (a sequence number), hits]. */
  readonly #versions = new Map<string, [number, number]>();

  /** A version was stored now: used last, no hits yet. */
  stored(meta: Pick<EntryMeta, "key" | "bodyFile">): void {
    this.#set(versionOf(meta), 0);
  }

  /** A version was served now: one hit more, used last. */
  touch(meta: Pick<EntryMeta, "key" | "bodyFile">): void {
    const id = versionOf(meta);
    this.#set(id, (this.#versions.get(id)?.[1] ?? 0) + 1);
  }

  /** A version is no longer stored (replaced, removed). */
  forget(meta: Pick<EntryMeta, "key" | "bodyFile">): void {
    this.#versions.delete(versionOf(meta));
  }

  /** Its hits on this node (0 when unknown). */
  hits(meta: Pick<EntryMeta, "key" | "bodyFile">): number {
    return this.#versions.get(versionOf(meta))?.[1] ?? 0;
  }

  /** When it was last stored or used here (higher: later; 0 when unknown). */
  lastUse(meta: Pick<EntryMeta, "key" | "bodyFile">): number {
    return this.#versions.get(versionOf(meta))?.[0] ?? 0;
  }

  #set(id: string, hits: number): void {
    this.#versions.delete(id); // re-inserted last: Map order is use order
    this.#versions.set(id, [++this.#seq, hits]);
    if (this.#versions.size <= MAX_VERSIONS) return;
    let drop = this.#versions.size / 2;
    for (const old of this.#versions.keys()) {
      if (drop-- <= 0) break;
      this.#versions.delete(old);
    }
  }
}

function versionOf(meta: Pick<EntryMeta, "key" | "bodyFile">): string {
  return `${meta.bodyFile} ${meta.key}`;
}
