/**
 * Owns review 14's findings on metadata planted in Redis by hand (a
 * size that lies), one failing test each (/work/notes/review14.md).
 *
 * Must not fix the product, nor run a planted script on the file's shared
 * redis-server: each test that may block Redis starts its own.
 */

import assert from "../helpers/assert.ts";
import { redisTest, startRedisServer } from "../helpers/redis_server.ts";
import { bodyBytes, bodyOf, draft, put } from "../cache/store_helpers.ts";
import { metaField, placeOf } from "../../redis/layout.ts";
import { RedisStore } from "../../redis/store.ts";

/** A valid metadata JSON but for its size: 2^53 - 1 bytes. */
function hugeMeta(key: string): string {
  return JSON.stringify({
    ...draft(key),
    bodySize: Number.MAX_SAFE_INTEGER,
    bodyFile: "default-0000000000000000.body",
  });
}

async function plant(
  server: { command(...args: string[]): Promise<unknown> },
  key: string,
): Promise<void> {
  await server.command(
    "HSET",
    placeOf(key).hash,
    "k",
    key,
    metaField([]),
    hugeMeta(key),
  );
}

redisTest(
  "RedisStore openBody() is undefined and variants() lists nothing, without building what the size claims, for planted metadata claiming 2^53-1 bytes",
  async () => {
    await using server = await startRedisServer();
    const key = "http://r.example/huge";
    await plant(server, key);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--config",
        new URL("../../deno.json", import.meta.url).pathname,
        "--allow-net=127.0.0.1",
        "--allow-read",
        "--allow-env",
        "--v8-flags=--max-old-space-size=256", // a node's heap, made small so it ends fast
        new URL("./hostile_open_child.ts", import.meta.url).pathname,
        server.url,
        key,
        hugeMeta(key),
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const killer = setTimeout(() => child.kill("SIGKILL"), 60_000); // a bound, not an oracle
    const out = await child.output();
    clearTimeout(killer);
    const text = new TextDecoder().decode(out.stdout);
    const errors = new TextDecoder().decode(out.stderr);
    assert.deepEqual(
      text.trim().split("\n"),
      ["opened undefined", "variants 0"],
      `the node ended with code ${out.code}, signal ${out.signal}: ${
        errors.split("\n").find((l) => /memory|error/i.test(l)) ?? ""
      }`,
    );
  },
);

redisTest(
  "RedisStore purge() of a key whose planted metadata claims 2^53-1 bytes leaves Redis answering",
  async () => {
    await using server = await startRedisServer({
      args: ["--busy-reply-threshold", "100"], // BUSY at once, not after 5 s
    });
    const key = "http://r.example/huge";
    await plant(server, key);
    const store = RedisStore.open(server.url, { timeoutMs: 500 });
    try {
      assert.equal(await store.client.ready(5000), true);
      await store.purge({ url: key });
      let pong: unknown;
      try {
        pong = await server.command("PING");
      } catch (error) {
        pong = String(error);
      }
      assert.equal(pong, "PONG", "Redis no longer answers every node");
    } finally {
      await store.close();
    }
  },
);

redisTest(
  "RedisStore commit() stores a new version over planted metadata claiming 2^53-1 bytes, Redis answering",
  async () => {
    await using server = await startRedisServer({
      args: ["--busy-reply-threshold", "100"], // BUSY at once, not after 5 s
    });
    const key = "http://r.example/huge-replaced";
    await plant(server, key);
    const store = RedisStore.open(server.url, { timeoutMs: 2000 });
    try {
      assert.equal(await store.client.ready(5000), true);
      const meta = await put(store, draft(key), bodyBytes(300_000, 3));
      assert.equal(await server.command("PING"), "PONG");
      assert.deepEqual(await bodyOf(store, meta), bodyBytes(300_000, 3));
    } finally {
      await store.close();
    }
  },
);
