/**
 * Owns the Redis store fixtures of the tests: one redis-server for the
 * test process (started when this module loads, killed at unload) and
 * fresh stores on it, the database emptied first.
 *
 * Must not be imported when redis-server is missing without checking
 * `redisServer` (undefined then).
 */

import assert from "../helpers/assert.ts";
import { fileRedisServer } from "../helpers/redis_server.ts";
import { RedisStore, type RedisStoreOptions } from "../../redis/store.ts";

/** The test process's redis-server (undefined when redis-server is not found). */
export const redisServer = await fileRedisServer();

/** A store on the test server, its connection ready; `fresh` empties the database first (FLUSHDB). */
export async function redisStore(
  options: Partial<RedisStoreOptions> & { fresh?: boolean } = {},
): Promise<RedisStore> {
  if (options.fresh !== false) await redisServer!.command("FLUSHDB");
  const store = RedisStore.open(redisServer!.url, {
    timeoutMs: options.timeoutMs ?? 2000,
    memoryTier: options.memoryTier ??
      { maxBytes: 4 << 20, maxObject: 1 << 20 },
  });
  assert.equal(await store.client.ready(5000), true, "Redis not ready");
  return store;
}
