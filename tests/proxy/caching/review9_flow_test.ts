/**
 * Review 9: component tests of the cache flow, in-process (the proxy
 * handler with a MemoryStore in front of a scripted Upstream, no socket),
 * for faults found by attacking the new flow. The scripted upstream's
 * record and the proxy's counters are the oracles.
 */

import type { BodyReader } from "../../../http/types.ts";
import assert from "../../helpers/assert.ts";
import { waitUntil } from "../../helpers/cache_proxy.ts";
import { deferred } from "../../helpers/deadline.ts";
import {
  bodyBytes,
  flowHarness,
  ScriptedBody,
} from "../../helpers/scripted_upstream.ts";

const CHUNK = 64 * 1024;
const KEY = "http://origin.test/big";
const CACHEABLE: [string, string][] = [["Cache-Control", "max-age=60"]];

/** `count` chunks of CHUNK bytes, chunk i filled with i; `seen` counts the chunks yielded. */
function chunks(
  count: number,
  seen: { yielded: number },
  gate: (i: number) => Promise<void> = () => Promise.resolve(),
): AsyncIterable<Uint8Array> {
  return (async function* () {
    for (let i = 0; i < count; i++) {
      await gate(i);
      seen.yielded++;
      yield new Uint8Array(CHUNK).fill(i % 256);
    }
  })();
}

/** The bytes chunks(count) yields. */
function expected(count: number): Uint8Array {
  const out = new Uint8Array(count * CHUNK);
  for (let i = 0; i < count; i++) out.fill(i % 256, i * CHUNK, (i + 1) * CHUNK);
  return out;
}

Deno.test("serveWithCache() sends a request that arrives after its key's fill stopped storing (past --max-object-size) upstream itself, while the leader still reads (review9)", async () => {
  const first = { yielded: 0 };
  await using h = flowHarness((_request, index) => ({
    status: 200,
    headers: CACHEABLE,
    body: new ScriptedBody(chunks(8, index === 0 ? first : { yielded: 0 })), // no length
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

Deno.test("serveWithCache() does not store a response whose fill was in flight when an unsafe request to its URI succeeded (RFC 9111 §4.4) (review9)", async () => {
  const rest = deferred();
  const first = { yielded: 0 };
  await using h = flowHarness((request, index) => {
    if (request.head.method === "DELETE") return { status: 204 };
    if (index > 0) return { status: 200, headers: CACHEABLE, body: "after" };
    return {
      status: 200,
      headers: CACHEABLE,
      body: new ScriptedBody(
        chunks(4, first, (i) => i === 2 ? rest.promise : Promise.resolve()),
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

Deno.test("serveWithCache() collapses the misses queued behind a request that led with its own If-None-Match into one more upstream exchange, not one each (review9)", async () => {
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
