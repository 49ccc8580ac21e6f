/**
 * Component tests of serving while the store cannot be reached: a
 * MemoryStore whose variants() rejects (or throws) StoreUnavailableError
 * while `down` is set, behind the proxy handler and a scripted upstream.
 */

import assert from "../../helpers/assert.ts";
import { bodyText, flowHarness } from "../../helpers/scripted_upstream.ts";
import { MemoryStore } from "../../../cache/memory_store.ts";
import { type Store, StoreUnavailableError } from "../../../cache/store.ts";

const CACHEABLE: [string, string][] = [["Cache-Control", "max-age=60"]];

/** A memory store that cannot be reached while `state.down`; `async` makes it reject rather than throw. */
function flakyStore(state: { down: boolean; async: boolean }): Store {
  const store = new MemoryStore({ sizeBytes: 1 << 24 });
  const variants = store.variants.bind(store);
  return Object.assign(store, {
    variants(key: string) {
      if (!state.down) return variants(key);
      const error = new StoreUnavailableError("Cannot reach Redis: test");
      if (state.async) return Promise.reject(error) as never;
      throw error;
    },
  });
}

for (const async of [false, true]) {
  Deno.test(
    `serveWithCache() answers as a plain proxy with detail=store-unavailable when the store ${
      async ? "rejects" : "throws"
    }, and caches again once it is back`,
    async () => {
      const state = { down: true, async };
      await using h = flowHarness(
        (_request, index) => ({
          status: 200,
          headers: CACHEABLE,
          body: `answer ${index}`,
        }),
        { store: flakyStore(state) },
      );
      for (const expected of ["answer 0", "answer 1"]) {
        const res = await h.send("/page");
        assert.equal(res.status, 200);
        assert.equal(await bodyText(res), expected);
        assert.equal(
          res.headers.get("cache-status"),
          "cachelab; fwd=uri-miss; fwd-status=200; detail=store-unavailable",
        );
      }
      assert.equal(h.stats.get("cache.without_store"), 2);
      assert.equal(h.stats.get("cache.stored"), 0);
      state.down = false;
      assert.equal(await bodyText(await h.send("/page")), "answer 2");
      const hit = await h.send("/page");
      assert.equal(await bodyText(hit), "answer 2");
      assert.match(hit.headers.get("cache-status") ?? "", /^cachelab; hit/);
    },
  );
}

Deno.test("serveWithCache() answers 502 when neither the store nor the upstream can be reached", async () => {
  await using h = flowHarness(() => ({ fail: "connect-failed" }), {
    store: flakyStore({ down: true, async: true }),
  });
  const res = await h.send("/page");
  assert.equal(res.status, 502);
  await bodyText(res);
  assert.equal(h.stats.get("cache.without_store"), 1);
});
