/**
 * Component tests of invalidation across nodes, in-process: a proxy
 * handler whose Peers record what it announces (an unsafe method's
 * invalidation, a stored replacement, an operator's purge through the
 * entry routes), and heardInvalidated() on the receiving side.
 */

import assert from "../../helpers/assert.ts";
import { deferred } from "../../helpers/deadline.ts";
import { waitUntil } from "../../helpers/cache_proxy.ts";
import {
  bodyText,
  flowHarness,
  ScriptedBody,
} from "../../helpers/scripted_upstream.ts";
import { entriesRoutes } from "../../../admin/entries.ts";
import { MemoryStore } from "../../../cache/memory_store.ts";
import {
  heardInvalidated,
  type Invalidated,
} from "../../../proxy/caching/invalidations.ts";

const KEY = "http://origin.test/page";
const CACHEABLE: [string, string][] = [["Cache-Control", "max-age=60"]];

/** Peers that keep what they are told. */
function recordingPeers() {
  const heard: Invalidated[] = [];
  return { heard, announce: (what: Invalidated) => void heard.push(what) };
}

Deno.test("invalidate() announces the keys an unsafe method invalidated, and a stored fill its key as replaced", async () => {
  const peers = recordingPeers();
  await using h = flowHarness(
    (request) =>
      request.head.method === "POST"
        ? { status: 204 }
        : { status: 200, headers: CACHEABLE, body: "v1" },
    { peers },
  );
  assert.equal(await bodyText(await h.send("/page")), "v1");
  await waitUntil(() => h.stats.get("cache.stored") === 1, "stored");
  assert.deepEqual(peers.heard, [{ keys: [KEY], replaced: true }]);
  await bodyText(await h.send("/page", { method: "POST" }));
  assert.deepEqual(peers.heard[1], { keys: [KEY] }); // RFC 9111 §4.4
});

Deno.test("heardInvalidated() voids fills in flight of invalidated keys, not of replaced ones, and drops local copies either way", async () => {
  const release = deferred();
  await using h = flowHarness(() => ({
    status: 200,
    headers: CACHEABLE,
    body: new ScriptedBody(
      (async function* () {
        yield new TextEncoder().encode("part ");
        await release.promise;
        yield new TextEncoder().encode("end");
      })(),
      8,
    ),
  }));
  const pending = h.send("/page");
  await waitUntil(() => h.cache.tickets.held(KEY) === 1, "a fill in flight");
  const dropped: Invalidated[] = [];
  const drop = (what: Invalidated) => void dropped.push(what);
  heardInvalidated(h.cache, { keys: [KEY], replaced: true }, drop);
  assert.ok(h.cache.fills.current(KEY), "a replacement elsewhere leaves it");
  heardInvalidated(h.cache, { keys: [KEY] }, drop);
  assert.equal(h.cache.fills.current(KEY), undefined, "left the registry");
  heardInvalidated(h.cache, { prefix: "http://origin.test/" }, drop);
  release.resolve();
  assert.equal(
    await bodyText(await pending),
    "part end",
    "its reader reads on",
  );
  await waitUntil(
    () => h.stats.get("cache.store_forgotten") === 1,
    "the fill not stored",
  );
  assert.deepEqual(h.cache.store.variants(KEY), []);
  assert.deepEqual(dropped, [
    { keys: [KEY], replaced: true },
    { keys: [KEY] },
    { prefix: "http://origin.test/" },
  ]);
});

Deno.test("entriesRoutes() announces a purge to the peers", async () => {
  const peers = recordingPeers();
  const store = new MemoryStore({ sizeBytes: 1 << 20 });
  try {
    const routes = entriesRoutes({ store, peers });
    const purge = routes["DELETE /api/entries"]!;
    const url = new URL("http://admin.test/api/entries?prefix=http://a/");
    const res = await purge(new Request(url, { method: "DELETE" }), url);
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assert.deepEqual(peers.heard, [{ prefix: "http://a/" }]);
  } finally {
    await store.close();
  }
});
