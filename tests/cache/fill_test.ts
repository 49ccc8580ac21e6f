/**
 * Unit tests of a Fill once its write stopped storing (a failed write):
 * bytes flushed before the failure read from the body file, the rest from
 * memory, held bytes let go once every follower read them, and the writer
 * held back while too much is held. The store-level behaviour is in the
 * contract suite and file_store_follow_test.ts.
 */

import { join } from "node:path";
import assert from "../helpers/assert.ts";
import { concatBytes } from "../../http/bytes.ts";
import type { BodyReader } from "../../http/types.ts";
import { Fill } from "../../cache/fill.ts";
import { bodyBytes, readAll, readAtLeast } from "./store_helpers.ts";

/** Reads a body on to its end (copies). */
async function readRest(reader: BodyReader): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (let chunk = await reader.read(); chunk; chunk = await reader.read()) {
    parts.push(chunk.slice());
  }
  return concatBytes(parts);
}

/** True when `promise` settled within a short pause (a guard: it can only miss a bug, never invent one). */
async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => settled = true, () => settled = true);
  await new Promise((resolve) => setTimeout(resolve, 20));
  return settled;
}

Deno.test("Fill follow() reads the bytes flushed before a failed write from the file and the rest from memory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-fill-" });
  try {
    const body = bodyBytes(600_000, 3);
    const path = join(dir, "body.tmp");
    await Deno.writeFile(path, body.subarray(0, 250_000));
    const fill = new Fill();
    fill.file.hold(); // the writer's hold
    fill.file.attach(await Deno.open(path, { read: true }));
    const early = fill.follow(body.length);
    fill.flushed(250_000);
    const late = fill.follow(body.length); // started after the flush, before the failure
    fill.unstore();
    fill.hold(body.slice(250_000, 400_000));
    fill.hold(body.slice(400_000));
    fill.complete(body.length, false);
    fill.file.release();
    assert.deepEqual(await readAll(early), body);
    assert.deepEqual(await readAll(late), body);
    assert.equal(fill.file.isOpen, false, "the handle outlived its followers");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Fill room() after a failed write waits until the slowest follower read enough, and the bytes every follower read are let go", async () => {
  const body = bodyBytes(200_000, 4);
  const fill = new Fill();
  const fast = fill.follow(body.length);
  const slow = fill.follow(body.length);
  fill.unstore();
  fill.hold(body.slice(0, 100_000));
  fill.hold(body.slice(100_000));
  const room = fill.room(150_000);
  const fastParts = await readAtLeast(fast, 200_000);
  assert.equal(await settlesSoon(room), false, "room before the slow one read");
  const slowParts = await readAtLeast(slow, 100_000); // its first chunk: 100 KB
  assert.equal(await settlesSoon(room), true, "no room once it read");
  await assert.rejects(
    readAll(fill.follow(body.length)),
    /^Error: Cannot read cached body: the write failed and byte 0 on were let go$/,
  );
  fill.complete(body.length, false);
  assert.deepEqual(concatBytes(fastParts), body);
  assert.equal(await fast.read(), null);
  assert.deepEqual(concatBytes([...slowParts, await readRest(slow)]), body);
});

Deno.test("Fill room() resolves at once while the write stores, and when the write fails or ends", async () => {
  const fill = new Fill();
  fill.follow(10); // never reads
  fill.hold(bodyBytes(10));
  assert.equal(
    await settlesSoon(fill.room(1)),
    true,
    "held back while storing",
  );
  fill.unstore();
  const waiting = fill.room(1);
  assert.equal(await settlesSoon(waiting), false);
  fill.fail("the fill was aborted");
  assert.equal(await settlesSoon(waiting), true);
  const ended = new Fill();
  ended.follow(10);
  ended.unstore();
  ended.hold(bodyBytes(10));
  const held = ended.room(1);
  ended.complete(10, false);
  assert.equal(await settlesSoon(held), true);
});
