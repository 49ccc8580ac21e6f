/**
 * Owns what the Redis store's modules share: its client and scripts, this
 * node's memory tier, counters and hits, the observer.
 *
 * Must not hold behaviour: redis/store.ts builds it, the others use it.
 */

import type { MemoryTier } from "../cache/memory_tier.ts";
import type { StoreObserver } from "../cache/store.ts";
import type { RedisClient, RedisScript } from "./client.ts";
import type { LocalUse } from "./local_use.ts";

/** This node's counters (StoreStats). */
export interface Counts {
  entries: number;
  bytes: number;
  corruptRemoved: number;
  writeErrors: number;
  memoryHits: number;
}

/**
 * This node's counters, starting at 0, `entries` and `bytes` clamped:
 * never below 0. A node removes (purges, invalidates) entries another
 * node stored, which it never counted; the scripts report what Redis
 * removed, not who stored it, so a removal lowers the count only down
 * to 0 (a clamp, not a per-entry ledger: after another node's removals
 * the count may stay below what this node stored and is still there).
 */
export class NodeCounts implements Counts {
  #entries = 0;
  #bytes = 0;
  corruptRemoved = 0;
  writeErrors = 0;
  memoryHits = 0;

  get entries(): number {
    return this.#entries;
  }
  set entries(n: number) {
    this.#entries = Math.max(0, n);
  }

  get bytes(): number {
    return this.#bytes;
  }
  set bytes(n: number) {
    this.#bytes = Math.max(0, n);
  }
}

/** The scripts of scripts.ts, loaded. */
export type StoreScripts = Readonly<
  Record<
    "commit" | "rekey" | "remove" | "metas" | "open" | "purged",
    RedisScript
  >
>;

/** What the store's helpers (pieces, listing, purging) share with it. */
export interface RedisStoreParts {
  readonly client: RedisClient;
  readonly scripts: StoreScripts;
  readonly tier: MemoryTier;
  readonly counts: Counts;
  /** This node's hits and recency of versions. */
  readonly use: LocalUse;
  observer?: StoreObserver;
}
