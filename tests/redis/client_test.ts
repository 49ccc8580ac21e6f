import assert from "../helpers/assert.ts";
import {
  fileRedisServer,
  redisTest,
  startRedisServer,
} from "../helpers/redis_server.ts";
import {
  RedisClient,
  RedisReplyError,
  type RedisState,
} from "../../redis/client.ts";
import { withDeadline } from "../helpers/deadline.ts";
import { parseRedisAddress } from "../../redis/address.ts";
import { StoreUnavailableError } from "../../cache/store.ts";

const server = await fileRedisServer();

/** Resolves once `c` is in `state` (at most 5 s: a bound, not an oracle). */
function stateReached(c: RedisClient, state: RedisState): Promise<void> {
  if (c.state === state) return Promise.resolve();
  const reached = Promise.withResolvers<void>();
  const stop = c.onState((s) => s === state && reached.resolve());
  return withDeadline(reached.promise, 5000, `state ${state}`).finally(stop);
}

async function client(timeoutMs = 500): Promise<RedisClient> {
  const c = new RedisClient(parseRedisAddress(server!.url), { timeoutMs });
  assert.equal(await c.ready(5000), true, "client not ready");
  return c;
}

redisTest(
  "RedisClient.callBytes() returns the bytes stored when they are not UTF-8",
  async () => {
    const c = await client();
    try {
      const bytes = new Uint8Array([0, 255, 128, 10, 13]);
      await c.call("SET", "bin", bytes);
      const back = await c.callBytes("GET", "bin") as Uint8Array;
      assert.deepEqual(new Uint8Array(back), bytes);
    } finally {
      await c.close();
    }
  },
);

redisTest(
  "RedisClient.call() rejects with a RedisReplyError when the server refuses the command",
  async () => {
    const c = await client();
    try {
      await c.call("SET", "str", "x");
      await assert.rejects(() => c.call("HGET", "str", "f"), RedisReplyError);
    } finally {
      await c.close();
    }
  },
);

redisTest(
  "RedisClient.script() runs by EVAL when the server lacks the script, then by EVALSHA",
  async () => {
    const c = await client();
    try {
      await c.call("SCRIPT", "FLUSH");
      const script = c.script("return ARGV[1] .. KEYS[1]");
      assert.equal(await script.run(["k"], ["a"]), "ak");
      assert.equal(await script.run(["j"], ["b"]), "bj");
    } finally {
      await c.close();
    }
  },
);

redisTest("RedisClient.scan() yields every matching key", async () => {
  const c = await client();
  try {
    await c.call("FLUSHDB");
    for (let i = 0; i < 30; i++) await c.call("SET", `scan:${i}`, i);
    await c.call("SET", "other", 1);
    const keys: string[] = [];
    for await (const batch of c.scan("scan:*", 7)) keys.push(...batch);
    assert.equal(new Set(keys).size, 30);
  } finally {
    await c.close();
  }
});

redisTest(
  "RedisClient.call() rejects with StoreUnavailableError within the bound when the server is paused",
  async () => {
    const c = await client(300);
    server!.pause();
    try {
      const started = performance.now();
      await assert.rejects(() => c.call("GET", "x"), StoreUnavailableError);
      // a guard against a hang, not a timing oracle
      assert.ok(performance.now() - started < 5000);
      assert.equal(c.failures, 1);
    } finally {
      server!.resume();
      await c.close();
    }
  },
);

redisTest(
  "RedisClient.call() rejects at once with StoreUnavailableError when nothing listens",
  async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const c = new RedisClient({ host: "127.0.0.1", port, db: 0 }, {
      timeoutMs: 300,
    });
    try {
      await assert.rejects(() => c.call("GET", "x"), StoreUnavailableError);
      await stateReached(c, "down");
      await assert.rejects(() => c.call("GET", "x"), StoreUnavailableError);
      assert.equal(c.failures, 2);
    } finally {
      await c.close();
    }
    assert.equal(c.state, "closed");
  },
);

redisTest(
  "RedisClient.subscribe() delivers messages published by another client",
  async () => {
    const sub = await client();
    const pub = await client();
    try {
      const got = Promise.withResolvers<string>();
      await sub.subscribe("chan", (m) => got.resolve(m));
      await pub.call("PUBLISH", "chan", "hello");
      assert.equal(await got.promise, "hello");
    } finally {
      await sub.close();
      await pub.close();
    }
  },
);

Deno.test("parseRedisAddress() reads host, port and database and refuses the rest", () => {
  assert.deepEqual(parseRedisAddress("redis://h:7000/3"), {
    host: "h",
    port: 7000,
    db: 3,
  });
  assert.deepEqual(parseRedisAddress("redis://[::1]"), {
    host: "::1",
    port: 6379,
    db: 0,
  });
  for (
    const bad of [
      "http://h:1",
      "redis://u:p@h:1",
      "redis://h:1/x",
      "redis://h:1/?a",
      "nope",
    ]
  ) {
    assert.throws(
      () => parseRedisAddress(bad),
      TypeError,
      "Cannot use Redis address",
    );
  }
});

redisTest(
  "RedisClient reconnects and subscribes again when the server comes back",
  async () => {
    let own = await startRedisServer();
    const address = parseRedisAddress(own.url);
    const sub = new RedisClient(address, { timeoutMs: 500, maxBackoffMs: 100 });
    const states: string[] = [];
    try {
      assert.equal(await sub.ready(5000), true);
      sub.onState((s) => states.push(s));
      let subscribed = 0;
      const messages: string[] = [];
      await sub.subscribe("c", (m) => messages.push(m), () => subscribed++);
      await own.stop();
      await stateReached(sub, "down");
      own = await startRedisServer({ port: own.port });
      assert.equal(await sub.ready(5000), true, "not back");
      for (let i = 0; i < 100 && subscribed < 2; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(subscribed, 2);
      await own.command("PUBLISH", "c", "again");
      for (let i = 0; i < 100 && messages.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual(messages, ["again"]);
      assert.deepEqual(states, ["down", "ready"]);
    } finally {
      await sub.close();
      await own.stop();
    }
  },
);
