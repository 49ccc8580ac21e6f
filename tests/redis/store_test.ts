import assert from "../helpers/assert.ts";
import { fileRedisServer, REDIS_SERVER } from "../helpers/redis_server.ts";
import { storeContract } from "../cache/store_contract.ts";
import { RedisStore } from "../../redis/store.ts";

const server = await fileRedisServer();

/** A store on the file's server, emptied first (FLUSHDB), its connection ready. */
export async function redisStore(): Promise<RedisStore> {
  await server!.command("FLUSHDB");
  const store = RedisStore.open(server!.url, {
    timeoutMs: 2000,
    memoryTier: { maxBytes: 4 << 20, maxObject: 1 << 20 },
  });
  assert.equal(await store.client.ready(5000), true, "Redis not ready");
  return store;
}

storeContract("RedisStore", async () => {
  const store = await redisStore();
  return { store, dispose: () => store.close() };
}, {
  noOwnCap: "Redis caps itself (maxmemory, allkeys-lru)",
  skip: REDIS_SERVER ? undefined : "redis-server not found",
});
