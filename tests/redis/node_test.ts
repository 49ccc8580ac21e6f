/**
 * Tests of a node's cluster side on a real redis-server (one per file,
 * FLUSHDB between tests): the fill locks (claim, renewal, release by the
 * owner only, waiting by message and by poll, a paused server) and the
 * invalidation announcements between two nodes, with the resubscription
 * after the subscriber connection dropped. The server's own replies (raw
 * RESP, tests/helpers/redis_server.ts) and what each node heard are the
 * oracles.
 */

import assert from "../helpers/assert.ts";
import { waitUntil } from "../helpers/cache_proxy.ts";
import { fileRedisServer, redisTest } from "../helpers/redis_server.ts";
import { RedisClient } from "../../redis/client.ts";
import { RedisNode } from "../../redis/node.ts";
import { invalidatedOf } from "../../redis/peers.ts";
import { LOCK_MS, lockName, RENEW_MS } from "../../redis/shared_fills.ts";
import type { Invalidated } from "../../proxy/caching/invalidations.ts";

const server = await fileRedisServer();
const ADDRESS = { host: "127.0.0.1", port: server?.port ?? 0, db: 0 };
const KEY = "http://origin.test/page";

/** A node over a command client of its own; both closed by dispose. */
async function node(name: string, heard: Invalidated[] = []) {
  const commands = new RedisClient(ADDRESS, { timeoutMs: 500 });
  assert.equal(await commands.ready(5000), true, "commands not ready");
  let resubscribed = 0;
  const n = new RedisNode(ADDRESS, commands, {
    node: name,
    timeoutMs: 500,
    onHeard: (what) => heard.push(what),
    onResubscribed: () => resubscribed++,
  });
  assert.equal(await n.subscribed(5000), true, "not subscribed");
  return Object.assign(n, {
    commands,
    heard,
    resubscribed: () => resubscribed,
    async [Symbol.asyncDispose]() {
      await n.close();
      await commands.close();
    },
  });
}

async function fresh(): Promise<void> {
  await server!.command("FLUSHDB");
}

redisTest(
  "RedisSharedFills.claim() takes the lock once with its lifetime, and release() lets only its owner's go",
  async () => {
    await fresh();
    await using a = await node("a");
    await using b = await node("b");
    const first = await a.fills.claim(KEY);
    assert.equal(first.kind, "held");
    assert.equal((await b.fills.claim(KEY)).kind, "taken");
    const value = await server!.command("GET", lockName(KEY));
    assert.match(String(value), /^a:\d+$/);
    const ttl = Number(await server!.command("PTTL", lockName(KEY)));
    assert.ok(ttl > 0 && ttl <= LOCK_MS, `PTTL ${ttl}`);
    await server!.command("SET", lockName(KEY), "b:1"); // a's ran out, b took it
    if (first.kind === "held") await first.fill.release();
    assert.equal(
      await server!.command("GET", lockName(KEY)),
      "b:1",
      "not a's to release",
    );
  },
);

redisTest(
  "RedisSharedFills.awaitRelease() wakes on the owner's release, on the lock running out, and gives up after its bound",
  async () => {
    await fresh();
    await using a = await node("a");
    await using b = await node("b");
    const held = await a.fills.claim(KEY);
    assert.equal(held.kind, "held");
    const waiting = b.fills.awaitRelease(KEY, 10_000);
    if (held.kind === "held") await held.fill.release();
    assert.equal(await waiting, true, "released");
    assert.equal(await server!.command("EXISTS", lockName(KEY)), 0);
    await server!.command("SET", lockName(KEY), "dead:1", "PX", 300); // its owner died
    assert.equal(await b.fills.awaitRelease(KEY, 10_000), true, "ran out");
    await server!.command("SET", lockName(KEY), "slow:1", "PX", 60_000);
    assert.equal(await b.fills.awaitRelease(KEY, 300), false, "gave up");
  },
);

redisTest(
  "RedisSharedFills renews a held lock while its fill runs",
  async () => {
    await fresh();
    await using a = await node("a");
    const held = await a.fills.claim(KEY);
    assert.equal(held.kind, "held");
    const start = Date.now();
    await waitUntil(() => Date.now() - start > RENEW_MS + 200, "a renewal due");
    let ttl = 0;
    for (let i = 0; i < 100 && ttl <= LOCK_MS - RENEW_MS + 100; i++) {
      ttl = Number(await server!.command("PTTL", lockName(KEY)));
      if (ttl <= LOCK_MS - RENEW_MS + 100) {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    assert.ok(ttl > LOCK_MS - RENEW_MS + 100, `PTTL ${ttl} was renewed`);
    if (held.kind === "held") await held.fill.release();
  },
);

redisTest(
  "RedisSharedFills.claim() answers unavailable within its bound when the server does not answer",
  async () => {
    await fresh();
    await using a = await node("a");
    server!.pause();
    try {
      assert.equal((await a.fills.claim(KEY)).kind, "unavailable");
    } finally {
      server!.resume();
    }
    await waitUntil(() => a.commands.state === "ready", "back", 5000);
  },
);

redisTest(
  "RedisPeers.announce() reaches the other node, not itself",
  async () => {
    await fresh();
    await using a = await node("a");
    await using b = await node("b");
    a.peers.announce({ keys: [KEY] });
    a.peers.announce({ prefix: "http://origin.test/" });
    a.peers.announce({ all: true });
    await waitUntil(() => b.heard.length === 3, "b hearing three");
    assert.deepEqual(b.heard, [
      { keys: [KEY] },
      { prefix: "http://origin.test/" },
      { all: true },
    ]);
    assert.deepEqual(a.heard, [], "its own are left out");
  },
);

redisTest(
  "RedisNode calls onResubscribed once its subscriber connection came back",
  async () => {
    await fresh();
    await using a = await node("a");
    assert.equal(a.resubscribed(), 0);
    await server!.command("CLIENT", "KILL", "TYPE", "pubsub");
    await waitUntil(() => a.resubscribed() === 1, "resubscribed", 5000);
  },
);

Deno.test("invalidatedOf() reads announcements strictly and leaves out its own", () => {
  const of = (value: unknown) => invalidatedOf(JSON.stringify(value), "me");
  assert.deepEqual(of({ node: "x", keys: ["k"] }), { keys: ["k"] });
  assert.deepEqual(of({ node: "x", keys: ["k"], replaced: true }), {
    keys: ["k"],
    replaced: true,
  });
  assert.deepEqual(of({ node: "x", url: "u" }), { url: "u" });
  assert.deepEqual(of({ node: "x", all: true }), { all: true });
  assert.equal(of({ node: "me", all: true }), undefined);
  assert.equal(of({ node: "x", keys: [1] }), undefined);
  assert.equal(of({ node: "x", all: 1 }), undefined);
  assert.equal(of({ keys: ["k"] }), undefined);
  assert.equal(invalidatedOf("not json", "me"), undefined);
});
