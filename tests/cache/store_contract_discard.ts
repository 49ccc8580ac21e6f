/**
 * Owns the Store contract tests of writes that end whole without being
 * stored: discard() (a body found untrustworthy at its end) and a commit
 * that cannot switch the entry in. Their followers end cleanly at the
 * size written (the body is complete), nothing is stored, the older
 * entry stays; a size other than the one written still makes them throw.
 * Bodies come in two sizes: one a file store holds in memory while
 * writing, one it streams to a temp file.
 *
 * Must not know which store it runs against.
 */

import assert from "../helpers/assert.ts";
import { concatBytes } from "../../http/bytes.ts";
import { withDeadline } from "../helpers/deadline.ts";
import type { BodyReader } from "../../http/types.ts";
import {
  bodyBytes,
  bodyOf,
  type ContractTest,
  draft,
  type FaultTest,
  put,
  readAll,
  readAtLeast,
  writeAll,
} from "./store_helpers.ts";

const SMALL = 5_000;
const LARGE = 3 * 1024 * 1024;
const SIZES = [["a small body", SMALL], ["a large body", LARGE]] as const;
const BOUND_MS = 20_000; // a guard against hangs, never an oracle

/** True when `promise` settled within a short pause (a guard: it can only miss a bug, never invent one). */
async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => settled = true, () => settled = true);
  await new Promise((resolve) => setTimeout(resolve, 20));
  return settled;
}

/** Reads a follower on to its end (copies), or the error it threw. */
async function readRest(reader: BodyReader): Promise<Uint8Array | Error> {
  const parts: Uint8Array[] = [];
  try {
    for (let chunk = await reader.read(); chunk; chunk = await reader.read()) {
      parts.push(chunk.slice());
    }
  } catch (error) {
    return error as Error;
  }
  return concatBytes(parts);
}

/** Registers the discard() tests, and those of a commit that fails at the switch. */
export function discardContract(
  test: ContractTest,
  faultTest: FaultTest,
): void {
  for (const [what, size] of SIZES) {
    test(`discard() ends the followers of ${what} cleanly at the size written, stores nothing and keeps the older entry`, async (store) => {
      const entry = draft(`http://d.example/whole-${size}`);
      const old = await put(store, entry, bodyBytes(100, 1));
      const body = bodyBytes(size, 2);
      const writer = store.begin(draft(entry.key, [], 5_000));
      const early = writer.follow(size);
      const half = Math.floor(size / 2);
      await writeAll(writer, body.subarray(0, half), 40_000);
      const late = writer.follow(size);
      await writeAll(writer, body.subarray(half), 40_000);
      const first = await readAtLeast(early, half); // part read before the end
      const end = readRest(early);
      assert.equal(await settlesSoon(end), false, "ended before discard()");
      await writer.discard(size);
      const rest = await withDeadline(end, BOUND_MS, "the early follower");
      assert.ok(rest instanceof Uint8Array, String(rest));
      assert.deepEqual(concatBytes([...first, rest]), body);
      assert.deepEqual(await readAll(late), body);
      assert.deepEqual(await store.variants(entry.key), [old]);
      assert.deepEqual(await bodyOf(store, old), bodyBytes(100, 1));
      assert.equal(store.stats.entries, 1);
      assert.equal(await writer.commit(size), false, "commit after discard");
      await writer.abort(); // changes nothing
      assert.deepEqual(await store.variants(entry.key), [old]);
    });

    test(`follow() started after discard() of ${what} reads the body while an earlier follower holds it`, async (store) => {
      const body = bodyBytes(size, 3);
      const writer = store.begin(draft(`http://d.example/late-${size}`));
      const early = writer.follow(size);
      await writeAll(writer, body, 40_000);
      await writer.discard(size);
      const late = writer.follow();
      assert.equal(late.length, size, "length is the complete body's size");
      assert.deepEqual(await readAll(late), body);
      assert.deepEqual(await readAll(early), body);
    });

    test(`discard() of ${what} makes followers throw when the size differs from the bytes written`, async (store) => {
      for (const claimed of [size - 1, size + 1]) {
        const writer = store.begin(draft(`http://d.example/size-${size}`));
        const reading = readRest(writer.follow());
        await writeAll(writer, bodyBytes(size, 4), 40_000);
        await writer.discard(claimed);
        assert.match(
          String(await withDeadline(reading, BOUND_MS, "the follower")),
          /^Error: Cannot read cached body: /,
        );
        await assert.rejects(
          writer.follow().read(),
          /Cannot read cached body: /,
        );
      }
    });

    faultTest(
      `commit() that fails at the switch ends the followers of ${what} cleanly at the size written`,
      async (store, faults) => {
        const entry = draft(`http://d.example/switch-${size}`);
        const body = bodyBytes(size, 5);
        await faults.failSwitch(entry);
        const writer = store.begin(entry);
        const early = writer.follow(size);
        await writeAll(writer, body.subarray(0, size / 2), 40_000);
        const first = await readAtLeast(early, 1);
        const late = writer.follow(size);
        await writeAll(writer, body.subarray(size / 2), 40_000);
        assert.equal(await writer.commit(size), false);
        const rest = await withDeadline(
          readRest(early),
          BOUND_MS,
          "a follower",
        );
        assert.ok(rest instanceof Uint8Array, String(rest));
        assert.deepEqual(concatBytes([...first, rest]), body);
        assert.deepEqual(await readAll(late), body);
        assert.deepEqual(await store.variants(entry.key), []);
        assert.equal(store.stats.writeErrors, 1);
      },
    );
  }

  test("discard() of an empty body ends its followers cleanly", async (store) => {
    const writer = store.begin(draft("http://d.example/empty"));
    const follower = writer.follow(0);
    const end = follower.read();
    assert.equal(await settlesSoon(end), false, "ended before discard()");
    await writer.discard(0);
    assert.equal(await end, null);
    assert.deepEqual(await store.variants("http://d.example/empty"), []);
  });

  test("discard() after abort() leaves the followers throwing", async (store) => {
    const writer = store.begin(draft("http://d.example/aborted"));
    const follower = writer.follow(10);
    await writer.write(bodyBytes(10));
    await writer.abort();
    await writer.discard(10);
    await assert.rejects(
      follower.read(),
      /Cannot read cached body: the fill was aborted/,
    );
    assert.deepEqual(await store.variants("http://d.example/aborted"), []);
  });

  test("write() resolves to true while the entry can be stored, and to false once it ended", async (store) => {
    const writer = store.begin(draft("http://d.example/storing"));
    assert.equal(await writer.write(bodyBytes(10)), true);
    await writer.discard(10);
    assert.equal(await writer.write(bodyBytes(10)), false);
    const committed = store.begin(draft("http://d.example/committed"));
    assert.equal(await committed.write(bodyBytes(10)), true);
    assert.equal(await committed.commit(10), true);
    assert.equal(await committed.write(bodyBytes(10)), false);
  });
}
