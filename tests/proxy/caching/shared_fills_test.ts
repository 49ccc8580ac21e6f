/**
 * Component tests of request collapsing across nodes, in-process: two
 * proxy handlers ("nodes") sharing one MemoryStore and one
 * FakeSharedFills, each in front of its own scripted upstream. The
 * upstreams' records and the counters are the oracles.
 */

import assert from "../../helpers/assert.ts";
import { waitUntil } from "../../helpers/cache_proxy.ts";
import { deferred } from "../../helpers/deadline.ts";
import { FakeSharedFills } from "../../helpers/shared_fills.ts";
import { MemoryStore } from "../../../cache/memory_store.ts";
import {
  bodyText,
  flowHarness,
  type Script,
} from "../../helpers/scripted_upstream.ts";

const KEY = "http://origin.test/page";
const CACHEABLE: [string, string][] = [["Cache-Control", "max-age=60"]];
const UNCACHEABLE: [string, string][] = [["Cache-Control", "no-store"]];

/** Two nodes over one store and one set of locks; each upstream runs `script`. */
function twoNodes(script: Script, locks = new FakeSharedFills()) {
  const store = new MemoryStore({ sizeBytes: 1 << 24 });
  const a = flowHarness(script, { store, shared: locks });
  const b = flowHarness(script, { store, shared: locks });
  return {
    a,
    b,
    locks,
    upstreamRequests: () =>
      a.upstream.requests.length + b.upstream.requests.length,
    async [Symbol.asyncDispose]() {
      await a[Symbol.asyncDispose]();
      await b[Symbol.asyncDispose]();
    },
  };
}

Deno.test("serveWithCache() makes one upstream exchange for concurrent misses on two nodes sharing the fill locks", async () => {
  const answer = deferred();
  await using nodes = twoNodes(async () => {
    await answer.promise;
    return { status: 200, headers: CACHEABLE, body: "shared body" };
  });
  const { a, b, locks } = nodes;
  const onA = Array.from({ length: 5 }, () => a.send("/page"));
  await waitUntil(() => locks.held.includes(KEY), "node a holding the lock");
  const onB = Array.from({ length: 5 }, () => b.send("/page"));
  await waitUntil(
    () =>
      b.stats.get("cache.collapsed_across_nodes") === 1 &&
      b.stats.get("cache.collapsed") === 4,
    "node b's leader waiting on node a, its 4 others on it",
  );
  answer.resolve();
  const all = await Promise.all([...onA, ...onB]);
  for (const res of all) {
    assert.equal(res.status, 200);
    assert.equal(await bodyText(res), "shared body");
  }
  assert.equal(nodes.upstreamRequests(), 1, "one upstream exchange in all");
  const fromB = all.slice(5).map((res) => res.headers.get("cache-status"));
  for (const status of fromB) assert.match(status ?? "", /; hit/);
  assert.match(fromB[0] ?? "", /collapsed/, "RFC 9211 §2.6");
  assert.deepEqual(locks.held, [], "the lock was released");
});

Deno.test("serveWithCache() goes upstream itself once another node's lock is released without an entry", async () => {
  const answer = deferred();
  await using nodes = twoNodes(async (_request, index) => {
    if (index === 0) await answer.promise;
    return { status: 200, headers: UNCACHEABLE, body: "mine" };
  });
  const { a, b, locks } = nodes;
  const first = a.send("/page");
  await waitUntil(() => locks.held.includes(KEY), "node a holding the lock");
  const second = b.send("/page");
  await waitUntil(
    () => b.stats.get("cache.collapsed_across_nodes") === 1,
    "node b waiting",
  );
  assert.equal(b.upstream.requests.length, 0, "b waits, it does not go");
  answer.resolve();
  assert.equal(await bodyText(await first), "mine");
  const res = await second;
  assert.equal(await bodyText(res), "mine");
  assert.equal(b.upstream.requests.length, 1, "b went upstream itself");
  assert.equal(locks.claims, 2, "a claimed, b once: not again after waiting");
});

Deno.test("serveWithCache() goes upstream once the lock of a node that died runs out", async () => {
  const locks = new FakeSharedFills();
  locks.takeForever(KEY); // a node that died holding it
  await using nodes = twoNodes(
    () => ({ status: 200, headers: CACHEABLE, body: "after" }),
    locks,
  );
  const pending = nodes.b.send("/page");
  await waitUntil(
    () => nodes.b.stats.get("cache.collapsed_across_nodes") === 1,
    "node b waiting",
  );
  locks.expire(KEY); // its PX ran out
  const res = await pending;
  assert.equal(await bodyText(res), "after");
  assert.equal(nodes.upstreamRequests(), 1);
});

Deno.test("serveWithCache() fills alone when the fill locks cannot be reached", async () => {
  const locks = new FakeSharedFills();
  locks.unavailable = true;
  await using nodes = twoNodes(
    () => ({ status: 200, headers: CACHEABLE, body: "alone" }),
    locks,
  );
  const res = await nodes.a.send("/page");
  assert.equal(await bodyText(res), "alone");
  assert.equal(nodes.a.stats.get("cache.shared_lock_unavailable"), 1);
  const hit = await nodes.b.send("/page");
  assert.match(hit.headers.get("cache-status") ?? "", /; hit/);
  assert.equal(nodes.upstreamRequests(), 1);
});
