/**
 * Unit tests of the storing body (proxy/caching/fill.ts Filling) over a
 * MemoryStore writer and scripted upstream bodies: when a reader attached
 * now still gets the whole body (`storing`), how the write ends, and what
 * the leader's whole body is when the fill did not end whole. The fill's
 * outcome and the readers' bodies are the oracles.
 */

import { MemoryStore } from "../../../cache/memory_store.ts";
import { FieldList } from "../../../http/headers.ts";
import type { BodyReader } from "../../../http/types.ts";
import { Filling, type StoreOutcome } from "../../../proxy/caching/fill.ts";
import assert from "../../helpers/assert.ts";
import { waitUntil } from "../../helpers/cache_proxy.ts";
import { deferred } from "../../helpers/deadline.ts";
import { bodyBytes, ScriptedBody } from "../../helpers/scripted_upstream.ts";
import { draft } from "../../cache/store_helpers.ts";

const CHUNK = 64 * 1024;
const KEY = "http://origin.test/f";

/** `count` chunks of CHUNK bytes, chunk i filled with i; `seen` counts those yielded. */
function chunks(
  count: number,
  how: {
    seen?: { yielded: number };
    gate?: (i: number) => Promise<void>;
    fail?: boolean;
  } = {},
): AsyncIterable<Uint8Array> {
  return (async function* () {
    for (let i = 0; i < count; i++) {
      await how.gate?.(i);
      if (how.seen) how.seen.yielded++;
      yield new Uint8Array(CHUNK).fill(i % 256);
    }
    if (how.fail) throw new Error("the upstream body broke");
  })();
}

/** The bytes chunks(count) yields. */
function expected(count: number): Uint8Array {
  const out = new Uint8Array(count * CHUNK);
  for (let i = 0; i < count; i++) out.fill(i % 256, i * CHUNK, (i + 1) * CHUNK);
  return out;
}

/** Reads a body whole (copies); rejects when a read throws. */
async function readAll(body: BodyReader): Promise<Uint8Array> {
  return await bodyBytes({ status: 200, headers: new FieldList(), body });
}

/** A fill of `upstream` into a fresh MemoryStore; `forgotten` is read by the fill. */
function fillOf(
  upstream: BodyReader,
  options: {
    maxBytes?: number;
    keepWhole?: boolean;
    forgotten?: () => boolean;
  } = {},
) {
  const store = new MemoryStore({ sizeBytes: 1 << 26 });
  const settled: StoreOutcome[] = [];
  const filling = new Filling(store.begin(draft(KEY)), {
    upstream,
    maxBytes: options.maxBytes ?? 1 << 26,
    keepWhole: options.keepWhole ?? false,
    veto: () => undefined,
    forgotten: options.forgotten ?? (() => false),
    onSettled: (outcome) => settled.push(outcome),
  });
  return {
    store,
    filling,
    settled,
    [Symbol.asyncDispose]: async () => {
      filling.stop();
      await filling.done;
      await store.close();
    },
  };
}

Deno.test("Filling.storing is true while the write goes on and false once it stored: a request then reads the stored entry", async () => {
  const gate = deferred();
  await using f = fillOf(
    new ScriptedBody(
      chunks(4, { gate: (i) => i === 3 ? gate.promise : Promise.resolve() }),
    ),
  );
  assert.equal(f.filling.storing, true);
  gate.resolve();
  assert.equal(await f.filling.done, "stored");
  assert.equal(f.filling.storing, false);
  assert.deepEqual(f.settled, ["stored"]);
});

Deno.test("Filling.storing turns false as soon as an unknown-length body outgrows the limit, while the leader still reads the rest", async () => {
  const seen = { yielded: 0 };
  await using f = fillOf(new ScriptedBody(chunks(8, { seen })), {
    maxBytes: 4 * CHUNK,
  });
  const leader = f.filling.leaderBody(() => {});
  await leader.read(); // one chunk read; the fill goes on without it
  await waitUntil(() => seen.yielded === 5, "the fill outgrew the limit");
  assert.equal(f.filling.storing, false, "handing off: nothing more is stored");
  assert.equal(f.filling.outcome, undefined, "the write has not ended yet");
  const rest = await readAll(leader);
  assert.deepEqual(rest, expected(8).subarray(CHUNK));
  assert.equal(await f.filling.done, "too-large");
});

Deno.test("Filling.storing turns false once the key is forgotten; the write then ends discarded and its readers still get the whole body", async () => {
  const gate = deferred();
  let forgotten = false;
  await using f = fillOf(
    new ScriptedBody(
      chunks(4, { gate: (i) => i === 2 ? gate.promise : Promise.resolve() }),
      4 * CHUNK,
    ),
    { forgotten: () => forgotten },
  );
  const reader = f.filling.follow();
  const whole = readAll(reader);
  forgotten = true;
  assert.equal(f.filling.storing, false);
  gate.resolve();
  assert.deepEqual(await whole, expected(4));
  assert.equal(await f.filling.done, "forgotten");
  assert.equal((await f.store.variants(KEY)).length, 0);
});

Deno.test("Filling.storing turns false once the upstream body broke, before the write ended", async () => {
  await using f = fillOf(new ScriptedBody(chunks(2, { fail: true })));
  const reader = f.filling.follow();
  await assert.rejects(readAll(reader));
  assert.equal(f.filling.storing, false);
  assert.equal(await f.filling.done, "aborted");
});

Deno.test("Filling.whole() cuts the body after the bytes that arrived, never passes them off as complete, when the fill is stopped", async () => {
  const stalled = deferred();
  const seen = { yielded: 0 };
  const f = fillOf(
    new ScriptedBody(
      chunks(4, {
        seen,
        gate: (i) => i === 2 ? stalled.promise : Promise.resolve(),
      }),
      4 * CHUNK,
    ),
    { keepWhole: true },
  );
  await waitUntil(() => seen.yielded === 2, "half the body arrived");
  f.filling.stop(); // shutdown
  assert.equal(f.filling.storing, false);
  const whole = await f.filling.whole();
  assert.ok(!(whole instanceof Uint8Array), "not a complete body");
  const replay = whole as BodyReader;
  assert.deepEqual(await replay.read(), new Uint8Array(CHUNK).fill(0));
  assert.deepEqual(await replay.read(), new Uint8Array(CHUNK).fill(1));
  await assert.rejects(() => replay.read(), Error, "stopped at byte");
  assert.equal(await f.filling.done, "aborted");
  stalled.resolve();
  await f[Symbol.asyncDispose]();
});

Deno.test("Filling.whole() gives the bytes when the body arrived whole", async () => {
  await using f = fillOf(new ScriptedBody(chunks(2), 2 * CHUNK), {
    keepWhole: true,
  });
  assert.deepEqual(await f.filling.whole(), expected(2));
  assert.equal(f.filling.outcome, "stored");
});
