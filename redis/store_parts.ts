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
