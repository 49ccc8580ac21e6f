import assert from "../helpers/assert.ts";
import { withDeadline } from "../helpers/deadline.ts";
import {
  type RedisServer,
  redisTest,
  startRedisServer,
} from "../helpers/redis_server.ts";
import { bodyBytes, draft, put } from "../cache/store_helpers.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import type { EntryWriter } from "../../cache/store.ts";
import { placeOf } from "../../redis/layout.ts";
import { RedisStore } from "../../redis/store.ts";

/** What each case starts from: a stored chunked entry and a write under way, made before the outage. */
interface Setup {
  store: RedisStore;
  meta: EntryMeta;
  writer: EntryWriter;
}

/** A method the contract says never rejects, and what it resolves to when Redis is out of reach. */
interface Case {
  method: string;
  call(setup: Setup): Promise<unknown>;
  expected(value: unknown): boolean;
}

const WRITTEN = 300_000;

const CASES: Case[] = [
  {
    method: "commit",
    call: (s) => s.writer.commit(WRITTEN),
    expected: (v) => v === false,
  },
  {
    method: "discard",
    call: (s) => s.writer.discard(WRITTEN),
    expected: (v) => v === undefined,
  },
  {
    method: "abort",
    call: (s) => s.writer.abort(),
    expected: (v) => v === undefined,
  },
  {
    method: "updateMeta",
    call: (s) => s.store.updateMeta(s.meta),
    expected: (v) => v === undefined,
  },
  {
    method: "rekey",
    call: (s) => s.store.rekey(s.meta, s.meta),
    expected: (v) => v === undefined,
  },
  {
    method: "purge",
    call: (s) => s.store.purge({ url: s.meta.key }),
    expected: (v) => v === 0,
  },
  {
    method: "purge",
    call: (s) => s.store.purge({ prefix: "http://o.example/" }),
    expected: (v) => v === 0,
  },
  {
    method: "purge",
    call: (s) => s.store.purge({ all: true }),
    expected: (v) => v === 0,
  },
  {
    method: "remove",
    call: (s) => s.store.remove(s.meta),
    expected: (v) => v === undefined,
  },
  {
    method: "remove",
    call: (s) => s.store.remove(s.meta.key),
    expected: (v) => v === undefined,
  },
  {
    method: "list",
    call: (s) => s.store.list(),
    expected: (v) => Array.isArray(v) && v.length === 0,
  },
  {
    method: "openBody",
    call: (s) => s.store.openBody(s.meta),
    expected: (v) => v === undefined,
  },
  {
    method: "close",
    call: (s) => s.store.close(),
    expected: (v) => v === undefined,
  },
];

/** Runs `c` with Redis paused or stopped after the setup; the server is back when it returns. */
async function runCase(
  server: RedisServer,
  c: Case,
  outage: "paused" | "stopped",
): Promise<RedisServer> {
  await server.command("FLUSHDB");
  const store = RedisStore.open(server.url, { timeoutMs: 300 }); // no memory tier: bodies come from Redis
  let back = server;
  try {
    assert.equal(await store.client.ready(5000), true, "Redis not ready");
    const entry = draft("http://o.example/entry");
    const meta = await put(store, entry, bodyBytes(WRITTEN, 1), 64 * 1024);
    const writer = store.begin(entry);
    await writer.write(bodyBytes(WRITTEN, 2));
    if (outage === "paused") server.pause();
    else await server.stop();
    let value: unknown;
    try {
      value = await withDeadline(
        c.call({ store, meta, writer }),
        10_000,
        `${c.method}() with Redis ${outage}`,
      );
    } catch (error) {
      throw new Error(`${c.method}() rejected with Redis ${outage}`, {
        cause: error,
      });
    } finally {
      if (outage === "paused") server.resume();
      else back = await startRedisServer({ port: server.port });
    }
    assert.ok(
      c.expected(value),
      `${c.method}() with Redis ${outage} resolved to ${JSON.stringify(value)}`,
    );
  } finally {
    await store.close();
  }
  return back;
}

redisTest(
  "RedisStore methods that never reject resolve within their bound when Redis is paused or stopped",
  async () => {
    let server = await startRedisServer();
    try {
      for (const outage of ["paused", "stopped"] as const) {
        for (const c of CASES) server = await runCase(server, c, outage);
      }
    } finally {
      await server.stop();
    }
  },
);

redisTest(
  "RedisStore variants() is none stored, not a rejection, when the key's hash holds a value of another type (WRONGTYPE)",
  async () => {
    await using server = await startRedisServer();
    const store = RedisStore.open(server.url, { timeoutMs: 2000 });
    try {
      assert.equal(await store.client.ready(5000), true);
      const key = "http://r.example/wrong-type";
      await server.command("SET", placeOf(key).hash, "not a hash");
      assert.deepEqual(await store.variants(key), []);
    } finally {
      await store.close();
    }
  },
);
