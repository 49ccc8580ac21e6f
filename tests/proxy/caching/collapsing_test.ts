/**
 * Component tests of request collapsing, in-process: the proxy handler
 * with a MemoryStore in front of a scripted Upstream, no socket. The
 * scripted upstream's record and the proxy's counters are the oracles;
 * the tests read each response body at the pace they choose.
 */

import type { BodyReader } from "../../../http/types.ts";
import assert from "../../helpers/assert.ts";
import { waitUntil } from "../../helpers/cache_proxy.ts";
import { deferred } from "../../helpers/deadline.ts";
import { FillRegistry } from "../../../proxy/caching/collapsing.ts";
import {
  bodyBytes,
  flowHarness,
  ScriptedBody,
} from "../../helpers/scripted_upstream.ts";

const CHUNK = 64 * 1024;
const KEY = "http://origin.test/big";

/** `count` chunks of CHUNK bytes, chunk i filled with i; each waits for `gate(i)` first. */
function chunks(
  count: number,
  gate: (i: number) => Promise<void> = () => Promise.resolve(),
): AsyncIterable<Uint8Array> {
  return (async function* () {
    for (let i = 0; i < count; i++) {
      await gate(i);
      yield new Uint8Array(CHUNK).fill(i % 256);
    }
  })();
}

/** The bytes chunks(count) yields. */
function expected(count: number): Uint8Array {
  const out = new Uint8Array(count * CHUNK);
  for (let i = 0; i < count; i++) out.fill(i % 256, i * CHUNK, (i + 1) * CHUNK);
  return out;
}

const CACHEABLE: [string, string][] = [["Cache-Control", "max-age=60"]];

/** Reads at least `count` bytes (copies), leaving the rest unread. */
async function readAtLeast(
  body: BodyReader,
  count: number,
): Promise<Uint8Array[]> {
  const parts: Uint8Array[] = [];
  for (let got = 0; got < count;) {
    const chunk = await body.read();
    if (chunk === null) throw new Error(`Cannot read ${count} bytes: ${got}`);
    parts.push(chunk.slice());
    got += chunk.length;
  }
  return parts;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

Deno.test("serveWithCache() makes one upstream exchange for 10 concurrent misses, each reader reading the entry as it grows", async () => {
  const head = deferred();
  const last = deferred();
  await using h = flowHarness(async () => {
    await head.promise;
    const gate = (i: number) => i === 47 ? last.promise : Promise.resolve();
    return {
      status: 200,
      headers: CACHEABLE,
      body: new ScriptedBody(chunks(48, gate), 48 * CHUNK), // 3 MiB: over every in-memory limit
    };
  });
  const responses = Array.from({ length: 10 }, () => h.send("/big"));
  await waitUntil(() => h.stats.get("cache.collapsed") === 9, "9 collapsed");
  head.resolve();
  const all = await Promise.all(responses);
  const firsts = await Promise.all(
    all.map((r) => readAtLeast(r.body as BodyReader, 47 * CHUNK)),
  ); // while the upstream holds its last chunk back
  assert.equal(h.stats.get("cache.stored"), 0, "the fill is still open");
  last.resolve();
  const rests = await Promise.all(all.map((r) => bodyBytes(r)));
  assert.equal(h.upstream.requests.length, 1);
  for (const [i, first] of firsts.entries()) {
    assert.deepEqual(
      concat([...first, rests[i]!]),
      expected(48),
      `reader ${i}`,
    );
  }
  const statuses = all.map((r) => r.headers.get("cache-status"));
  assert.equal(
    statuses[0],
    "cachelab; fwd=uri-miss; fwd-status=200; detail=storing",
  );
  for (const status of statuses.slice(1)) {
    assert.match(status!, /^cachelab; hit; ttl=\d+; collapsed$/);
  }
  assert.equal(h.stats.get("cache.stored"), 1);
  assert.equal(h.cache.fills.current(KEY), undefined, "the lock is released");
});

Deno.test("serveWithCache() lets no reader hold back the fill or the others: one that reads nothing yet, leader or follower", async () => {
  for (const slow of [0, 3]) {
    const head = deferred();
    await using h = flowHarness(async () => {
      await head.promise;
      return {
        status: 200,
        headers: CACHEABLE,
        body: new ScriptedBody(chunks(32)), // unknown length
      };
    });
    const responses = Array.from({ length: 5 }, () => h.send("/big"));
    await waitUntil(() => h.stats.get("cache.collapsed") === 4, "4 collapsed");
    head.resolve();
    const all = await Promise.all(responses);
    const others = all.filter((_, i) => i !== slow);
    const bodies = await Promise.all(others.map(bodyBytes));
    for (const body of bodies) assert.deepEqual(body, expected(32));
    await waitUntil(() => h.stats.get("cache.stored") === 1, "the fill stored");
    assert.deepEqual(
      await bodyBytes(all[slow]!),
      expected(32),
      `reader ${slow} reads it all afterwards`,
    );
    assert.equal(h.upstream.requests.length, 1);
  }
});

Deno.test("serveWithCache() cuts off every reader when the upstream body throws mid-fill, releases the lock, and the next request goes upstream again", async () => {
  const head = deferred();
  await using h = flowHarness(async (_request, index) => {
    if (index > 0) return { status: 200, headers: CACHEABLE, body: "again" };
    await head.promise;
    const body = (async function* () {
      yield* chunks(20);
      throw new Error("the upstream body broke");
    })();
    return {
      status: 200,
      headers: CACHEABLE,
      body: new ScriptedBody(body, 40 * CHUNK),
    };
  });
  const responses = Array.from({ length: 4 }, () => h.send("/big"));
  await waitUntil(() => h.stats.get("cache.collapsed") === 3, "3 collapsed");
  head.resolve();
  const results = await Promise.allSettled(
    (await Promise.all(responses)).map(bodyBytes),
  );
  assert.deepEqual(results.map((r) => r.status), Array(4).fill("rejected"));
  await waitUntil(() => h.cache.fills.current(KEY) === undefined, "release");
  assert.equal(h.stats.get("cache.store_aborted"), 1);
  const next = await h.send("/big");
  assert.equal(new TextDecoder().decode(await bodyBytes(next)), "again");
  assert.equal(h.upstream.requests.length, 2);
});

Deno.test("serveWithCache() sends collapsed requests upstream themselves when the fill fails before a response head", async () => {
  const head = deferred();
  await using h = flowHarness(async (_request, index) => {
    if (index > 0) return { status: 200, headers: CACHEABLE, body: "mine" };
    await head.promise;
    return { fail: "connect-failed" };
  });
  const responses = Array.from({ length: 3 }, () => h.send("/big"));
  await waitUntil(() => h.stats.get("cache.collapsed") === 2, "2 collapsed");
  head.resolve();
  const all = await Promise.all(responses);
  assert.deepEqual(all.map((r) => r.status), [502, 200, 200]);
  assert.deepEqual(
    await Promise.all(all.slice(1).map(bodyBytes)).then((bodies) =>
      bodies.map((b) => new TextDecoder().decode(b))
    ),
    ["mine", "mine"],
  );
  assert.equal(h.upstream.requests.length, 3);
});

Deno.test("serveWithCache() stores a body at the upstream's pace when every client went away", async () => {
  const next = deferred();
  await using h = flowHarness(() => ({
    status: 200,
    headers: CACHEABLE,
    body: new ScriptedBody(
      chunks(24, (i) => i === 1 ? next.promise : Promise.resolve()),
    ),
  }));
  const leader = await h.send("/big");
  const body = leader.body as { cancel(): Promise<void> };
  await body.cancel(); // the client left after the head
  next.resolve();
  await waitUntil(() => h.stats.get("cache.stored") === 1, "the fill stored");
  const hit = await h.send("/big");
  assert.match(hit.headers.get("cache-status")!, /^cachelab; hit/);
  assert.deepEqual(await bodyBytes(hit), expected(24));
  assert.equal(h.upstream.requests.length, 1);
});

Deno.test("serveWithCache() hands an unknown-length body that outgrows --max-object-size to its leader whole, stores nothing, and cuts off the collapsed readers", async () => {
  const head = deferred();
  await using h = flowHarness(async () => {
    await head.promise;
    return {
      status: 200,
      headers: CACHEABLE,
      body: new ScriptedBody(chunks(40)), // 2.5 MiB, no length
    };
  }, { maxObjectBytes: 16 * CHUNK });
  const responses = Array.from({ length: 3 }, () => h.send("/big"));
  await waitUntil(() => h.stats.get("cache.collapsed") === 2, "2 collapsed");
  head.resolve();
  const [leader, ...followers] = await Promise.all(responses);
  const followed = Promise.allSettled(followers.map(bodyBytes));
  assert.deepEqual(await bodyBytes(leader!), expected(40));
  assert.deepEqual(
    (await followed).map((r) => r.status),
    ["rejected", "rejected"],
  );
  assert.equal(leader!.logSuffix?.endsWith(" MISS-NOT-STORED"), true);
  assert.equal(h.stats.get("cache.store_too_large"), 1);
  assert.equal((await h.cache.store.variants(KEY)).length, 0);
});

Deno.test("serveWithCache() answers a collapsed Range request from the stored entry once the fill settled (RFC 9110 §14)", async () => {
  const head = deferred();
  await using h = flowHarness(async () => {
    await head.promise;
    return {
      status: 200,
      headers: CACHEABLE,
      body: new ScriptedBody(chunks(8), 8 * CHUNK),
    };
  });
  const leader = h.send("/big");
  const ranged = h.send("/big", { headers: [["Range", "bytes=0-9"]] });
  await waitUntil(() => h.stats.get("cache.collapsed") === 1, "1 collapsed");
  head.resolve();
  const part = await ranged;
  assert.equal(part.status, 206);
  assert.deepEqual(await bodyBytes(part), new Uint8Array(10));
  assert.deepEqual(await bodyBytes(await leader), expected(8));
  assert.equal(h.upstream.requests.length, 1);
});

Deno.test("serveWithCache() does not give a collapsed request the fill of another Vary variant (RFC 9111 §4.1)", async () => {
  const head = deferred();
  await using h = flowHarness(async (request) => {
    await head.promise;
    return {
      status: 200,
      headers: [...CACHEABLE, ["Vary", "Accept-Language"]],
      body: `lang=${request.head.headers.get("accept-language")}`,
    };
  });
  const en = h.send("/big", { headers: [["Accept-Language", "en"]] });
  const fr = h.send("/big", { headers: [["Accept-Language", "fr"]] });
  await waitUntil(() => h.stats.get("cache.collapsed") === 1, "1 collapsed");
  head.resolve();
  const texts = await Promise.all(
    [en, fr].map(async (r) =>
      new TextDecoder().decode(await bodyBytes(await r))
    ),
  );
  assert.deepEqual(texts, ["lang=en", "lang=fr"]);
  assert.equal(h.upstream.requests.length, 2);
});

Deno.test("closeCache() stops a fill in flight: its readers' bodies throw and the close ends", async () => {
  const stalled = deferred();
  const h = flowHarness(() => ({
    status: 200,
    headers: CACHEABLE,
    body: new ScriptedBody(
      chunks(8, (i) => i === 2 ? stalled.promise : Promise.resolve()),
    ),
  }));
  const leader = await h.send("/big");
  const reading = bodyBytes(leader);
  await h[Symbol.asyncDispose](); // closeCache(): the fill is stopped, not waited for
  await assert.rejects(reading);
  assert.equal(h.stats.get("cache.store_aborted"), 1);
  stalled.resolve();
});

Deno.test("serveWithCache() releases the lock when going upstream throws something unexpected, and the collapsed requests go on", async () => {
  const head = deferred();
  await using h = flowHarness(async (_request, index) => {
    if (index > 0) return { status: 200, headers: CACHEABLE, body: "mine" };
    await head.promise;
    throw new TypeError("a bug in the upstream");
  });
  const leader = h.send("/big");
  const followers = [h.send("/big"), h.send("/big")];
  await waitUntil(() => h.stats.get("cache.collapsed") === 2, "2 collapsed");
  head.resolve();
  await assert.rejects(leader, TypeError);
  const texts = await Promise.all(
    followers.map(async (r) =>
      new TextDecoder().decode(await bodyBytes(await r))
    ),
  );
  assert.deepEqual(texts, ["mine", "mine"]);
  assert.equal(h.cache.fills.current(KEY), undefined);
});

Deno.test("FillRegistry.lead() gives one lock per key; disposing it releases the key once, after what holdUntil() names settles, rejected or not", async () => {
  const fills = new FillRegistry();
  const settled = deferred();
  {
    using lock = fills.lead("k")!;
    assert.equal(fills.lead("k"), undefined, "one filler per key");
    assert.equal(fills.current("k"), lock);
    lock.holdUntil(settled.promise);
  }
  assert.ok(fills.current("k"), "held until the fill settles");
  settled.reject(new Error("the fill failed"));
  const lock = fills.current("k")!;
  await lock.released;
  assert.equal(fills.current("k"), undefined);
  assert.deepEqual(await lock.news, { kind: "ended" });
  lock[Symbol.dispose](); // a second release changes nothing
  using again = fills.lead("k");
  assert.ok(again, "the key can be filled again");
});

Deno.test("serveWithCache() logs the collapsed readers a failed fill cut off as HIT-ABORTED, not as a HIT of the bytes they got", async () => {
  const head = deferred();
  await using h = flowHarness(async () => {
    await head.promise;
    const body = (async function* () {
      yield* chunks(4);
      throw new Error("the upstream body broke");
    })();
    return {
      status: 200,
      headers: CACHEABLE,
      body: new ScriptedBody(body, 8 * CHUNK),
    };
  });
  const responses = Array.from({ length: 3 }, () => h.send("/big"));
  await waitUntil(() => h.stats.get("cache.collapsed") === 2, "2 collapsed");
  head.resolve();
  const [leader, ...followers] = await Promise.all(responses);
  for (const follower of followers) {
    assert.equal(follower.logSuffix?.endsWith(" HIT"), true, "before the cut");
  }
  const results = await Promise.allSettled(
    [leader!, ...followers].map(bodyBytes),
  );
  assert.deepEqual(results.map((r) => r.status), Array(3).fill("rejected"));
  assert.equal(leader!.logSuffix?.endsWith(" MISS-NOT-STORED"), true);
  for (const follower of followers) {
    assert.equal(follower.logSuffix, "- HIT-ABORTED");
  }
  assert.equal(h.stats.get("cache.collapsed_cut"), 2);
});
