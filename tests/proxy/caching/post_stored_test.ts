/**
 * Component tests of a POST response stored for its target (RFC 9110
 * §9.3.3, RFC 9111 §4.4): in-process, the proxy handler with a
 * MemoryStore in front of a scripted Upstream. What the upstream was
 * sent, the store and the counters are the oracles.
 */

import assert from "../../helpers/assert.ts";
import { bodyText, flowHarness } from "../../helpers/scripted_upstream.ts";

const KEY = "http://origin.test/form";

Deno.test("serveWithCache() stores a POST response with explicit freshness whose Content-Location is its target, after invalidating the target, and answers a later GET from it (RFC 9110 §9.3.3, RFC 9111 §4.4)", async () => {
  await using h = flowHarness((request) =>
    request.head.method === "POST"
      ? {
        status: 200,
        headers: [
          ["Cache-Control", "max-age=60"],
          ["Content-Location", "/form"],
          ["ETag", '"after"'],
        ],
        body: "after the post",
      }
      : {
        status: 200,
        headers: [["Cache-Control", "max-age=60"], ["ETag", '"before"']],
        body: "before the post",
      }
  );
  assert.equal(await bodyText(await h.send("/form")), "before the post");
  const posted = await h.send("/form", { method: "POST" });
  assert.equal(posted.status, 200);
  assert.match(
    posted.headers.get("cache-status")!,
    /^cachelab; fwd=method; fwd-status=200; stored$/,
  );
  assert.equal(await bodyText(posted), "after the post");
  assert.equal(h.stats.get("cache.invalidations"), 1, "invalidated first");
  assert.equal(h.stats.get("cache.post_stored"), 1);
  const variants = await h.cache.store.variants(KEY);
  assert.equal(variants.length, 1);
  const got = await h.send("/form");
  assert.match(got.headers.get("cache-status")!, /^cachelab; hit; ttl=\d+$/);
  assert.equal(got.headers.get("etag"), '"after"');
  assert.equal(await bodyText(got), "after the post");
  const head = await h.send("/form", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-length"), "14");
  assert.deepEqual(
    h.upstream.requests.map((r) => r.head.method),
    ["GET", "POST"],
  );
});

Deno.test("serveWithCache() only invalidates after a POST whose response names another Content-Location, and the next GET goes upstream (RFC 9110 §9.3.3, RFC 9111 §4.4)", async () => {
  await using h = flowHarness((request) =>
    request.head.method === "POST"
      ? {
        status: 200,
        headers: [
          ["Cache-Control", "max-age=60"],
          ["Content-Location", "/form/7"],
        ],
        body: "created",
      }
      : { status: 200, headers: [["Cache-Control", "max-age=60"]], body: "g" }
  );
  await bodyText(await h.send("/form"));
  const posted = await h.send("/form", { method: "POST" });
  assert.equal(
    posted.headers.get("cache-status"),
    "cachelab; fwd=method; fwd-status=200",
  );
  assert.equal(await bodyText(posted), "created");
  assert.equal((await h.cache.store.variants(KEY)).length, 0);
  assert.equal((await h.cache.store.variants(`${KEY}/7`)).length, 0);
  assert.match(
    (await h.send("/form")).headers.get("cache-status")!,
    /fwd=uri-miss/,
  );
  assert.equal(h.upstream.requests.length, 3);
});
