/**
 * Component tests of forgetting a key, stored or being stored
 * (proxy/caching/forget.ts): an unsafe request's success reaches the
 * responses on their way to the store for its URI (RFC 9111 §4.4), whose
 * readers still get their whole body; and no response is written over
 * one that arrived later (RFC 9111 §4). In-process: the proxy handler, a
 * MemoryStore and a scripted Upstream whose record, the store and the
 * counters are the oracles.
 */

import { MemoryStore } from "../../../cache/memory_store.ts";
import { StoreUnavailableError } from "../../../cache/store.ts";
import { forgetKey } from "../../../proxy/caching/forget.ts";
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

Deno.test("serveWithCache() does not store a response whose fill was in flight when an unsafe request to its URI succeeded (RFC 9111 §4.4)", async () => {
  const rest = deferred();
  const first = { yielded: 0 };
  await using h = flowHarness((request, index) => {
    if (request.head.method === "DELETE") return { status: 204 };
    if (index > 0) return { status: 200, headers: CACHEABLE, body: "after" };
    return {
      status: 200,
      headers: CACHEABLE,
      body: new ScriptedBody(
        chunks(4, {
          seen: first,
          gate: (i) => i === 2 ? rest.promise : Promise.resolve(),
        }),
        4 * CHUNK,
      ),
    };
  });
  const before = await h.send("/big"); // the fill starts: its body is half there
  const reading = bodyBytes(before);
  await waitUntil(() => first.yielded === 2, "half the body arrived");
  const deleted = await h.send("/big", { method: "DELETE" });
  assert.equal(deleted.status, 204);
  rest.resolve();
  assert.deepEqual(await reading, expected(4)); // the client that asked before gets it whole
  await waitUntil(() => h.cache.fills.current(KEY) === undefined, "release");
  const next = await h.send("/big");
  const text = new TextDecoder().decode(await bodyBytes(next));
  assert.equal(
    h.upstream.requests.length,
    3,
    `the response from before the DELETE was served: ${
      next.headers.get("cache-status")
    }`,
  );
  assert.equal(text, "after");
});

Deno.test("serveWithCache() does not give requests that come after an invalidation the fill from before it: they collapse onto a new one (RFC 9111 §4.4)", async () => {
  const rest = deferred();
  const head = deferred();
  const first = { yielded: 0 };
  await using h = flowHarness(async (request, index) => {
    if (request.head.method === "POST") return { status: 204 };
    if (index > 0) {
      await head.promise;
      return { status: 200, headers: CACHEABLE, body: "after" };
    }
    return {
      status: 200,
      headers: CACHEABLE,
      body: new ScriptedBody(
        chunks(4, {
          seen: first,
          gate: (i) => i === 2 ? rest.promise : Promise.resolve(),
        }),
        4 * CHUNK,
      ),
    };
  });
  const before = bodyBytes(await h.send("/big"));
  await waitUntil(() => first.yielded === 2, "half the body arrived");
  await h.send("/big", { method: "POST" });
  assert.equal(h.stats.get("cache.invalidated_in_flight"), 1);
  const after = Array.from({ length: 3 }, () => h.send("/big"));
  await waitUntil(() => h.stats.get("cache.collapsed") === 2, "2 collapsed");
  head.resolve();
  const texts = await Promise.all(after.map(async (r) => bodyText(await r)));
  assert.deepEqual(texts, ["after", "after", "after"]);
  assert.equal(h.upstream.requests.length, 3, "the GET, the POST, one GET");
  rest.resolve();
  assert.deepEqual(await before, expected(4));
  await waitUntil(() => h.stats.get("cache.store_forgotten") === 1, "settled");
  const hit = await h.send("/big");
  assert.equal(await bodyText(hit), "after");
  assert.match(hit.headers.get("cache-status")!, /^cachelab; hit/);
});

Deno.test("serveWithCache() does not store a response whose request was waiting for its head when an unsafe request to its URI succeeded (RFC 9111 §4.4)", async () => {
  const head = deferred();
  await using h = flowHarness(async (request) => {
    if (request.head.method === "PUT") return { status: 201 };
    await head.promise;
    return { status: 200, headers: CACHEABLE, body: "before" };
  });
  const before = h.send("/big");
  await waitUntil(() => h.upstream.requests.length === 1, "the GET went");
  await h.send("/big", { method: "PUT" });
  head.resolve();
  const res = await before;
  assert.equal(await bodyText(res), "before", "its client gets it whole");
  assert.match(res.headers.get("cache-status")!, /not-stored-forgotten/);
  assert.equal((await h.cache.store.variants(KEY)).length, 0);
});

Deno.test("serveWithCache() does not write a fill over a response for the same variant that arrived after it (RFC 9111 §4)", async () => {
  const rest = deferred();
  const first = { yielded: 0 };
  await using h = flowHarness((request) => {
    if (request.head.method === "POST") {
      return {
        status: 200,
        headers: [...CACHEABLE, ["Content-Location", "/big"]],
        body: new ScriptedBody(
          chunks(4, {
            seen: first,
            gate: (i) => i === 2 ? rest.promise : Promise.resolve(),
          }),
          4 * CHUNK,
        ),
      }; // RFC 9110 §9.3.3: stored for GETs of /big, slowly
    }
    return { status: 200, headers: CACHEABLE, body: "newer" };
  });
  const posted = bodyBytes(await h.send("/big", { method: "POST" }));
  await waitUntil(() => first.yielded === 2, "half the POST's body arrived");
  const postedAt = Date.now();
  await waitUntil(() => Date.now() > postedAt, "the clock moved on"); // the GET's response is the later one
  assert.equal(await bodyText(await h.send("/big")), "newer"); // a GET meanwhile: stored
  await waitUntil(() => h.stats.get("cache.stored") === 1, "the GET stored");
  rest.resolve();
  assert.deepEqual(await posted, expected(4));
  await waitUntil(() => h.stats.get("cache.store_superseded") === 1, "vetoed");
  assert.equal(await bodyText(await h.send("/big")), "newer");
  assert.equal(h.upstream.requests.length, 2);
});

Deno.test("forgetKey() removes the stored variants, voids the tickets of responses on their way and takes the key's fill out of the registry", async () => {
  await using h = flowHarness(() => ({
    status: 200,
    headers: CACHEABLE,
    body: "stored",
  }));
  await bodyText(await h.send("/big"));
  assert.equal((await h.cache.store.variants(KEY)).length, 1);
  using ticket = h.cache.tickets.take(KEY);
  using other = h.cache.tickets.take("http://origin.test/other");
  using lock = h.cache.fills.lead(KEY);
  assert.deepEqual(await forgetKey(h.cache, KEY), {
    removed: true,
    inFlight: 1,
  });
  assert.equal(ticket.forgotten, true);
  assert.equal(other.forgotten, false, "another key's");
  assert.equal((await h.cache.store.variants(KEY)).length, 0);
  assert.equal(h.cache.fills.current(KEY), undefined);
  assert.ok(lock, "its holder still holds it");
  assert.deepEqual(await forgetKey(h.cache, KEY), {
    removed: false,
    inFlight: 1,
  });
});

Deno.test("serveWithCache() does not write a replacing fill over an update of the stored response that arrived after it (RFC 9111 §4)", async () => {
  const rest = deferred();
  const first = { yielded: 0 };
  const v1: [string, string] = ["ETag", '"v1"'];
  await using h = flowHarness((request, i) => {
    if (i === 0) {
      return {
        status: 200,
        headers: [["Cache-Control", "max-age=10"], ["Age", "20"], v1],
        body: "v1",
      }; // stale at once
    }
    if (request.head.method === "HEAD") {
      return { status: 304, headers: [v1, ["Cache-Control", "max-age=60"]] };
    }
    return {
      status: 200,
      headers: [["Cache-Control", "max-age=60"], ["ETag", '"v2"']],
      body: new ScriptedBody(
        chunks(4, {
          seen: first,
          gate: (i) => i === 2 ? rest.promise : Promise.resolve(),
        }),
        4 * CHUNK,
      ),
    }; // the revalidating GET: a new version, slowly
  });
  await bodyText(await h.send("/big"));
  const replacing = bodyBytes(await h.send("/big"));
  await waitUntil(() => first.yielded === 2, "half the new version arrived");
  const sentAt = Date.now();
  await waitUntil(() => Date.now() > sentAt, "the clock moved on");
  const head = await h.send("/big", { method: "HEAD" }); // its 304 updates the stored v1
  assert.equal(head.status, 200);
  assert.equal(h.stats.get("cache.head_freshened"), 0, "a 304, not a HEAD 200");
  assert.equal(h.stats.get("cache.revalidated"), 1);
  rest.resolve();
  assert.deepEqual(await replacing, expected(4));
  await waitUntil(() => h.stats.get("cache.store_superseded") === 1, "vetoed");
  const hit = await h.send("/big");
  assert.equal(await bodyText(hit), "v1", "the later word stays");
  assert.match(hit.headers.get("cache-status")!, /^cachelab; hit/);
});

Deno.test("serveWithCache() relays a POST's answer and counts cache.invalidation_errors when the store rejects the invalidation's lookup", async () => {
  const memory = new MemoryStore({ sizeBytes: 1 << 20 });
  let removals = 0;
  const failing = new Proxy(memory, {
    get(target, name) {
      if (name === "variants") {
        return () =>
          Promise.reject(new StoreUnavailableError("Cannot reach store: down"));
      }
      if (name === "remove") {
        return () => {
          removals++;
          return Promise.reject(new Error("Cannot remove: down"));
        };
      }
      const value = Reflect.get(target, name, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  await using h = flowHarness(() => ({ status: 201, body: "created" }), {
    store: failing,
  });
  const posted = await h.send("/r", { method: "POST" });
  assert.equal(posted.status, 201, "the origin acted: its answer goes out");
  assert.equal(await bodyText(posted), "created");
  assert.equal(h.stats.get("cache.invalidation_errors"), 1);
  assert.equal(removals, 1, "the key's removal is still asked for once");
});
