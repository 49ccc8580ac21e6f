/**
 * Owns review 14's findings on the Redis store, one failing test each
 * (/work/notes/review14.md): two stores (two nodes) on the test file's
 * redis-server, keys evicted, replaced or planted by hand in between.
 *
 * Must not fix the product: each test states the behaviour the Store
 * contract or issue 14 asks for.
 */

import assert from "../helpers/assert.ts";
import {
  redisKnownDefect,
  redisTest,
  startRedisServer,
} from "../helpers/redis_server.ts";
import {
  bodyBytes,
  draft,
  only,
  put,
  readAll,
  writeAll,
} from "../cache/store_helpers.ts";
import { StoreUnavailableError } from "../../cache/store.ts";
import { CHUNK_BYTES, placeOf } from "../../redis/layout.ts";
import type { RedisArg } from "../../redis/client.ts";
import { RedisStore } from "../../redis/store.ts";
import { redisServer, redisStore } from "./store_fixture.ts";

redisTest(
  "RedisStore openBody() reader keeps reading a chunked version it opened when another node replaces it",
  async () => {
    const a = await redisStore();
    const b = await redisStore({ fresh: false });
    try {
      const entry = draft("http://r.example/replaced-while-read");
      const old = await put(a, entry, bodyBytes(600_000, 1), 64 * 1024);
      const reader = await a.openBody(old);
      assert.ok(reader, "the stored body opens");
      const first = await reader.read();
      assert.equal(first?.length, CHUNK_BYTES);
      const kept: Uint8Array[] = [first!.slice()];
      await put(b, entry, bodyBytes(600_000, 2), 64 * 1024); // another node replaces it
      // Store contract (openBody): "it keeps reading the version it opened
      // even if that is replaced meanwhile".
      for (let c = await reader.read(); c; c = await reader.read()) {
        kept.push(c.slice()); // readAll() would check the whole length
      }
      const whole = new Uint8Array(600_000);
      let at = 0;
      for (const part of kept) {
        whole.set(part, at);
        at += part.length;
      }
      assert.equal(at, 600_000);
      assert.deepEqual(whole, bodyBytes(600_000, 1));
    } finally {
      await a.close();
      await b.close();
    }
  },
);

redisTest(
  "RedisStore commit() stores nothing when another node purged the key after the write began and Redis then evicted the key's hash",
  async () => {
    const a = await redisStore();
    const b = await redisStore({ fresh: false });
    try {
      const entry = draft("http://r.example/purged-then-evicted");
      await put(a, entry, bodyBytes(10, 1));
      const writer = a.begin(entry);
      await writer.write(bodyBytes(20, 2)); // the response as it was before the purge
      assert.equal(await b.purge({ url: entry.key }), 1);
      // allkeys-lru (the documented policy) may evict any key at any
      // moment: here the key's hash, which held its purge generation.
      await redisServer!.command("DEL", placeOf(entry.key).hash);
      assert.equal(
        await writer.commit(20),
        false,
        "a write begun before a purge was stored after it",
      );
      assert.deepEqual(await b.variants(entry.key), []);
    } finally {
      await a.close();
      await b.close();
    }
  },
);

redisKnownDefect(
  "RedisStore beginPartial() never holds the whole representation in one buffer when its pieces join into a complete entry",
  "a join holds the whole body",
  async () => {
    const store = await redisStore();
    const sent: number[] = []; // the size of the memory behind each byte argument
    const call = store.client.call.bind(store.client);
    store.client.call = (command: string, ...args: RedisArg[]) => {
      for (const arg of args) {
        if (arg instanceof Uint8Array) sent.push(arg.buffer.byteLength);
      }
      return call(command, ...args);
    };
    try {
      const size = 4 * 1024 * 1024;
      const whole = bodyBytes(size, 5);
      const key = "http://r.example/pieces-in-memory";
      const { partial: _none, ...entry } = draft(key);
      const pieceDraft = {
        ...entry,
        partial: { validator: '"v1"', length: size },
      };
      const half = size / 2;
      for (const [start, end] of [[0, half - 1], [half, size - 1]]) {
        const writer = store.beginPartial(pieceDraft, {
          range: { start: start!, end: end! },
        });
        await writeAll(writer, whole.subarray(start!, end! + 1));
        assert.equal(await writer.commit(end! - start! + 1), true);
      }
      const meta = await only(store, entry);
      assert.equal(meta.partial, undefined, "stored whole");
      // Issue 14: bodies over a threshold are "stored in chunks and
      // streamed, never loaded whole".
      const largest = Math.max(...sent);
      assert.ok(
        largest <= 2 * CHUNK_BYTES,
        `a chunk was sent from a buffer of ${largest} bytes (the body is ${size})`,
      );
    } finally {
      await store.close();
    }
  },
);

redisTest(
  "RedisStore purge() of everything removes an entry whose hash's k field names another key",
  async () => {
    const a = await redisStore();
    try {
      const entry = draft("http://r.example/lying-k");
      await put(a, entry, bodyBytes(100, 1));
      await redisServer!.command(
        "HSET",
        placeOf(entry.key).hash,
        "k",
        "http://elsewhere.example/",
      );
      assert.equal((await a.variants(entry.key)).length, 1, "still served");
      await a.purge({ all: true });
      assert.deepEqual(
        await a.variants(entry.key),
        [],
        "served after a purge of everything",
      );
    } finally {
      await a.close();
    }
  },
);

/** Polls the raw server until it answers BUSY (a script running too long). */
async function untilBusy(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      await redisServer!.command("GET", "cachelab:review:none");
    } catch (error) {
      if (String(error).includes("BUSY")) return;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("Cannot make Redis busy");
}

redisTest(
  "RedisStore variants() rejects with StoreUnavailableError when Redis answers BUSY (a script runs too long)",
  async () => {
    const store = await redisStore({ timeoutMs: 2000 });
    const before = await redisServer!.command(
      "CONFIG",
      "GET",
      "busy-reply-threshold",
    ) as string[];
    await redisServer!.command("CONFIG", "SET", "busy-reply-threshold", "20");
    // A read-only script that loops: another client's, or an operator's.
    const loop = redisServer!.command(
      "EVAL",
      "local i = 0 while true do i = i + 1 end",
      0,
    ).catch(() => undefined); // ends with an error once killed
    try {
      await untilBusy();
      // Store contract (variants): a store that cannot reach its backend
      // rejects with StoreUnavailableError, which the proxy answers as a
      // plain proxy; any other rejection fails the request.
      await assert.rejects(
        () => store.variants("http://r.example/busy"),
        StoreUnavailableError,
      );
    } finally {
      await redisServer!.command("SCRIPT", "KILL").catch(() => undefined);
      await loop;
      await redisServer!.command(
        "CONFIG",
        "SET",
        "busy-reply-threshold",
        before[1] ?? "5000",
      );
      await store.close();
    }
  },
);

redisTest(
  "RedisStore commit() that resolves false because Redis was paused leaves the older entry in place once Redis goes on",
  async () => {
    await using server = await startRedisServer();
    const a = RedisStore.open(server.url, { timeoutMs: 300 });
    try {
      assert.equal(await a.client.ready(5000), true);
      const entry = draft("http://r.example/late-commit");
      const size = 2 * CHUNK_BYTES; // whole chunks: all sent before commit()
      const old = await put(a, entry, bodyBytes(size, 1), 64 * 1024);
      const writer = a.begin(entry);
      await writeAll(writer, bodyBytes(size, 2));
      await a.client.call("PING"); // every chunk of the write is in Redis
      server.pause();
      let stored: boolean;
      try {
        stored = await writer.commit(size); // no reply within 300 ms
      } finally {
        server.resume();
      }
      assert.equal(stored, false);
      await a.client.call("PING"); // what the paused server had queued ran
      // Store contract (EntryWriter): a write that fails "leaves the store
      // as it was (an older entry of the same variant stays in place)".
      const [now] = await a.variants(entry.key);
      assert.equal(now?.bodyFile, old.bodyFile, "the older entry was replaced");
      const reader = await a.openBody(now!);
      assert.ok(reader, "the entry left in place is torn");
      assert.deepEqual(await readAll(reader), bodyBytes(size, 1));
    } finally {
      await a.close();
    }
  },
);

redisTest(
  "RedisStore stats.entries never goes below 0 when a node purges entries another node stored",
  async () => {
    const a = await redisStore();
    const b = await redisStore({ fresh: false });
    try {
      for (let i = 0; i < 3; i++) {
        await put(a, draft(`http://r.example/counted/${i}`), bodyBytes(100, i));
      }
      assert.equal(await b.purge({ prefix: "http://r.example/counted/" }), 3);
      // StoreStats.entries: "Entries (variants) stored now" (the metrics
      // and `cachelab cache stats` show it).
      assert.ok(b.stats.entries >= 0, `b counts ${b.stats.entries} entries`);
      assert.ok(b.stats.bytes >= 0, `b counts ${b.stats.bytes} bytes`);
    } finally {
      await a.close();
      await b.close();
    }
  },
);

redisTest(
  "RedisStore openBody() reader of a partial entry's chunked piece keeps reading it when another node completes the entry",
  async () => {
    const a = await redisStore();
    const b = await redisStore({ fresh: false });
    try {
      const size = 600_000;
      const whole = bodyBytes(size, 7);
      const key = "http://r.example/piece-read-while-joined";
      const { partial: _none, ...entry } = draft(key);
      const pieceDraft = {
        ...entry,
        partial: { validator: '"v1"', length: size },
      };
      const first = a.beginPartial(pieceDraft, {
        range: { start: 0, end: 299_999 },
      });
      await writeAll(first, whole.subarray(0, 300_000));
      assert.equal(await first.commit(300_000), true);
      const piece = await only(a, entry);
      const reader = await a.openBody(piece, { start: 0, end: 299_999 });
      assert.ok(reader, "the piece opens");
      const head = await reader.read();
      assert.equal(head?.length, CHUNK_BYTES);
      const kept = head!.slice();
      const second = b.beginPartial(pieceDraft, {
        range: { start: 300_000, end: size - 1 },
      });
      await writeAll(second, whole.subarray(300_000));
      assert.equal(await second.commit(300_000), true); // now complete
      // Store contract (openBody): "its reader reads the pieces it opened
      // even when the entry changes meanwhile (joined, completed,
      // replaced)".
      const rest: number[] = [];
      for (let c = await reader.read(); c; c = await reader.read()) {
        rest.push(...c); // readAll() would check the whole length
      }
      assert.deepEqual(
        new Uint8Array(rest),
        whole.subarray(kept.length, 300_000),
      );
    } finally {
      await a.close();
      await b.close();
    }
  },
);

redisTest(
  "RedisStore commit() stores nothing, the older entry staying, when Redis evicted a chunk of the write before the commit",
  async () => {
    const a = await redisStore();
    try {
      const entry = draft("http://r.example/chunk-evicted-before-commit");
      const size = 2 * CHUNK_BYTES;
      const old = await put(a, entry, bodyBytes(size, 1), 64 * 1024);
      const writer = a.begin(entry);
      const follower = writer.follow(size);
      await writeAll(writer, bodyBytes(size, 2));
      await a.client.call("PING"); // every chunk of the write is in Redis
      const keys = await redisServer!.command(
        "KEYS",
        `${placeOf(entry.key).chunks}*`,
      ) as string[];
      const mine = keys.filter((k) => !k.includes(old.bodyFile)).sort();
      assert.equal(mine.length, 2, "the write's two chunks");
      // allkeys-lru: the oldest idle chunk of a long download goes first.
      await redisServer!.command("DEL", mine[0]!);
      const stored = await writer.commit(size);
      await follower.cancel();
      // Store contract (EntryWriter): a write that fails "leaves the store
      // as it was (an older entry of the same variant stays in place)".
      assert.equal(stored, false, "a write with a chunk missing was stored");
      const [now] = await a.variants(entry.key);
      assert.equal(now?.bodyFile, old.bodyFile, "the older entry was replaced");
    } finally {
      await a.close();
    }
  },
);
