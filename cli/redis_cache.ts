/**
 * Owns wiring a node of a cluster on Redis (`--store redis://...`): one
 * command connection (redis/client.ts) shared by the Redis store
 * (redis/store.ts) and the node's fill locks and announcements
 * (redis/node.ts, which adds its subscriber connection), the cache state
 * around them (proxy/caching/state.ts), what the node does on hearing
 * another one (proxy/caching/invalidations.ts), and one stderr line per
 * change of the connection's state. Also the Redis store `cachelab cache
 * --store redis://...` reads (openRedisEntries).
 *
 * Must not parse flags (cli/cache_flags.ts does) nor serve.
 */

import type { RedisStoreConfig } from "../proxy/config.ts";
import { heardInvalidated } from "../proxy/caching/invalidations.ts";
import {
  type CacheOpener,
  cacheOptionsOf,
  type CacheState,
  cacheStateFor,
  memoryMaxObject,
  openCache,
} from "../proxy/caching/state.ts";
import type { RedisAddress } from "../redis/address.ts";
import { formatRedisAddress } from "../redis/address.ts";
import { RedisClient, type RedisState } from "../redis/client.ts";
import { RedisNode } from "../redis/node.ts";
import { RedisPeers } from "../redis/peers.ts";
import { RedisStore } from "../redis/store.ts";

/** How long `cachelab cache --store` waits for Redis before it says it cannot reach it (ms). */
const ENTRIES_CONNECT_MS = 5000;

/**
 * Opens the cache a configuration names: the file store (openCache), or a
 * Redis store with the node's cluster side. A Redis store opens even
 * while Redis is down (requests pass through uncached until it is up).
 * `notice` gets one line per change of the connection's state.
 */
export function cacheOpener(notice: (line: string) => void): CacheOpener {
  return (config) => {
    const store = config.store;
    if (store.kind === "file") return openCache(config);
    const client = new RedisClient(addressOf(store), {
      timeoutMs: store.timeoutMs,
      name: "cachelab-node",
    });
    const redisStore = new RedisStore(client, {
      timeoutMs: store.timeoutMs,
      memoryTier: {
        maxBytes: config.memoryBytes,
        maxObject: memoryMaxObject(config.memoryBytes),
      },
    });
    const holder: { cache?: CacheState } = {};
    const node = new RedisNode(addressOf(store), client, {
      timeoutMs: store.timeoutMs,
      // The store's memory tier is not told (it has no method for it): it
      // holds bodies by version and the key is looked up in Redis at each
      // request, so it never serves what another node dropped.
      onHeard: (what) => {
        if (holder.cache) heardInvalidated(holder.cache, what);
      },
    });
    const stopWatching = watchState(client, notice);
    const cache = cacheStateFor(redisStore, {
      ...cacheOptionsOf(config),
      shared: node.fills,
      peers: node.peers,
      health: {
        get up() {
          return client.state === "ready";
        },
        get failures() {
          return client.failures;
        },
      },
      closeAlso: async () => {
        stopWatching();
        await node.close();
        await client.close();
      },
    });
    holder.cache = cache;
    return Promise.resolve(cache);
  };
}

/**
 * The Redis store `cachelab cache --store` reads and purges, once Redis
 * answers (else it throws "Cannot reach Redis at ..."), with the peers a
 * purge is announced to; `close` closes both.
 */
export async function openRedisEntries(
  store: RedisAddress & {
    timeoutMs: number;
  },
): Promise<{ store: RedisStore; peers: RedisPeers; close(): Promise<void> }> {
  const address = addressOf(store);
  const client = new RedisClient(address, {
    timeoutMs: store.timeoutMs,
    name: "cachelab-cache-command",
  });
  if (!await client.ready(ENTRIES_CONNECT_MS)) {
    await client.close();
    throw new Error(
      `Cannot reach Redis at ${formatRedisAddress(address)} within ${
        ENTRIES_CONNECT_MS / 1000
      } s`,
    );
  }
  const redisStore = new RedisStore(client, { timeoutMs: store.timeoutMs });
  const peers = new RedisPeers(client, `cli-${Deno.pid}`, () => {});
  return {
    store: redisStore,
    peers,
    async close() {
      await redisStore.close();
      await peers.close();
      await client.close();
    },
  };
}

function addressOf(store: RedisAddress | RedisStoreConfig): RedisAddress {
  return { host: store.host, port: store.port, db: store.db };
}

/**
 * Tells `notice` when the connection goes down and when it is up again
 * (one line per change); returns the function that stops it.
 */
function watchState(
  client: RedisClient,
  notice: (line: string) => void,
): () => void {
  const where = formatRedisAddress(client.address);
  let was: RedisState = client.state;
  return client.onState((state) => {
    if (state === "ready" && was !== "ready") {
      notice(`store ${where} is up: caching`);
    }
    if (state === "down" && was !== "down") {
      notice(
        `store ${where} is down: serving uncached, reconnecting`,
      );
    }
    was = state;
  });
}
