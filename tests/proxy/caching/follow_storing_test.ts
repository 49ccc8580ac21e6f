/**
 * Component tests of which fill a request may follow: only one that
 * still stores, so that a reader attached now gets the whole body
 * (cache/collapse.ts followChoice, FillLock.open). A request that comes
 * once its key's fill stopped storing (past --max-object-size, a failed
 * write, a forgotten key) leads a new fill instead. In-process: the proxy
 * handler, a MemoryStore and a scripted Upstream whose record and the
 * counters are the oracles.
 */

import type { BodyReader } from "../../../http/types.ts";
import { FillRegistry } from "../../../proxy/caching/collapsing.ts";
import type { Filling } from "../../../proxy/caching/fill.ts";
import assert from "../../helpers/assert.ts";
import { waitUntil } from "../../helpers/cache_proxy.ts";
import { CHUNK, chunks, expected } from "../../helpers/chunks.ts";
import { deferred } from "../../helpers/deadline.ts";
import {
  bodyBytes,
  flowHarness,
  ScriptedBody,
} from "../../helpers/scripted_upstream.ts";
import { draftEntry } from "../../../proxy/caching/filled.ts";
import { draft } from "../../cache/store_helpers.ts";

const KEY = "http://origin.test/big";
const CACHEABLE: [string, string][] = [["Cache-Control", "max-age=60"]];

Deno.test("serveWithCache() sends a request that arrives after its key's fill stopped storing (past --max-object-size) upstream itself, while the leader still reads", async () => {
  const first = { yielded: 0 };
  await using h = flowHarness((_request, index) => ({
    status: 200,
    headers: CACHEABLE,
    body: new ScriptedBody(
      chunks(8, { seen: index === 0 ? first : { yielded: 0 } }),
    ), // no length
  }), { maxObjectBytes: 4 * CHUNK });
  const leader = await h.send("/big");
  const leaderBody = leader.body as BodyReader;
  await leaderBody.read(); // the leader's client read one chunk, then reads slowly
  await waitUntil(() => first.yielded === 5, "the fill outgrew the limit");
  const late = await h.send("/big"); // the fill will never store: nothing to follow
  const lateBody = bodyBytes(late);
  lateBody.catch(() => {});
  try {
    assert.equal(
      h.upstream.requests.length,
      2,
      "a fill that stopped storing is followed by nobody new",
    );
    assert.deepEqual(await lateBody, expected(8));
  } finally {
    await leaderBody.cancel(); // the leader left: the fill ends, whatever was asserted
    await lateBody.catch(() => {});
  }
  assert.equal(h.cache.fills.current(KEY), undefined);
});

Deno.test("serveWithCache() collapses the requests that arrive after a fill stopped storing onto one new fill, which stores", async () => {
  const first = { yielded: 0 };
  const head = deferred();
  await using h = flowHarness(async (_request, index) => {
    if (index === 0) {
      return {
        status: 200,
        headers: CACHEABLE,
        body: new ScriptedBody(chunks(8, { seen: first })), // no length: outgrows the limit
      };
    }
    await head.promise;
    return {
      status: 200,
      headers: CACHEABLE,
      body: new ScriptedBody(chunks(3), 3 * CHUNK), // within it
    };
  }, { maxObjectBytes: 4 * CHUNK });
  const leader = await h.send("/big");
  const leaderBody = leader.body as BodyReader;
  await leaderBody.read();
  await waitUntil(() => first.yielded === 5, "the fill outgrew the limit");
  const late = Array.from({ length: 3 }, () => h.send("/big"));
  await waitUntil(() => h.stats.get("cache.collapsed") === 2, "2 collapsed");
  head.resolve();
  try {
    const bodies = await Promise.all(
      (await Promise.all(late)).map(bodyBytes),
    );
    for (const body of bodies) assert.deepEqual(body, expected(3));
    assert.equal(h.upstream.requests.length, 2, "one new fill for the three");
    await waitUntil(() => h.stats.get("cache.stored") === 1, "it stored");
  } finally {
    await leaderBody.cancel();
  }
});

Deno.test("FillRegistry.lead() makes a new lock when the key's fill no longer stores; the old one's release leaves the new one in place", async () => {
  const fills = new FillRegistry();
  const old = fills.lead(KEY)!;
  assert.equal(fills.lead(KEY), undefined, "open until its leader says");
  let storing = true;
  const filling = {
    get storing() {
      return storing;
    },
  } as Filling;
  old.publish({
    kind: "storing",
    entry: draftEntry(draft(KEY), undefined),
    filling,
  });
  assert.equal(fills.lead(KEY), undefined, "open while it stores");
  storing = false; // it outgrew the limit, its write failed, its key was forgotten
  const next = fills.lead(KEY);
  assert.ok(next, "a new leader");
  assert.equal(fills.current(KEY), next);
  old[Symbol.dispose]();
  await old.released;
  assert.equal(fills.current(KEY), next, "the old release leaves it");
  next[Symbol.dispose]();
  assert.equal(fills.current(KEY), undefined);
});
