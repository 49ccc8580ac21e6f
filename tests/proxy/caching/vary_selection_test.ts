/**
 * Component tests of a vary-miss that asks the origin which stored
 * variant will do (RFC 9111 §4.1, §4.3.1, §4.3.4): the request goes
 * upstream with If-None-Match listing the stored entity-tags, a 304
 * selects one, which answers the request and is filed for its Vary
 * values with the same body. In-process: the proxy handler, a MemoryStore
 * and a scripted Upstream whose record is the oracle of what was asked.
 */

import { variantsNow } from "../../cache/store_helpers.ts";
import assert from "../../helpers/assert.ts";
import { waitUntil } from "../../helpers/cache_proxy.ts";
import {
  bodyText,
  flowHarness,
  type Script,
} from "../../helpers/scripted_upstream.ts";

const KEY = "http://origin.test/r";
const EN: [string, string][] = [["Accept-Language", "en"]];
const EN_GB: [string, string][] = [["Accept-Language", "en-GB"]];
const FR: [string, string][] = [["Accept-Language", "fr"]];

/**
 * An origin with an English and a French page (ETags "en" and "fr"),
 * that serves the English one to en-GB and answers 304 to an
 * If-None-Match naming the page it would send.
 */
const ORIGIN: Script = (request) => {
  const language = request.head.headers.get("accept-language") ?? "";
  const page = language.startsWith("fr") ? "fr" : "en";
  const etag = `"${page}"`;
  const common: [string, string][] = [
    ["Cache-Control", "max-age=600"],
    ["Vary", "Accept-Language"],
    ["ETag", etag],
  ];
  const asked = request.head.headers.get("if-none-match") ?? "";
  if (asked.split(",").map((tag) => tag.trim()).includes(etag)) {
    return { status: 304, headers: common };
  }
  return { status: 200, headers: common, body: `page ${page}` };
};

Deno.test("serveWithCache() asks with If-None-Match listing the stored variants' ETags on a vary-miss, serves the one a 304 selects and files it for the request's Vary values (RFC 9111 §4.1, §4.3.1, §4.3.4)", async () => {
  await using h = flowHarness(ORIGIN);
  await bodyText(await h.send("/r", { headers: EN }));
  await bodyText(await h.send("/r", { headers: FR }));
  const gb = await h.send("/r", { headers: EN_GB });
  assert.equal(gb.status, 200);
  assert.equal(await bodyText(gb), "page en");
  assert.equal(gb.headers.get("etag"), '"en"');
  assert.match(
    gb.headers.get("cache-status")!,
    /^cachelab; fwd=vary-miss; fwd-status=304; ttl=\d+$/,
  );
  assert.equal(gb.logSuffix?.endsWith(" REVALIDATED"), true);
  // Both tags; their order (the most recent variant first) depends on
  // when each arrived, which may be the same millisecond.
  assert.deepEqual(
    h.upstream.requests[2]!.head.headers.get("if-none-match")?.split(", ")
      .sort(),
    ['"en"', '"fr"'],
  );
  await waitUntil(
    () => h.stats.get("cache.variant_filed") === 1,
    "the en-GB variant filed",
  );
  assert.deepEqual(
    (await h.cache.store.variants(KEY)).map((e) => e.vary[0]![1]).sort(),
    ["en", "en-gb", "fr"], // normalised (RFC 9111 §4.1)
  );
  const again = await h.send("/r", { headers: EN_GB });
  assert.match(again.headers.get("cache-status")!, /^cachelab; hit/);
  assert.equal(await bodyText(again), "page en");
  const en = await h.send("/r", { headers: EN });
  assert.match(en.headers.get("cache-status")!, /^cachelab; hit/);
  assert.equal(h.upstream.requests.length, 3, "no body fetched twice");
  assert.equal(h.stats.get("cache.vary_selected"), 1);
});

Deno.test("serveWithCache() stores the full response to a vary-miss that asked, as a new variant (RFC 9111 §3, §4.1)", async () => {
  await using h = flowHarness(ORIGIN);
  await bodyText(await h.send("/r", { headers: EN }));
  const fr = await h.send("/r", { headers: FR });
  assert.equal(await bodyText(fr), "page fr");
  assert.match(
    fr.headers.get("cache-status")!,
    /^cachelab; fwd=vary-miss; fwd-status=200; stored$/,
  );
  assert.equal(
    h.upstream.requests[1]!.head.headers.get("if-none-match"),
    '"en"',
  );
  assert.equal((await h.cache.store.variants(KEY)).length, 2);
});

Deno.test("serveWithCache() asks with the stored variants' ETags in place of a client's own If-None-Match on a vary-miss, and answers the client's against the selected response (RFC 9111 §4.3.1, §4.3.2)", async () => {
  await using h = flowHarness(ORIGIN);
  await bodyText(await h.send("/r", { headers: EN }));
  const own = await h.send("/r", {
    headers: [...EN_GB, ["If-None-Match", '"fr"']],
  });
  assert.equal(own.status, 200, "the client's tag is not the selected one's");
  assert.equal(await bodyText(own), "page en");
  assert.equal(
    h.upstream.requests[1]!.head.headers.get("if-none-match"),
    '"en"',
  );
  const same = await h.send("/r", {
    headers: [...EN_GB, ["If-None-Match", '"en"']],
  });
  assert.equal(same.status, 304, "the client's tag is the selected one's");
});

Deno.test("serveWithCache() answers the client's own If-Modified-Since against the response a 304 selected (RFC 9111 §4.3.2)", async () => {
  await using h = flowHarness(ORIGIN);
  await bodyText(await h.send("/r", { headers: EN }));
  const since = await h.send("/r", {
    headers: [...EN_GB, [
      "If-Modified-Since",
      new Date(Date.now() + 60_000).toUTCString(),
    ]],
  });
  assert.equal(since.status, 304);
  const sent = h.upstream.requests[1]!.head.headers;
  assert.equal(sent.get("if-none-match"), '"en"');
  assert.equal(sent.get("if-modified-since"), undefined, "the cache's own");
});

Deno.test("serveWithCache() sends a vary-miss again without conditions when the 304 selects no stored variant (RFC 9111 §4.3.4)", async () => {
  await using h = flowHarness((request, i) =>
    i === 0
      ? ORIGIN(request, i)
      : i === 1
      ? { status: 304, headers: [["ETag", '"unknown"']] }
      : ORIGIN(request, i)
  );
  await bodyText(await h.send("/r", { headers: EN }));
  const fr = await h.send("/r", { headers: FR });
  assert.equal(await bodyText(fr), "page fr");
  assert.deepEqual(
    h.upstream.requests.map((r) => r.head.headers.get("if-none-match")),
    [undefined, '"en"', undefined],
  );
  assert.equal(h.stats.get("cache.mismatched_304"), 1);
});

Deno.test("serveWithCache() serves but does not file the response a 304 selected when the vary-miss request says no-store (RFC 9111 §5.2.1.5)", async () => {
  await using h = flowHarness(ORIGIN);
  await bodyText(await h.send("/r", { headers: EN }));
  const gb = await h.send("/r", {
    headers: [...EN_GB, ["Cache-Control", "no-store"]],
  });
  assert.equal(await bodyText(gb), "page en");
  assert.match(gb.headers.get("cache-status")!, /detail=no-store$/);
  assert.equal((await h.cache.store.variants(KEY)).length, 1);
  assert.equal(h.stats.get("cache.variant_filed"), 0);
});

Deno.test("serveWithCache() forgets the variant a 304 selected and what it updated when that 304's connection turns out out of step", async () => {
  await using h = flowHarness(ORIGIN);
  await bodyText(await h.send("/r", { headers: EN }));
  await bodyText(await h.send("/r", { headers: EN_GB }));
  await waitUntil(
    () => h.stats.get("cache.variant_filed") === 1,
    "the en-GB variant filed",
  );
  assert.equal((await h.cache.store.variants(KEY)).length, 2);
  h.upstream.outOfStep(1);
  await waitUntil(
    () => variantsNow(h.cache.store, KEY).length === 0,
    "both entries forgotten",
  );
  assert.equal(h.stats.get("cache.out_of_step_removed"), 2);
});
