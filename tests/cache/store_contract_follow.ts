/**
 * Owns the Store contract tests of reading while writing
 * (EntryWriter.follow()): exact bytes, from byte 0, ending only after a
 * successful commit, throwing when the body is not complete (aborted, a
 * wrong size, the store's cap, the store closed), each follower at its
 * own pace. Bodies ending whole without being stored are
 * store_contract_discard.ts's. Bodies come in two sizes: one a file
 * store holds in memory while writing, one it streams to a temp file.
 *
 * Must not know which store it runs against.
 */

import assert from "../helpers/assert.ts";
import { concatBytes } from "../../http/bytes.ts";
import { deferred, withDeadline } from "../helpers/deadline.ts";
import type { BodyReader } from "../../http/types.ts";
import {
  bodyBytes,
  bodyOf,
  type ContractTest,
  draft,
  only,
  readAll,
  readAtLeast,
  writeAll,
} from "./store_helpers.ts";

const SMALL = 5_000;
const LARGE = 3 * 1024 * 1024;
const SIZES = [["a small body", SMALL], ["a large body", LARGE]] as const;
const FAILED = /Cannot read cached body: /;
const BOUND_MS = 20_000; // a guard against hangs, never an oracle

/** True when `promise` settled within a short pause (a guard: it can only miss a bug, never invent one). */
async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => settled = true, () => settled = true);
  await new Promise((resolve) => setTimeout(resolve, 20));
  return settled;
}

/** Reads a follower to its end, catching the error so it can be asserted later. */
function drain(reader: BodyReader): Promise<Uint8Array | Error> {
  return readAll(reader).catch((error: Error) => error);
}

/** Registers the follow() tests. */
export function followContract(test: ContractTest): void {
  for (const [what, size] of SIZES) {
    test(`follow() yields exactly the committed bytes of ${what} while it is written`, async (store) => {
      const entry = draft(`http://f.example/while-${size}`);
      const body = bodyBytes(size, 3);
      const writer = store.begin(entry);
      const reading = [writer.follow(size), writer.follow(size)].map(drain);
      await writeAll(writer, body, 40_000);
      assert.equal(await writer.commit(size), true);
      const stored = await bodyOf(store, await only(store, entry));
      assert.deepEqual(stored, body);
      for (
        const got of await withDeadline(
          Promise.all(reading),
          BOUND_MS,
          "followers",
        )
      ) {
        assert.deepEqual(got, stored);
      }
    });

    test(`follow() started after bytes were written yields ${what} from byte 0`, async (store) => {
      const entry = draft(`http://f.example/late-${size}`);
      const body = bodyBytes(size, 4);
      const writer = store.begin(entry);
      const cut = Math.floor(size * 2 / 3);
      await writeAll(writer, body.subarray(0, cut), 40_000);
      const reading = drain(writer.follow(size));
      await writeAll(writer, body.subarray(cut), 40_000);
      assert.equal(await writer.commit(size), true);
      assert.deepEqual(await reading, body);
    });

    test(`follow() after commit() reads the committed ${what.slice(2)}`, async (store) => {
      const entry = draft(`http://f.example/after-${size}`);
      const body = bodyBytes(size, 5);
      const writer = store.begin(entry);
      await writeAll(writer, body);
      assert.equal(await writer.commit(size), true);
      const follower = writer.follow();
      assert.equal(follower.length, size, "length is the committed size");
      assert.deepEqual(await readAll(follower), body);
    });

    test(`follow() reads return null only after commit() succeeded, for ${what}`, async (store) => {
      const body = bodyBytes(size, 6);
      const writer = store.begin(draft(`http://f.example/end-${size}`));
      const follower = writer.follow(size);
      await writeAll(writer, body);
      const parts = await readAtLeast(follower, size);
      assert.equal(parts.reduce((sum, part) => sum + part.length, 0), size);
      const last = follower.read();
      assert.equal(await settlesSoon(last), false, "ended before the commit");
      assert.equal(await writer.commit(size), true);
      assert.equal(await last, null);
    });

    test(`follow() reads throw, pending ones too, when the write of ${what} is aborted`, async (store) => {
      const body = bodyBytes(size, 7);
      const writer = store.begin(draft(`http://f.example/abort-${size}`));
      const follower = writer.follow(size);
      await writeAll(writer, body.subarray(0, size / 2));
      const pending = drain(follower);
      await writer.abort();
      const error = await withDeadline(pending, BOUND_MS, "the follower");
      assert.ok(error instanceof Error, "an aborted fill read as complete");
      assert.match(
        error.message,
        /^Cannot read cached body: the fill was aborted/,
      );
      await assert.rejects(follower.read(), FAILED);
      await assert.rejects(writer.follow(size).read(), FAILED);
    });

    test(`follow() reads throw when commit() of ${what} gets the wrong size`, async (store) => {
      for (const claimed of [size - 1, size + 1]) {
        const writer = store.begin(draft(`http://f.example/size-${size}`));
        const follower = writer.follow();
        const reading = drain(follower);
        await writeAll(writer, bodyBytes(size, 8));
        assert.equal(await writer.commit(claimed), false);
        assert.match(String(await reading), /Error: Cannot read cached body: /);
        await assert.rejects(writer.follow().read(), FAILED);
      }
    });

    test(`close() makes pending and later reads of followers of ${what} throw`, async (store) => {
      const writer = store.begin(draft(`http://f.example/close-${size}`));
      const waiting = writer.follow(size);
      const idle = writer.follow(size);
      await writeAll(writer, bodyBytes(size / 2, 9));
      const pending = drain(waiting);
      await store.close();
      assert.match(String(await pending), /Error: Cannot read cached body: /);
      await assert.rejects(idle.read(), FAILED);
      await assert.rejects(writer.follow(size).read(), FAILED);
      assert.equal(await writer.commit(size), false);
    });
  }

  test("follow() of an empty body ends once commit() succeeded", async (store) => {
    const writer = store.begin(draft("http://f.example/empty"));
    const follower = writer.follow(0);
    const end = follower.read();
    assert.equal(await settlesSoon(end), false, "ended before the commit");
    assert.equal(await writer.commit(0), true);
    assert.equal(await end, null);
    assert.equal(await writer.follow().read(), null);
  });

  test(
    "follow() reads throw when the body outgrows the store's cap",
    async (store) => {
      const writer = store.begin(draft("http://f.example/cap"));
      const reading = drain(writer.follow());
      await writer.write(bodyBytes(60, 1));
      await writer.write(bodyBytes(60, 2));
      assert.match(String(await reading), /Error: Cannot read cached body: /);
      assert.equal(await writer.commit(120), false);
    },
    100,
  );

  test("follow() reports the announced length and throws when the body is not that long", async (store) => {
    const longer = store.begin(draft("http://f.example/longer"));
    const short = longer.follow(10);
    assert.equal(short.length, 10);
    const reading = drain(short);
    await longer.write(bodyBytes(12));
    assert.match(String(await reading), /Error: Cannot read cached body: /);
    assert.equal(
      await longer.commit(12),
      true,
      "the store keeps what was written",
    );
    const shorter = store.begin(draft("http://f.example/shorter"));
    const long = shorter.follow(20);
    await shorter.write(bodyBytes(12));
    assert.equal(await shorter.commit(12), true);
    await assert.rejects(readAll(long), FAILED);
    assert.equal(shorter.follow().length, 12);
    assert.equal(
      store.begin(draft("http://f.example/open")).follow().length,
      undefined,
    );
  });

  test("follow() of a slow reader holds back neither the writer nor a fast reader", async (store) => {
    const entry = draft("http://f.example/paced");
    const body = bodyBytes(LARGE, 10);
    const writer = store.begin(entry);
    const slow = writer.follow(LARGE);
    const fast = writer.follow(LARGE);
    const finished: string[] = [];
    const gate = deferred();
    // The slow reader parks after its first chunk until the fast reader and
    // the commit are done: had either waited for it, they would never finish.
    const slowDone = (async () => {
      const parts = await readAtLeast(slow, 1);
      await gate.promise;
      for (let chunk = await slow.read(); chunk; chunk = await slow.read()) {
        parts.push(chunk.slice());
        await new Promise((resolve) => setTimeout(resolve, 1)); // reads with pauses
      }
      finished.push("slow");
      return concatBytes(parts);
    })();
    const fastDone = readAll(fast).then((bytes) => {
      finished.push("fast");
      return bytes;
    });
    await writeAll(writer, body);
    assert.equal(
      await withDeadline(writer.commit(LARGE), BOUND_MS, "commit"),
      true,
    );
    assert.deepEqual(
      await withDeadline(fastDone, BOUND_MS, "the fast reader"),
      body,
    );
    gate.resolve();
    assert.deepEqual(
      await withDeadline(slowDone, BOUND_MS, "the slow reader"),
      body,
    );
    assert.deepEqual(finished, ["fast", "slow"]);
    assert.deepEqual(await bodyOf(store, await only(store, entry)), body);
  });

  test("follow() cancel() stops that reader only, a pending read included", async (store) => {
    const body = bodyBytes(LARGE, 11);
    const writer = store.begin(draft("http://f.example/cancel"));
    const waiting = writer.follow(LARGE);
    const pending = waiting.read(); // nothing written yet: it waits
    await waiting.cancel();
    assert.equal(await pending, null);
    const early = writer.follow(LARGE);
    const kept = writer.follow(LARGE);
    const reading = drain(kept);
    await writer.write(body.subarray(0, 2 * 1024 * 1024));
    assert.ok((await early.read())?.length);
    await early.cancel();
    assert.equal(await early.read(), null);
    assert.equal(await waiting.read(), null);
    await writer.write(body.subarray(2 * 1024 * 1024));
    assert.equal(await writer.commit(LARGE), true);
    assert.deepEqual(await reading, body);
  });

  test("follow() on a writer of a closed store throws", async (store) => {
    await store.close();
    const writer = store.begin(draft("http://f.example/closed"));
    await writer.write(bodyBytes(10));
    await assert.rejects(writer.follow(10).read(), FAILED);
    assert.equal(await writer.commit(10), false);
  });
}
