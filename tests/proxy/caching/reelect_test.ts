/**
 * Component tests of collapsing when the request leading a herd stores
 * nothing (cache/collapse.ts followChoice): the requests waiting for it
 * elect a new leader among themselves when what kept it from storing was
 * its own (its Range, a 304 that removed the entry, a failure), and each
 * go upstream at once when the response may not be stored at all. A
 * client's own If-None-Match on a miss is not forwarded: the cache
 * fetches the whole response, stores it, and answers the conditional
 * itself (RFC 9111 §4.3.2). In-process: the proxy handler, a MemoryStore
 * and a scripted Upstream whose record and the counters are the oracles.
 */

import assert from "../../helpers/assert.ts";
import { waitUntil } from "../../helpers/cache_proxy.ts";
import { CHUNK, chunks, expected } from "../../helpers/chunks.ts";
import { deferred } from "../../helpers/deadline.ts";
import {
  bodyBytes,
  bodyText,
  flowHarness,
  ScriptedBody,
} from "../../helpers/scripted_upstream.ts";

const KEY = "http://origin.test/big";
const CACHEABLE: [string, string][] = [["Cache-Control", "max-age=60"]];
const V1: [string, string] = ["ETag", '"v1"'];

Deno.test("serveWithCache() collapses the misses queued behind a request that led with its own If-None-Match into one more upstream exchange, not one each", async () => {
  const head = deferred();
  await using h = flowHarness(async (request) => {
    await head.promise;
    if (request.head.headers.get("if-none-match") === '"v1"') {
      return { status: 304, headers: [...CACHEABLE, ["ETag", '"v1"']] };
    }
    return {
      status: 200,
      headers: [...CACHEABLE, ["ETag", '"v1"']],
      body: "the whole representation",
    };
  });
  const conditional = h.send("/big", { headers: [["If-None-Match", '"v1"']] }); // a browser with its own copy
  const plain = Array.from({ length: 4 }, () => h.send("/big"));
  await waitUntil(() => h.stats.get("cache.collapsed") === 4, "4 collapsed");
  head.resolve();
  assert.equal((await conditional).status, 304);
  const texts = await Promise.all(
    plain.map(async (r) => new TextDecoder().decode(await bodyBytes(await r))),
  );
  assert.deepEqual(texts, Array(4).fill("the whole representation"));
  assert.ok(
    h.upstream.requests.length <= 2,
    `${h.upstream.requests.length} upstream exchanges for one cacheable object`,
  );
});

Deno.test("serveWithCache() fetches a miss without the client's own If-None-Match, stores it and answers 304 when it matches, 200 when not (RFC 9111 §4.3.2)", async () => {
  await using h = flowHarness(() => ({
    status: 200,
    headers: [...CACHEABLE, V1],
    body: "v1 body",
  }));
  const matching = await h.send("/big", {
    headers: [["If-None-Match", '"v1"']],
  });
  assert.equal(matching.status, 304);
  assert.equal(matching.headers.get("etag"), '"v1"');
  assert.match(
    matching.headers.get("cache-status")!,
    /^cachelab; fwd=uri-miss; fwd-status=200; stored$/,
  );
  assert.equal(
    h.upstream.requests[0]!.head.headers.get("if-none-match"),
    undefined,
  );
  assert.equal((await h.cache.store.variants(KEY)).length, 1, "stored");
  const other = await h.send("/other", {
    headers: [["If-Modified-Since", new Date(0).toUTCString()]],
  });
  assert.equal(other.status, 200, "modified since 1970");
  assert.equal(await bodyText(other), "v1 body");
  assert.equal(
    h.upstream.requests[1]!.head.headers.get("if-modified-since"),
    undefined,
  );
  const hit = await h.send("/big");
  assert.equal(await bodyText(hit), "v1 body");
  assert.equal(h.upstream.requests.length, 2);
});

Deno.test("serveWithCache() answers a collapsed request's own matching If-None-Match with 304 while the body is still being stored (RFC 9111 §4.3.2)", async () => {
  const rest = deferred();
  const first = { yielded: 0 };
  await using h = flowHarness(() => ({
    status: 200,
    headers: [...CACHEABLE, V1],
    body: new ScriptedBody(
      chunks(4, {
        seen: first,
        gate: (i) => i === 2 ? rest.promise : Promise.resolve(),
      }),
      4 * CHUNK,
    ),
  }));
  const leader = bodyBytes(await h.send("/big"));
  await waitUntil(() => first.yielded === 2, "half the body arrived");
  const conditional = await h.send("/big", {
    headers: [["If-None-Match", '"v1"']],
  });
  assert.equal(conditional.status, 304);
  assert.match(conditional.headers.get("cache-status")!, /collapsed/);
  rest.resolve();
  assert.deepEqual(await leader, expected(4));
  assert.equal(h.upstream.requests.length, 1);
});

Deno.test("serveWithCache() has the misses queued behind a Range request's 206 elect one of them to fetch the whole object (RFC 9110 §14)", async () => {
  const head = deferred();
  await using h = flowHarness(async (request) => {
    await head.promise;
    if (request.head.headers.has("range")) {
      return {
        status: 206,
        headers: [...CACHEABLE, ["Content-Range", "bytes 0-9/640"]],
        body: "0123456789",
      };
    }
    return {
      status: 200,
      headers: CACHEABLE,
      body: new ScriptedBody(chunks(10), 10 * CHUNK),
    };
  });
  const ranged = h.send("/big", { headers: [["Range", "bytes=0-9"]] });
  const plain = Array.from({ length: 4 }, () => h.send("/big"));
  await waitUntil(() => h.stats.get("cache.collapsed") === 4, "4 collapsed");
  head.resolve();
  assert.equal((await ranged).status, 206);
  const bodies = await Promise.all(plain.map(async (r) => bodyBytes(await r)));
  for (const body of bodies) assert.deepEqual(body, expected(10));
  assert.equal(h.upstream.requests.length, 2, "the 206, then one for all");
});

Deno.test("serveWithCache() has the requests queued behind a revalidation whose 304 removed the entry elect one of them to fetch it again (RFC 9111 §3, §4.3.4)", async () => {
  const notModified = deferred();
  await using h = flowHarness(async (_request, i) => {
    if (i === 0) {
      return {
        status: 200,
        headers: [["Cache-Control", "max-age=10"], ["Age", "20"], V1],
        body: "v1",
      }; // stale at once
    }
    if (i === 1) {
      await notModified.promise;
      return { status: 304, headers: [V1, ["Set-Cookie", "session=abc"]] };
    }
    return {
      status: 200,
      headers: [...CACHEABLE, ["ETag", '"v2"']],
      body: "v2",
    };
  });
  await bodyText(await h.send("/big"));
  const herd = Array.from({ length: 5 }, () => h.send("/big"));
  await waitUntil(() => h.stats.get("cache.collapsed") === 4, "4 collapsed");
  notModified.resolve();
  const texts = await Promise.all(herd.map(async (r) => bodyText(await r)));
  assert.deepEqual(texts, ["v1", "v2", "v2", "v2", "v2"]);
  assert.equal(h.upstream.requests.length, 3, "stored, the 304, one refetch");
  assert.equal(h.stats.get("cache.update_removed"), 1);
});

Deno.test("serveWithCache() sends the requests queued behind a response that may not be stored upstream at once, each on its own (RFC 9111 §5.2.2.7)", async () => {
  const first = deferred();
  const others = deferred();
  await using h = flowHarness(async (_request, i) => {
    await (i === 0 ? first.promise : others.promise);
    return {
      status: 200,
      headers: [["Cache-Control", "private, max-age=60"]],
      body: `mine ${i}`,
    };
  });
  const herd = Array.from({ length: 5 }, () => h.send("/big"));
  await waitUntil(() => h.stats.get("cache.collapsed") === 4, "4 collapsed");
  first.resolve();
  await waitUntil(
    () => h.upstream.requests.length === 5,
    "the four waiting went upstream together, none waiting for another",
  );
  others.resolve();
  const texts = (await Promise.all(herd.map(async (r) => bodyText(await r))))
    .sort();
  assert.deepEqual(texts, ["mine 0", "mine 1", "mine 2", "mine 3", "mine 4"]);
});

Deno.test("serveWithCache() ends every request of a herd whose every leader stores nothing, within its bounded rounds", async () => {
  await using h = flowHarness((request) => {
    const range = request.head.headers.get("range") ?? "";
    return {
      status: 206,
      headers: [...CACHEABLE, ["Content-Range", `${range} of 640`]],
      body: range,
    }; // each a 206 to its own Range: nothing is ever stored
  });
  const herd = Array.from(
    { length: 6 },
    (_, i) => h.send("/big", { headers: [["Range", `bytes=${i}-${i}`]] }),
  );
  const texts = await Promise.all(herd.map(async (r) => bodyText(await r)));
  assert.deepEqual(texts, herd.map((_, i) => `bytes=${i}-${i}`));
  assert.equal(h.upstream.requests.length, 6, "one each, in the end");
  assert.equal(h.cache.fills.current(KEY), undefined);
});
