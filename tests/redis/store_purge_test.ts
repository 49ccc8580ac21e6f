import assert from "../helpers/assert.ts";
import { redisTest } from "../helpers/redis_server.ts";
import { bodyBytes, draft, put } from "../cache/store_helpers.ts";
import type { PurgeTarget } from "../../cache/store.ts";
import { redisStore } from "./store_fixture.ts";

const TARGETS: [string, PurgeTarget][] = [
  ["by prefix", { prefix: "http://r.example/" }],
  ["of everything", { all: true }],
];

for (const [how, target] of TARGETS) {
  redisTest(
    `RedisStore commit() stores nothing when another node purged ${how} after the write began, the key having no hash yet`,
    async () => {
      const a = await redisStore();
      const b = await redisStore({ fresh: false });
      try {
        const entry = draft("http://r.example/new");
        const body = bodyBytes(300_000, 5); // chunked: chunks sent before the purge
        const before = a.begin(entry);
        await before.write(body);
        await b.purge(target);
        assert.equal(await before.commit(body.length), false);
        assert.deepEqual(await a.variants(entry.key), []);
        assert.deepEqual(await b.variants(entry.key), []);
        const small = draft("http://r.example/small");
        const early = a.begin(small);
        await early.write(bodyBytes(10, 6));
        await b.purge(target);
        assert.equal(await early.commit(10), false);
        await put(a, entry, body); // a write begun after the purge is stored
        assert.equal((await b.variants(entry.key)).length, 1);
      } finally {
        await a.close();
        await b.close();
      }
    },
  );
}

redisTest(
  "RedisStore commit() stores a write when another node purged another prefix after it began",
  async () => {
    const a = await redisStore();
    const b = await redisStore({ fresh: false });
    try {
      const entry = draft("http://b.example/kept via proxy.example");
      const writer = a.begin(entry);
      await writer.write(bodyBytes(300_000, 7));
      await b.purge({ prefix: "http://a.example/" });
      await b.purge({ prefix: "http://b.example/kept via" }); // past the target URI
      assert.equal(await writer.commit(300_000), true);
      assert.equal((await b.variants(entry.key)).length, 1);
    } finally {
      await a.close();
      await b.close();
    }
  },
);
