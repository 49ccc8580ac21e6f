import { REDIS_SERVER } from "../helpers/redis_server.ts";
import { storeContract } from "../cache/store_contract.ts";
import { redisStore } from "./store_fixture.ts";

storeContract("RedisStore", async () => {
  const store = await redisStore();
  return { store, dispose: () => store.close() };
}, {
  noOwnCap: "Redis caps itself (maxmemory, allkeys-lru)",
  skip: REDIS_SERVER ? undefined : "redis-server not found",
});
