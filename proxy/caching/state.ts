/**
 * Owns what the proxy keeps for its cache while it runs: the store, the
 * storing rules from the configuration, the fills in flight (request
 * collapsing, collapsing.ts) and the work no client waits for
 * (tasks.ts); and opening and closing them.
 *
 * Must not decide (cache/policy.ts) nor serve (flow.ts).
 */

import { FileStore } from "../../cache/file_store.ts";
import { MEMORY_TIER_MAX_OBJECT } from "../../cache/limits.ts";
import type { StoreOptions } from "../../cache/policy.ts";
import type { Store } from "../../cache/store.ts";
import type { CacheConfig } from "../config.ts";
import { BackgroundTasks } from "./tasks.ts";
import { FillRegistry } from "./collapsing.ts";

/** The proxy's cache while it runs. */
export interface CacheState {
  store: Store;
  options: StoreOptions;
  fills: FillRegistry;
  background: BackgroundTasks;
}

/** Builds the cache state around a store (tests pass a MemoryStore). */
export function cacheStateFor(store: Store, options: StoreOptions): CacheState {
  return {
    store,
    options,
    fills: new FillRegistry(),
    background: new BackgroundTasks(),
  };
}

/** Opens the file store the configuration names. */
export async function openCache(config: CacheConfig): Promise<CacheState> {
  const store = await FileStore.open(config.dir, {
    sizeBytes: config.sizeBytes,
    memoryBytes: config.memoryBytes,
    memoryMaxObject: Math.min(
      MEMORY_TIER_MAX_OBJECT,
      Math.floor(config.memoryBytes / 16),
    ),
  });
  return cacheStateFor(store, {
    maxObjectBytes: config.maxObjectBytes,
    skipBinary: config.skipBinary,
  });
}

/** Stops fills in flight, waits for background work, then closes the store. */
export async function closeCache(cache: CacheState): Promise<void> {
  await cache.background.close();
  await cache.store.close();
}
