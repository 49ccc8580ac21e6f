/**
 * Owns review 14's table of metadata and bodies planted in Redis by hand
 * that the Redis store must treat as a miss (and clean up) or as a torn
 * body (its reader throws), never serve as an entry.
 *
 * Must not fix the product; one row per planted shape.
 */

import assert from "../helpers/assert.ts";
import { redisTest } from "../helpers/redis_server.ts";
import { bodyBytes, draft, put } from "../cache/store_helpers.ts";
import { chunkKey, metaField, placeOf } from "../../redis/layout.ts";
import { redisServer, redisStore } from "./store_fixture.ts";

const KEY = "http://r.example/planted";
const HASH = placeOf(KEY).hash;

const MISSES: [string, () => Promise<unknown>][] = [
  [
    "metadata that is not JSON",
    () =>
      redisServer!.command("HSET", HASH, "k", KEY, metaField([]), "{not json"),
  ],
  ["metadata of another key", () =>
    redisServer!.command(
      "HSET",
      HASH,
      "k",
      KEY,
      metaField([]),
      JSON.stringify({
        ...draft("http://other.example/"),
        bodySize: 3,
        bodyFile: "default-0.body",
      }),
      "b:default-0.body",
      "abc",
    )],
  ["metadata under another variant's field", () =>
    redisServer!.command(
      "HSET",
      HASH,
      "k",
      KEY,
      "v:0123456789abcdef0123456789abcdef",
      JSON.stringify({
        ...draft(KEY),
        bodySize: 3,
        bodyFile: "default-0.body",
      }),
      "b:default-0.body",
      "abc",
    )],
  ["an inline body shorter than its metadata says", () =>
    redisServer!.command(
      "HSET",
      HASH,
      "k",
      KEY,
      metaField([]),
      JSON.stringify({
        ...draft(KEY),
        bodySize: 4,
        bodyFile: "default-0.body",
      }),
      "b:default-0.body",
      "abc",
    )],
  ["a version field from the future", () =>
    redisServer!.command(
      "HSET",
      HASH,
      "k",
      KEY,
      metaField([]),
      JSON.stringify({
        ...draft(KEY),
        version: 3,
        bodySize: 3,
        bodyFile: "default-0.body",
      }),
      "b:default-0.body",
      "abc",
    )],
];

for (const [what, plant] of MISSES) {
  redisTest(
    `RedisStore variants() is a miss for ${what} planted in Redis`,
    async () => {
      const store = await redisStore();
      try {
        await plant();
        assert.deepEqual(await store.variants(KEY), []);
      } finally {
        await store.close();
      }
    },
  );
}

redisTest(
  "RedisStore openBody() reader throws, never ends short, when a chunk was replaced by a shorter one",
  async () => {
    const store = await redisStore();
    try {
      const meta = await put(store, draft(KEY), bodyBytes(600_000, 3));
      await redisServer!.command(
        "SET",
        chunkKey(placeOf(KEY), meta.bodyFile, 1),
        bodyBytes(1000, 4),
      );
      const reader = await store.openBody(meta);
      assert.ok(reader);
      let read = 0;
      await assert.rejects(
        async () => {
          for (let c = await reader.read(); c; c = await reader.read()) {
            read += c.length;
          }
        },
        Error,
        "Cannot read cached body",
      );
      assert.ok(read < 600_000);
    } finally {
      await store.close();
    }
  },
);
