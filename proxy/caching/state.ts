/**
 * Owns what the proxy keeps for its cache while it runs: the store, the
 * storing rules from the configuration (and the storing options of one
 * request: its route's target list, storeOptionsFor), the fills in flight
 * (request collapsing, collapsing.ts), the responses on their way to the
 * store (tickets.ts) and the work no client waits for (tasks.ts); and
 * opening and closing them.
 *
 * Must not decide (cache/policy.ts) nor serve (flow.ts).
 */

import { FileStore } from "../../cache/file_store.ts";
import { MEMORY_TIER_MAX_OBJECT } from "../../cache/limits.ts";
import { type StoreOptions, targetsFor } from "../../cache/policy.ts";
import type { Store } from "../../cache/store.ts";
import {
  type CacheConfig,
  DEFAULT_MAX_STALE_ON_ERROR_SECONDS,
  DEFAULT_TARGETED_FIELDS,
} from "../config.ts";
import { BackgroundTasks } from "./tasks.ts";
import { FillRegistry } from "./collapsing.ts";
import type { Peers } from "./invalidations.ts";
import type { SharedFills } from "./shared_fills.ts";
import { Tickets } from "./tickets.ts";

/**
 * How a shared store's backend stands (a Redis store's connection), for
 * /metrics; read at each scrape.
 */
export interface StoreHealth {
  /** True while the backend can be reached. */
  readonly up: boolean;
  /** Calls to the backend that failed for want of it (down, or later than their bound) since it opened. */
  readonly failures: number;
}

/** The proxy's cache while it runs. */
export interface CacheState {
  store: Store;
  /** The storing rules of every request; the target list is per route (storeOptionsFor). */
  options: Omit<StoreOptions, "targets">;
  /** The configured targeted cache-control fields, in order (RFC 9213 §2.1). */
  targetedFields: readonly string[];
  /** How long (s) past its freshness a stored response may stand in for an unreachable origin; 0: off. */
  maxStaleOnErrorSeconds: number;
  fills: FillRegistry;
  /** The responses on their way to the store, by key (forget.ts voids them). */
  tickets: Tickets;
  background: BackgroundTasks;
  /**
   * The nodes' fill locks when the store is shared by several nodes
   * (request collapsing across them); absent for a node's own store.
   */
  shared?: SharedFills;
  /** The other nodes sharing the store, told what this one invalidates; absent for a node's own store. */
  peers?: Peers;
  /** How a shared store's backend stands; absent for a node's own store. */
  health?: StoreHealth;
  /** Closes what the cache holds besides the store (a shared store's connections), after it. */
  closeAlso?: () => Promise<void>;
}

/** How the cache is configured; absent optional settings take the CLI's defaults. */
export interface CacheOptions {
  /** Largest body stored, in bytes (CacheConfig.maxObjectBytes). */
  maxObjectBytes: number;
  /** Do not store binary media types (CacheConfig.skipBinary). */
  skipBinary: boolean;
  /** Default false (CacheConfig.storeSetCookie). */
  storeSetCookie?: boolean;
  /** Default DEFAULT_TARGETED_FIELDS (CacheConfig.targetedFields). */
  targetedFields?: readonly string[];
  /** Default DEFAULT_MAX_STALE_ON_ERROR_SECONDS (CacheConfig.maxStaleOnErrorSeconds). */
  maxStaleOnErrorSeconds?: number;
  /** The nodes' fill locks of a shared store (CacheState.shared). */
  shared?: SharedFills;
  /** The other nodes sharing the store (CacheState.peers). */
  peers?: Peers;
  /** CacheState.health. */
  health?: StoreHealth;
  /** CacheState.closeAlso. */
  closeAlso?: () => Promise<void>;
}

/** Builds the cache state around a store (tests pass a MemoryStore). */
export function cacheStateFor(store: Store, options: CacheOptions): CacheState {
  return {
    store,
    options: {
      maxObjectBytes: options.maxObjectBytes,
      skipBinary: options.skipBinary,
      storeSetCookie: options.storeSetCookie ?? false,
    },
    targetedFields: options.targetedFields ?? DEFAULT_TARGETED_FIELDS,
    maxStaleOnErrorSeconds: options.maxStaleOnErrorSeconds ??
      DEFAULT_MAX_STALE_ON_ERROR_SECONDS,
    fills: new FillRegistry(),
    tickets: new Tickets(),
    background: new BackgroundTasks(),
    shared: options.shared,
    peers: options.peers,
    health: options.health,
    closeAlso: options.closeAlso,
  };
}

/**
 * The storing options of a request routed as `routeKind` (RFC 9213 §2.1,
 * §3): the configured rules with the route's target list,
 * CDN-Cache-Control only when the proxy acts for the origin (reverse).
 */
export function storeOptionsFor(
  cache: CacheState,
  routeKind: "reverse" | "forward",
): StoreOptions {
  const actsFor = routeKind === "reverse" ? "origin" : "client";
  return {
    ...cache.options,
    targets: targetsFor(cache.targetedFields, actsFor),
  };
}

/**
 * Opens the file store the configuration names. A Redis store is opened
 * by whoever may reach Redis (cli/ through redis/, CacheOpener): throws a
 * TypeError for one (a caller bug).
 */
export async function openCache(config: CacheConfig): Promise<CacheState> {
  if (config.store.kind !== "file") {
    throw new TypeError(
      "Cannot open the cache: a Redis store needs its opener (CacheOpener)",
    );
  }
  const store = await FileStore.open(config.store.dir, {
    sizeBytes: config.store.sizeBytes,
    memoryBytes: config.memoryBytes,
    memoryMaxObject: memoryMaxObject(config.memoryBytes),
  });
  return cacheStateFor(store, cacheOptionsOf(config));
}

/** The largest body a memory tier of `memoryBytes` keeps (a sixteenth, at most MEMORY_TIER_MAX_OBJECT). */
export function memoryMaxObject(memoryBytes: number): number {
  return Math.min(MEMORY_TIER_MAX_OBJECT, Math.floor(memoryBytes / 16));
}

/** The storing rules a configuration gives, whatever its store. */
export function cacheOptionsOf(config: CacheConfig): CacheOptions {
  return {
    maxObjectBytes: config.maxObjectBytes,
    skipBinary: config.skipBinary,
    storeSetCookie: config.storeSetCookie,
    targetedFields: config.targetedFields,
    maxStaleOnErrorSeconds: config.maxStaleOnErrorSeconds,
  };
}

/** Opens the cache of a configuration (openCache, or one that reaches Redis). */
export type CacheOpener = (config: CacheConfig) => Promise<CacheState>;

/** Stops fills in flight, waits for background work, then closes the store. */
export async function closeCache(cache: CacheState): Promise<void> {
  await cache.background.close();
  try {
    await cache.store.close();
  } finally {
    await cache.closeAlso?.();
  }
}
