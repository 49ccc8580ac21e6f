/**
 * Component tests of the storing options the cache flow passes to the
 * policy for each request: the route's target list (RFC 9213 §2.1, §3)
 * and the Set-Cookie rule (--store-set-cookie, RFC 9111 §7.3).
 * In-process: the proxy handler, a MemoryStore and a scripted Upstream.
 */

import assert from "../../helpers/assert.ts";
import {
  bodyText,
  flowHarness,
  type Scripted,
} from "../../helpers/scripted_upstream.ts";

const COOKIE: Scripted = {
  status: 200,
  headers: [["Cache-Control", "max-age=60"], ["Set-Cookie", "region=eu"]],
  body: "with a cookie",
};

Deno.test("serveWithCache() stores a response that sets a cookie only with --store-set-cookie, and then replays the cookie (RFC 9111 §7.3)", async () => {
  {
    await using h = flowHarness(() => COOKIE);
    const res = await h.send("/r");
    assert.match(res.headers.get("cache-status")!, /detail=set-cookie$/);
    await bodyText(res);
    await bodyText(await h.send("/r"));
    assert.equal(h.upstream.requests.length, 2);
  }
  {
    await using h = flowHarness(() => COOKIE, { storeSetCookie: true });
    await bodyText(await h.send("/r"));
    const hit = await h.send("/r");
    assert.match(hit.headers.get("cache-status")!, /^cachelab; hit/);
    assert.equal(hit.headers.get("set-cookie"), "region=eu");
    assert.equal(h.upstream.requests.length, 1);
  }
});

const TARGETED: Scripted = {
  status: 200,
  headers: [["Cache-Control", "no-store"], [
    "CDN-Cache-Control",
    "max-age=60",
  ]],
  body: "for the CDN",
};

Deno.test("serveWithCache() lets CDN-Cache-Control decide for reverse-proxied requests only (RFC 9213 §3)", async () => {
  await using h = flowHarness(() => TARGETED);
  await bodyText(await h.send("/r"));
  assert.match((await h.send("/r")).headers.get("cache-status")!, /hit/);
  const forward = "http://origin.test/f";
  await bodyText(await h.send(forward));
  const again = await h.send(forward);
  assert.match(again.headers.get("cache-status")!, /detail=no-store$/);
  assert.equal(h.upstream.requests.length, 3);
});

Deno.test("serveWithCache() honours the configured target list: none turns targeted fields off (RFC 9213 §2.1)", async () => {
  await using h = flowHarness(() => TARGETED, { targetedFields: [] });
  await bodyText(await h.send("/r"));
  const again = await h.send("/r");
  assert.match(again.headers.get("cache-status")!, /detail=no-store$/);
});
