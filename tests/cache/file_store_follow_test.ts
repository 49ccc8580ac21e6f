import assert from "../helpers/assert.ts";
import { withDeadline } from "../helpers/deadline.ts";
import type { BodyReader } from "../../http/types.ts";
import { countingIds, fileFixture, filesOf, pathIn } from "./file_fixture.ts";
import {
  bodyBytes,
  draft,
  only,
  put,
  readAll,
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
    await fixture.store.remove(only(fixture.store, draft(KEY)));
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

Deno.test("FileStore follow() throws as soon as a streamed write fails on a full disk", async () => {
  const fixture = await fileFixture({ newWriteId: countingIds() });
  try {
    await Deno.mkdir(pathIn(fixture.dir, KEY, ""), { recursive: true });
    await Deno.symlink(
      "/dev/full",
      pathIn(fixture.dir, KEY, "default-id0001.body.tmp"),
    );
    const writer = fixture.store.begin(draft(KEY));
    const follower = writer.follow(LARGE);
    const reading = readAll(follower).catch((error: Error) => error);
    await writeAll(writer, bodyBytes(LARGE, 6), 400_000); // never rejects
    const error = await withDeadline(reading, 10_000, "the follower");
    assert.match(String(error), /Cannot read cached body: the write failed/);
    assert.equal(await writer.commit(LARGE), false);
    assert.equal(fixture.store.stats.writeErrors, 1);
    assert.deepEqual(await filesOf(fixture.dir, KEY), []);
  } finally {
    await fixture.dispose();
  }
});
