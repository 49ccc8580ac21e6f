import assert from "../helpers/assert.ts";
import { withDeadline } from "../helpers/deadline.ts";
import type { BodyReader } from "../../http/types.ts";
import { countingIds, fileFixture, filesOf, pathIn } from "./file_fixture.ts";
import { concatBytes } from "../../http/bytes.ts";
import {
  bodyBytes,
  draft,
  only,
  put,
  readAll,
  readAtLeast,
  writeAll,
} from "./store_helpers.ts";

const KEY = "http://follow.example/body";
const LARGE = 3 * 1024 * 1024;

/** Reads a body to its end: the bytes (copied) and the distinct buffers its chunks were views of. */
async function collect(
  reader: BodyReader,
): Promise<{ bytes: Uint8Array; buffers: Set<ArrayBufferLike> }> {
  const bytes = new Uint8Array(reader.length ?? 0);
  const buffers = new Set<ArrayBufferLike>();
  let at = 0;
  for (let chunk = await reader.read(); chunk; chunk = await reader.read()) {
    bytes.set(chunk, at);
    at += chunk.length;
    buffers.add(chunk.buffer);
  }
  assert.equal(at, bytes.length);
  return { bytes, buffers };
}

Deno.test("FileStore follow() reads a streamed body through one buffer per follower", async () => {
  const fixture = await fileFixture();
  try {
    const body = bodyBytes(LARGE, 1);
    const writer = fixture.store.begin(draft(KEY));
    await writeAll(writer, body.subarray(0, 2 * 1024 * 1024)); // past the in-memory part: on disk only
    const reading = [writer.follow(LARGE), writer.follow(LARGE)].map(collect);
    await writeAll(writer, body.subarray(2 * 1024 * 1024));
    assert.equal(await writer.commit(LARGE), true);
    const [a, b] = await Promise.all(reading);
    assert.deepEqual(a!.bytes, body);
    assert.deepEqual(b!.bytes, body);
    assert.equal(
      a!.buffers.size,
      1,
      "a follower allocated more than one buffer",
    );
    assert.equal(b!.buffers.size, 1);
    assert.notEqual([...a!.buffers][0], [...b!.buffers][0]);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore follow() keeps reading its body when the entry is replaced meanwhile", async () => {
  const fixture = await fileFixture();
  try {
    const body = bodyBytes(LARGE, 2);
    const writer = fixture.store.begin(draft(KEY));
    const follower = writer.follow(LARGE);
    await writeAll(writer, body);
    assert.equal(await writer.commit(LARGE), true);
    const first = (await follower.read())!.slice();
    const fresh = await put(
      fixture.store,
      draft(KEY, [], 5_000),
      bodyBytes(100, 3),
    );
    assert.deepEqual(await filesOf(fixture.dir, KEY), [
      fresh.bodyFile,
      "default.json",
    ]);
    const whole = new Uint8Array(LARGE);
    whole.set(first);
    let at = first.length;
    for (
      let chunk = await follower.read();
      chunk;
      chunk = await follower.read()
    ) {
      whole.set(chunk, at);
      at += chunk.length;
    }
    assert.equal(at, LARGE);
    assert.deepEqual(whole, body);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore follow() after commit() throws when the streamed body was removed since", async () => {
  const fixture = await fileFixture();
  try {
    const writer = fixture.store.begin(draft(KEY));
    await writeAll(writer, bodyBytes(LARGE, 4));
    assert.equal(await writer.commit(LARGE), true);
    await fixture.store.remove(await only(fixture.store, draft(KEY)));
    await assert.rejects(
      readAll(writer.follow()),
      /Cannot read cached body: the body file is gone/,
    );
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore close() stops a follower of a committed body and closes its file", async () => {
  const fixture = await fileFixture();
  try {
    const writer = fixture.store.begin(draft(KEY));
    const follower = writer.follow(LARGE);
    await writeAll(writer, bodyBytes(LARGE, 5));
    assert.equal(await writer.commit(LARGE), true);
    assert.ok(await follower.read());
    await fixture.store.close();
    await assert.rejects(
      follower.read(),
      /Cannot read cached body: the store was closed/,
    );
  } finally {
    await fixture.dispose();
  }
});

/** Makes the temp file of the first write to `key` in a fixture with countingIds() be /dev/full. */
async function fullDisk(dir: string, key: string): Promise<void> {
  await Deno.symlink("/dev/full", pathIn(dir, key, "default-id0001.body.tmp"));
}

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

Deno.test("FileStore follow() reads the whole body when a streamed write fails on a full disk, and nothing is stored", async () => {
  const fixture = await fileFixture({ newWriteId: countingIds() });
  try {
    await fullDisk(fixture.dir, KEY);
    const body = bodyBytes(LARGE, 6);
    const writer = fixture.store.begin(draft(KEY));
    const reading = [writer.follow(LARGE), writer.follow(LARGE)].map(collect);
    const storing: boolean[] = [];
    for (let at = 0; at < LARGE; at += 400_000) {
      storing.push(await writer.write(body.subarray(at, at + 400_000))); // never rejects
    }
    assert.deepEqual(storing.slice(0, 2), [true, true], "held in memory");
    assert.equal(storing.at(-1), false, "the write to the disk failed");
    assert.equal(fixture.store.stats.writeErrors, 1);
    assert.equal(await writer.commit(LARGE), false);
    const read = await withDeadline(
      Promise.all(reading),
      10_000,
      "the followers",
    );
    for (const { bytes } of read) assert.deepEqual(bytes, body);
    assert.equal(fixture.store.stats.writeErrors, 1);
    assert.deepEqual(fixture.store.variants(KEY), []);
    assert.deepEqual(await filesOf(fixture.dir, KEY), []);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore write() after a failed write waits for the slowest follower, and a follower started once bytes were let go throws", async () => {
  const fixture = await fileFixture({ newWriteId: countingIds() });
  try {
    await fullDisk(fixture.dir, KEY);
    const body = bodyBytes(LARGE, 7);
    const writer = fixture.store.begin(draft(KEY));
    const idle = writer.follow(LARGE);
    const busy = writer.follow(LARGE);
    assert.equal(await writer.write(body.subarray(0, 1_000_000)), true); // held in memory
    assert.equal(
      await writer.write(body.subarray(1_000_000, 1_500_000)),
      false,
      "the disk failed: the failing write says so at once",
    ); // 1.5 MB held
    const next = writer.write(body.subarray(1_500_000, 2_000_000));
    assert.equal(
      await settlesSoon(next),
      false,
      "wrote on past the backlog while a follower read nothing",
    );
    const first = await readAtLeast(busy, 2_000_000);
    assert.equal(await settlesSoon(next), false, "the idle one holds it back");
    await idle.cancel(); // the slowest follower leaves: what the other one read goes
    assert.equal(await withDeadline(next, 10_000, "the write"), false);
    const late = writer.follow(LARGE);
    await assert.rejects(
      readAll(late),
      /Cannot read cached body: the write failed and byte 0 on were let go/,
    );
    const busyRead = readRest(busy);
    await writeAll(writer, body.subarray(2_000_000), 400_000);
    await writer.discard(LARGE);
    const rest = await withDeadline(busyRead, 10_000, "the follower");
    assert.deepEqual(concatBytes([...first, rest]), body);
    assert.deepEqual(fixture.store.variants(KEY), []);
    assert.deepEqual(await filesOf(fixture.dir, KEY), []);
  } finally {
    await fixture.dispose();
  }
});

Deno.test("FileStore commit() ends the followers of a body whose write failed cleanly at its size, and makes them throw at another size", async () => {
  for (const claimed of [LARGE, LARGE - 1]) {
    const fixture = await fileFixture({ newWriteId: countingIds() });
    try {
      await fullDisk(fixture.dir, KEY);
      const body = bodyBytes(LARGE, 8);
      const writer = fixture.store.begin(draft(KEY));
      const reading = readAll(writer.follow(LARGE)).catch((error: Error) =>
        error
      );
      await writeAll(writer, body, 400_000);
      assert.equal(await writer.commit(claimed), false);
      const got = await withDeadline(reading, 10_000, "the follower");
      if (claimed === LARGE) {
        assert.ok(got instanceof Uint8Array, String(got));
        assert.deepEqual(got, body);
      } else {
        assert.match(
          String(got),
          /Error: Cannot read cached body: the write ended at 3145727 bytes, not the 3145728 written/,
        );
      }
    } finally {
      await fixture.dispose();
    }
  }
});
