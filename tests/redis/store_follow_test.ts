import assert from "../helpers/assert.ts";
import { redisTest } from "../helpers/redis_server.ts";
import { concatBytes } from "../../http/bytes.ts";
import type { BodyReader } from "../../http/types.ts";
import { bodyBytes, draft } from "../cache/store_helpers.ts";
import { CHUNK_BYTES, chunkKey, placeOf } from "../../redis/layout.ts";
import { redisServer, redisStore } from "./store_fixture.ts";

/** What one write may hold: the chunk being filled, two chunks in flight (held and their copies), one write's bytes. */
const HELD_BOUND = 5 * CHUNK_BYTES + 64 * 1024;

/** GETRANGE calls since the last CONFIG RESETSTAT. */
async function getRanges(): Promise<number> {
  const info = await redisServer!.command("INFO", "commandstats") as string;
  return Number(/^cmdstat_getrange:calls=(\d+)/m.exec(info)?.[1] ?? 0);
}

/** The rest of a reader's bytes, copied, until it ends. */
async function drain(reader: BodyReader): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (let chunk = await reader.read(); chunk; chunk = await reader.read()) {
    parts.push(chunk.slice());
  }
  return concatBytes(parts);
}

/** Whether chunk `i` of a write's body file is in Redis. */
async function chunkThere(key: string, file: string, i: number) {
  return await redisServer!.command(
    "EXISTS",
    chunkKey(placeOf(key), file, i),
  ) === 1;
}

redisTest(
  "RedisStore follow() reads back from Redis what was sent, so a write holds a bounded number of bytes whatever a slow follower does",
  async () => {
    const store = await redisStore();
    try {
      await redisServer!.command("CONFIG", "RESETSTAT");
      const body = bodyBytes(6 << 20, 3);
      const writer = store.begin(draft("http://r.example/huge"));
      const follower = writer.follow(body.length);
      const parts: Uint8Array[] = [];
      let peak = 0;
      for (let at = 0; at < body.length; at += 64 * 1024) {
        assert.equal(
          await writer.write(body.subarray(at, at + 64 * 1024)),
          true,
        );
        peak = Math.max(peak, store.heldBytes);
        if (at % (16 * 64 * 1024) === 0) { // one read per 16 writes
          const chunk = await follower.read();
          assert.ok(chunk);
          parts.push(chunk.slice());
        }
      }
      assert.ok(peak <= HELD_BOUND, `${peak} bytes held`);
      assert.equal(await writer.commit(body.length), true);
      assert.equal(store.heldBytes, 0);
      const rest = await drain(follower);
      parts.push(rest);
      assert.equal(
        rest.length + parts.slice(0, -1).reduce((n, p) => n + p.length, 0),
        body.length,
      );
      let at = 0;
      for (const part of parts) {
        assert.deepEqual(part, body.subarray(at, at + part.length));
        at += part.length;
      }
      assert.ok(await getRanges() > 0, "the follower read nothing from Redis");
    } finally {
      await store.close();
    }
  },
);

redisTest(
  "RedisStore discard() keeps a write's chunks while a follower reads them, and deletes them once it ended",
  async () => {
    const store = await redisStore();
    try {
      const body = bodyBytes(3 * CHUNK_BYTES + 10, 4);
      const entry = draft("http://r.example/discarded");
      const writer = store.begin(entry);
      const follower = writer.follow();
      for (let at = 0; at < body.length; at += 64 * 1024) {
        await writer.write(body.subarray(at, at + 64 * 1024));
      }
      await writer.discard(body.length);
      const files = await redisServer!.command(
        "KEYS",
        `${placeOf(entry.key).chunks}*`,
      ) as string[];
      assert.ok(files.length > 0, "no chunk was sent");
      const file = files[0]!.slice(placeOf(entry.key).chunks.length)
        .replace(/:\d+$/, "");
      assert.deepEqual(await drain(follower), body);
      for (let i = 0; i < 200 && await chunkThere(entry.key, file, 0); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(await chunkThere(entry.key, file, 0), false);
      assert.equal(store.heldBytes, 0);
    } finally {
      await store.close();
    }
  },
);
