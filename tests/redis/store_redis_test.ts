import assert from "../helpers/assert.ts";
import { redisTest } from "../helpers/redis_server.ts";
import {
  bodyBytes,
  bodyOf,
  draft,
  only,
  put,
  writeAll,
} from "../cache/store_helpers.ts";
import { StoreUnavailableError } from "../../cache/store.ts";
import { chunkKey, placeOf } from "../../redis/layout.ts";
import { redisServer, redisStore } from "./store_fixture.ts";

/** Polls `check` every 10 ms, at most 200 times (a bound, not an oracle). */
async function eventually(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Cannot see ${what}`);
}

/** Calls per command since the last CONFIG RESETSTAT (INFO commandstats). */
async function commandCalls(): Promise<Map<string, number>> {
  const info = await redisServer!.command("INFO", "commandstats") as string;
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) {
    calls.set(m[1]!, Number(m[2]));
  }
  return calls;
}

redisTest(
  "RedisStore openBody() reader throws when a body chunk is deleted mid-stream, and the entry is removed",
  async () => {
    const store = await redisStore();
    try {
      const meta = await put(
        store,
        draft("http://r.example/big"),
        bodyBytes(600_000),
      );
      const reader = await store.openBody(meta);
      assert.ok(reader);
      const first = await reader.read();
      assert.equal(first?.length, 256 * 1024);
      await redisServer!.command(
        "DEL",
        chunkKey(placeOf(meta.key), meta.bodyFile, 1),
      );
      await assert.rejects(
        () => reader.read(),
        Error,
        "Cannot read cached body",
      );
      await eventually(
        async () => (await store.variants(meta.key)).length === 0,
        "the entry removed",
      );
      assert.equal(store.stats.corruptRemoved, 1);
    } finally {
      await store.close();
    }
  },
);

redisTest(
  "RedisStore openBody() is undefined and the entry removed when its metadata names a missing chunk",
  async () => {
    const store = await redisStore();
    try {
      const meta = await put(
        store,
        draft("http://r.example/torn"),
        bodyBytes(300_000),
      );
      await redisServer!.command(
        "DEL",
        chunkKey(placeOf(meta.key), meta.bodyFile, 0),
      );
      assert.equal(await store.openBody(meta), undefined);
      await eventually(
        async () => (await store.variants(meta.key)).length === 0,
        "the entry removed",
      );
      assert.equal(store.stats.corruptRemoved, 1);
    } finally {
      await store.close();
    }
  },
);

redisTest(
  "RedisStore variants() misses an inline entry once its hash expired",
  async () => {
    const store = await redisStore();
    try {
      const meta = await put(
        store,
        draft("http://r.example/small"),
        bodyBytes(500),
      );
      assert.equal((await store.variants(meta.key)).length, 1);
      await redisServer!.command("PEXPIRE", placeOf(meta.key).hash, 1);
      await eventually(
        async () =>
          (await redisServer!.command("EXISTS", placeOf(meta.key).hash)) === 0,
        "the hash expired",
      );
      assert.deepEqual(await store.variants(meta.key), []);
    } finally {
      await store.close();
    }
  },
);

redisTest(
  "RedisStore variants() leaves out, and removes, an entry whose inline body is missing",
  async () => {
    const store = await redisStore();
    try {
      const meta = await put(
        store,
        draft("http://r.example/half"),
        bodyBytes(500),
      );
      await redisServer!.command(
        "HDEL",
        placeOf(meta.key).hash,
        `b:${meta.bodyFile}`,
      );
      assert.deepEqual(await store.variants(meta.key), []);
      await eventually(
        () => Promise.resolve(store.stats.corruptRemoved === 1),
        "the entry removed",
      );
    } finally {
      await store.close();
    }
  },
);

redisTest(
  "RedisStore commit() makes the hash and the chunks expire at keep-until, and never without one",
  async () => {
    const store = await redisStore();
    try {
      const keepUntil = Date.now() + 60_000;
      const kept = await put(store, {
        ...draft("http://r.example/ttl"),
        keepUntil,
      }, bodyBytes(300_000));
      const place = placeOf(kept.key);
      for (
        const key of [
          place.hash,
          chunkKey(place, kept.bodyFile, 0),
          chunkKey(place, kept.bodyFile, 1),
        ]
      ) {
        const ttl = await redisServer!.command("PTTL", key) as number;
        assert.ok(ttl > 0 && ttl <= 60_000, `${key} expires in ${ttl} ms`);
      }
      const forever = await put(
        store,
        draft("http://r.example/no-ttl"),
        bodyBytes(10),
      );
      assert.equal(
        await redisServer!.command("PTTL", placeOf(forever.key).hash),
        -1,
      );
    } finally {
      await store.close();
    }
  },
);

redisTest(
  "RedisStore describe() reports what Redis says of its memory and keys",
  async () => {
    const store = await redisStore();
    try {
      await put(store, draft("http://r.example/d"), bodyBytes(10));
      const described = await store.describe();
      assert.equal(typeof described.used_memory, "number");
      assert.equal(typeof described.maxmemory, "number");
      assert.equal(typeof described.maxmemory_policy, "string");
      assert.equal(typeof described.evicted_keys, "number");
      assert.equal(typeof described.expired_keys, "number");
      assert.equal(described.keys, 1);
    } finally {
      await store.close();
    }
  },
);

redisTest(
  "RedisStore variants() rejects with StoreUnavailableError within the bound when Redis is paused",
  async () => {
    const store = await redisStore({ timeoutMs: 300 });
    redisServer!.pause();
    try {
      await assert.rejects(
        () => store.variants("http://r.example/p"),
        StoreUnavailableError,
      );
      assert.equal(store.client.failures, 1);
    } finally {
      redisServer!.resume();
      await store.close();
    }
  },
);

redisTest(
  "RedisStore list() and purge() go through SCAN, never KEYS",
  async () => {
    const store = await redisStore();
    try {
      for (let i = 0; i < 5; i++) {
        await put(
          store,
          draft(`http://r.example/${i}`),
          bodyBytes(10),
        );
      }
      await redisServer!.command("CONFIG", "RESETSTAT");
      assert.equal((await store.list()).length, 5);
      assert.equal(await store.purge({ prefix: "http://r.example/" }), 5);
      const calls = await commandCalls();
      assert.ok((calls.get("scan") ?? 0) >= 2, "SCAN used");
      assert.equal(calls.get("keys"), undefined);
    } finally {
      await store.close();
    }
  },
);

redisTest(
  "RedisStore variants() of a small entry is one HGETALL, and its body then comes from memory",
  async () => {
    const writer = await redisStore();
    const reader = await redisStore({ fresh: false }); // another node: nothing in its memory tier
    try {
      const stored = await put(
        writer,
        draft("http://r.example/hit"),
        bodyBytes(2000),
      );
      await redisServer!.command("CONFIG", "RESETSTAT");
      const [meta] = await reader.variants(stored.key);
      assert.deepEqual(reader.memoryBody(meta!), bodyBytes(2000));
      const calls = await commandCalls();
      calls.delete("info"); // this check's own INFO
      calls.delete("config|resetstat");
      assert.deepEqual([...calls], [["hgetall", 1]]);
    } finally {
      await writer.close();
      await reader.close();
    }
  },
);

redisTest(
  "RedisStore commit() stores nothing when another node purged the key after the write began",
  async () => {
    const a = await redisStore();
    const b = await redisStore({ fresh: false });
    try {
      const entry = draft("http://r.example/purged");
      await put(a, entry, bodyBytes(10, 1));
      const writer = a.begin(entry);
      await writer.write(bodyBytes(20, 2));
      assert.equal(await b.purge({ url: entry.key }), 1);
      assert.equal(await writer.commit(20), false);
      assert.deepEqual(await a.variants(entry.key), []);
    } finally {
      await a.close();
      await b.close();
    }
  },
);

redisTest(
  "RedisStore beginPartial() joins chunked pieces into a whole entry and reads it back",
  async () => {
    const store = await redisStore();
    try {
      const whole = bodyBytes(700_000, 5);
      const key = "http://r.example/pieces";
      const { partial: _none, ...entry } = draft(key);
      const pieceDraft = {
        ...entry,
        partial: { validator: '"v1"', length: whole.length },
      };
      for (const [start, end] of [[0, 399_999], [300_000, 699_999]]) {
        const writer = store.beginPartial(pieceDraft, {
          range: { start: start!, end: end! },
        });
        await writeAll(writer, whole.subarray(start!, end! + 1));
        assert.equal(await writer.commit(end! - start! + 1), true);
      }
      const meta = await only(store, entry);
      assert.equal(meta.partial, undefined, "stored whole");
      assert.equal(meta.bodySize, whole.length);
      assert.deepEqual(await bodyOf(store, meta), whole);
      const keys = await redisServer!.command("KEYS", "cachelab:*") as string[];
      const lasting: string[] = [];
      for (const k of keys) {
        const ttl = await redisServer!.command("PTTL", k) as number;
        // the pieces' chunks stay at most a minute, for readers open on them
        if (ttl < 0 || ttl > 60_000) lasting.push(k);
      }
      assert.equal(
        lasting.length,
        1 + 3,
        "the hash and the whole body's chunks only, past a minute",
      );
    } finally {
      await store.close();
    }
  },
);

redisTest(
  "RedisStore dropLocal() forgets the memory tier's bodies of the keys it names, or of all keys",
  async () => {
    const store = await redisStore();
    try {
      const one = await put(
        store,
        draft("http://r.example/one"),
        bodyBytes(900),
      );
      const two = await put(
        store,
        draft("http://r.example/two"),
        bodyBytes(800),
      );
      const [metaOne] = await store.variants(one.key);
      const [metaTwo] = await store.variants(two.key);
      assert.deepEqual(store.memoryBody(metaOne!), bodyBytes(900));
      assert.deepEqual(store.memoryBody(metaTwo!), bodyBytes(800));
      store.dropLocal((key) => key === one.key);
      assert.equal(store.memoryBody(metaOne!), undefined);
      assert.deepEqual(store.memoryBody(metaTwo!), bodyBytes(800));
      store.dropLocal();
      assert.equal(store.memoryBody(metaTwo!), undefined);
      assert.equal((await store.variants(two.key)).length, 1); // Redis keeps it
    } finally {
      await store.close();
    }
  },
);

redisTest(
  "RedisStore commit() leaves the replaced version's chunks for at most a minute when another version replaces it",
  async () => {
    const store = await redisStore();
    try {
      const entry = draft("http://r.example/replaced-chunks");
      const old = await put(store, entry, bodyBytes(600_000, 1), 64 * 1024);
      await put(store, entry, bodyBytes(600_000, 2), 64 * 1024);
      const place = placeOf(entry.key);
      for (let i = 0; i < 3; i++) {
        const ttl = await redisServer!.command(
          "PTTL",
          chunkKey(place, old.bodyFile, i),
        ) as number;
        assert.ok(ttl > 0 && ttl <= 60_000, `chunk ${i} expires in ${ttl} ms`);
      }
    } finally {
      await store.close();
    }
  },
);
