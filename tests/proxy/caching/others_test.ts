/**
 * Component tests of a 304 to a revalidation when other responses are
 * stored for the key (RFC 9111 §4.3.4): every stored response with the
 * 304's strong validator is updated, not only the one revalidated; one
 * the update makes unstorable goes. In-process: the proxy handler, a
 * MemoryStore and a scripted Upstream whose record is the oracle.
 */

import assert from "../../helpers/assert.ts";
import {
  bodyText,
  flowHarness,
  type Script,
} from "../../helpers/scripted_upstream.ts";

const KEY = "http://origin.test/r";
const EN: [string, string][] = [["Accept-Language", "en"]];
const FR: [string, string][] = [["Accept-Language", "fr"]];

/**
 * An origin whose page varies on Accept-Language but is one
 * representation (a strong ETag of its own per `etags`); its full
 * responses are stale at once (max-age=0); a 304 makes them fresh and
 * brings `update`'s fields. The first two requests always get the page.
 */
function origin(
  etags: { en: string; fr: string },
  update: [string, string][],
): Script {
  return (request, index) => {
    const french = request.head.headers.get("accept-language") === "fr";
    const etag = french ? etags.fr : etags.en;
    const common: [string, string][] = [
      ["Vary", "Accept-Language"],
      ["ETag", etag],
    ];
    const asked = request.head.headers.get("if-none-match");
    if (index >= 2 && asked === etag) {
      return { status: 304, headers: [...common, ...update] };
    }
    return {
      status: 200,
      headers: [...common, ["Cache-Control", "max-age=0"]],
      body: "the page",
    };
  };
}

Deno.test("serveWithCache() freshens every stored variant with the strong validator a 304 to one revalidation brings (RFC 9111 §4.3.4)", async () => {
  await using h = flowHarness(
    origin({ en: '"v"', fr: '"v"' }, [
      ["Cache-Control", "max-age=600"],
      ["X-Updated", "yes"],
    ]),
  );
  await bodyText(await h.send("/r", { headers: EN }));
  await bodyText(await h.send("/r", { headers: FR }));
  assert.equal((await h.cache.store.variants(KEY)).length, 2);
  const en = await h.send("/r", { headers: EN });
  assert.equal(await bodyText(en), "the page");
  assert.match(en.headers.get("cache-status")!, /fwd=stale; fwd-status=304/);
  assert.equal(h.stats.get("cache.others_freshened"), 1);
  const fr = await h.send("/r", { headers: FR });
  assert.match(fr.headers.get("cache-status")!, /^cachelab; hit/);
  assert.equal(fr.headers.get("x-updated"), "yes");
  assert.equal(await bodyText(fr), "the page");
  assert.equal(h.upstream.requests.length, 3, "the French one was not asked");
});

Deno.test("serveWithCache() leaves a stored variant with another validator as it was when a 304 revalidates one (RFC 9111 §4.3.4)", async () => {
  await using h = flowHarness(
    origin({ en: '"en"', fr: '"fr"' }, [["Cache-Control", "max-age=600"]]),
  );
  await bodyText(await h.send("/r", { headers: EN }));
  await bodyText(await h.send("/r", { headers: FR }));
  await bodyText(await h.send("/r", { headers: EN }));
  assert.equal(h.stats.get("cache.others_freshened"), 0);
  const fr = await h.send("/r", { headers: FR });
  assert.match(fr.headers.get("cache-status")!, /fwd=stale; fwd-status=304/);
  assert.equal(await bodyText(fr), "the page");
  assert.equal(h.upstream.requests.length, 4, "the French one was stale");
  assert.equal(
    h.upstream.requests[3]!.head.headers.get("if-none-match"),
    '"fr"',
  );
});

Deno.test("serveWithCache() removes every stored variant a 304 identifies when its update forbids storing (RFC 9111 §3, §4.3.4)", async () => {
  await using h = flowHarness(
    origin({ en: '"v"', fr: '"v"' }, [["Cache-Control", "no-store"]]),
  );
  await bodyText(await h.send("/r", { headers: EN }));
  await bodyText(await h.send("/r", { headers: FR }));
  const en = await h.send("/r", { headers: EN });
  assert.equal(await bodyText(en), "the page", "answered from the update");
  assert.equal(h.stats.get("cache.others_removed"), 1);
  assert.deepEqual(await h.cache.store.variants(KEY), []);
});
