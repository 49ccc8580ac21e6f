/**
 * Component tests of undoing what the cache did with a response whose
 * upstream connection later turns out out of step: the scripted upstream
 * plays the pool's finding (onOutOfStep), the store and counters are the
 * oracles.
 */

import { variantsNow } from "../../cache/store_helpers.ts";
import assert from "../../helpers/assert.ts";
import {
  bodyText,
  flowHarness,
  ScriptedBody,
} from "../../helpers/scripted_upstream.ts";
import { deferred } from "../../helpers/deadline.ts";
import { waitUntil } from "../../helpers/cache_proxy.ts";

const KEY = "http://origin.test/r";
const FRESH: [string, string] = ["Cache-Control", "max-age=60"];

Deno.test("serveWithCache() removes an entry stored from a response whose connection later turns out out of step", async () => {
  await using h = flowHarness(() => ({
    status: 200,
    headers: [FRESH],
    body: "maybe someone else's",
  }));
  await bodyText(await h.send("/r"));
  assert.equal((await h.cache.store.variants(KEY)).length, 1);
  h.upstream.outOfStep(0);
  await waitUntil(
    () => h.stats.get("cache.out_of_step_removed") === 1,
    "the entry forgotten",
  );
  assert.equal((await h.cache.store.variants(KEY)).length, 0);
  await bodyText(await h.send("/r"));
  assert.equal(h.upstream.requests.length, 2, "the next request goes upstream");
});

Deno.test("serveWithCache() never commits a fill whose connection turns out out of step before its body ended", async () => {
  const release = deferred();
  await using h = flowHarness(() => ({
    status: 200,
    headers: [FRESH],
    body: new ScriptedBody(
      (async function* () {
        yield new TextEncoder().encode("part one, ");
        await release.promise;
        yield new TextEncoder().encode("part two");
      })(),
    ),
  }));
  const res = await h.send("/r");
  h.upstream.outOfStep(0);
  release.resolve();
  assert.equal(await bodyText(res), "part one, part two");
  await waitUntil(
    () => h.stats.get("cache.store_untrusted") === 1,
    "the fill settled",
  );
  assert.equal((await h.cache.store.variants(KEY)).length, 0);
  assert.equal(h.stats.get("cache.stored"), 0);
});

Deno.test("serveWithCache() removes an entry freshened by a 304 whose connection later turns out out of step", async () => {
  await using h = flowHarness((_request, i) =>
    i === 0
      ? {
        status: 200,
        headers: [["Cache-Control", "no-cache"], ["ETag", '"v1"']],
        body: "stored",
      }
      : { status: 304, headers: [["ETag", '"v1"'], FRESH] }
  );
  await bodyText(await h.send("/r"));
  assert.equal(await bodyText(await h.send("/r")), "stored");
  assert.equal(h.stats.get("cache.revalidated"), 1);
  h.upstream.outOfStep(0); // long gone: nothing to undo twice
  h.upstream.outOfStep(1);
  await waitUntil(
    () => variantsNow(h.cache.store, KEY).length === 0,
    "the freshened entry forgotten",
  );
  assert.ok(h.stats.get("cache.out_of_step_removed") >= 1);
});
