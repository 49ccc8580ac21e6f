/**
 * Component tests of fills whose body arrives whole but is not stored:
 * a response found untrustworthy at its end (bytes right behind it, its
 * connection out of step) and a store whose disk fills up mid-fill. The
 * rule: whether a reader's body ends cleanly depends only on the upstream
 * body, never on the store. The scripted upstream's record, the store and
 * the counters are the oracles; no socket.
 */

import type { BodyReader } from "../../../http/types.ts";
import assert from "../../helpers/assert.ts";
import { waitUntil } from "../../helpers/cache_proxy.ts";
import { deferred } from "../../helpers/deadline.ts";
import {
  bodyBytes,
  bodyText,
  flowHarness,
  type Scripted,
  ScriptedBody,
} from "../../helpers/scripted_upstream.ts";
import { countingIds, fileFixture, pathIn } from "../../cache/file_fixture.ts";

const CHUNK = 64 * 1024;
const KEY = "http://origin.test/big";
const CACHEABLE: [string, string][] = [["Cache-Control", "max-age=60"]];

/** `count` chunks of CHUNK bytes, chunk i filled with i; each waits for `gate(i)` first. */
function chunks(
  count: number,
  gate: (i: number) => Promise<void> = () => Promise.resolve(),
): AsyncIterable<Uint8Array> {
  return (async function* () {
    for (let i = 0; i < count; i++) {
      await gate(i);
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

const UNTRUSTED = [
  ["bytes arrive right behind it", "trailing"],
  ["its connection turns out out of step before it ended", "out-of-step"],
] as const;

for (const [when, how] of UNTRUSTED) {
  Deno.test(`serveWithCache() gives the leader and the collapsed readers the whole body when ${when}, and stores nothing`, async () => {
    const head = deferred();
    const half = deferred();
    await using h = flowHarness(async (): Promise<Scripted> => {
      await head.promise;
      return {
        status: 200,
        headers: CACHEABLE,
        body: new ScriptedBody(
          chunks(32, (i) => i === 16 ? half.promise : Promise.resolve()),
          how === "trailing" ? 32 * CHUNK : undefined,
        ), // 2 MiB: read as it grows, not kept whole
        trailingBytes: how === "trailing",
      };
    });
    const responses = Array.from({ length: 3 }, () => h.send("/big"));
    await waitUntil(() => h.stats.get("cache.collapsed") === 2, "2 collapsed");
    head.resolve();
    const all = await Promise.all(responses);
    const bodies = Promise.all(all.map(bodyBytes));
    if (how === "out-of-step") h.upstream.outOfStep(0);
    half.resolve();
    for (const [i, body] of (await bodies).entries()) {
      assert.deepEqual(body, expected(32), `reader ${i}`);
    }
    assert.equal(h.stats.get("cache.store_untrusted"), 1);
    assert.equal(h.stats.get("cache.stored"), 0);
    assert.equal((await h.cache.store.variants(KEY)).length, 0);
    assert.equal(all[0]!.logSuffix?.endsWith(" MISS-NOT-STORED"), true);
    assert.equal(h.upstream.requests.length, 1);
  });
}

/** A FileStore whose first write of KEY goes to /dev/full (a full disk). */
async function fullDiskStore() {
  const fixture = await fileFixture({ newWriteId: countingIds() });
  await Deno.mkdir(pathIn(fixture.dir, KEY, ""), { recursive: true });
  await Deno.symlink(
    "/dev/full",
    pathIn(fixture.dir, KEY, "default-id0001.body.tmp"),
  );
  return fixture;
}

Deno.test("serveWithCache() gives every reader the whole body when the disk fills up mid-fill, stores nothing, and the next request goes upstream again", async () => {
  const fixture = await fullDiskStore();
  try {
    const head = deferred();
    await using h = flowHarness(async (_request, index): Promise<Scripted> => {
      if (index > 0) return { status: 200, headers: CACHEABLE, body: "again" };
      await head.promise;
      return {
        status: 200,
        headers: CACHEABLE,
        body: new ScriptedBody(chunks(48), 48 * CHUNK), // 3 MiB: past the 1 MiB held before the first disk write
      };
    }, { store: fixture.store });
    const responses = Array.from({ length: 4 }, () => h.send("/big"));
    await waitUntil(() => h.stats.get("cache.collapsed") === 3, "3 collapsed");
    head.resolve();
    const all = await Promise.all(responses);
    for (const [i, body] of (await Promise.all(all.map(bodyBytes))).entries()) {
      assert.deepEqual(body, expected(48), `reader ${i}`);
    }
    await waitUntil(() => h.stats.get("cache.store_failed") === 1, "settled");
    assert.equal(h.cache.store.stats.writeErrors, 1);
    assert.equal((await h.cache.store.variants(KEY)).length, 0);
    assert.equal(all[0]!.logSuffix?.endsWith(" MISS-NOT-STORED"), true);
    assert.equal(await bodyText(await h.send("/big")), "again");
    assert.equal(h.upstream.requests.length, 2);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("serveWithCache() sends a request that comes once the disk failed upstream itself, while the fill's readers read on", async () => {
  const fixture = await fullDiskStore();
  try {
    const rest = deferred();
    await using h = flowHarness((_request, index): Scripted => {
      if (index > 0) return { status: 200, headers: CACHEABLE, body: "own" };
      return {
        status: 200,
        headers: CACHEABLE,
        body: new ScriptedBody(
          chunks(40, (i) => i === 24 ? rest.promise : Promise.resolve()),
        ), // the disk fails at the first write, past 1 MiB
      };
    }, { store: fixture.store });
    const leader = await h.send("/big");
    const reading = bodyBytes(leader);
    await waitUntil(
      () => h.cache.store.stats.writeErrors === 1,
      "the write failed",
    );
    const late = await h.send("/big");
    assert.equal(await bodyText(late), "own");
    assert.equal(h.upstream.requests.length, 2, "it went upstream itself");
    rest.resolve();
    assert.deepEqual(await reading, expected(40));
    await waitUntil(() => h.stats.get("cache.store_failed") === 1, "settled");
    assert.equal((leader.body as BodyReader).length, undefined);
  } finally {
    await fixture.dispose();
  }
});
