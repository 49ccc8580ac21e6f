import assert from "../helpers/assert.ts";
import { readAll } from "../../http/body.ts";
import {
  FILE_CHUNK_SIZE,
  fileBody,
  readRange,
} from "../../origin/file_body.ts";
import { BIG_SIZE, makeFixture } from "./fixtures.ts";

Deno.test("fileBody() yields exactly the range in fresh chunks and closes the file", async () => {
  await using fx = await makeFixture();
  const file = await Deno.open(`${fx.root}/big.bin`);
  const body = fileBody(file, 100, 150_000);
  assert.equal(body.length, 150_000);
  const chunks: Uint8Array[] = [];
  for (let c = await body.read(); c !== null; c = await body.read()) {
    chunks.push(c);
  }
  assert.deepEqual(chunks.map((c) => c.length), [
    FILE_CHUNK_SIZE,
    FILE_CHUNK_SIZE,
    150_000 - 2 * FILE_CHUNK_SIZE,
  ]);
  assert.notEqual(
    chunks[0]!.buffer,
    chunks[1]!.buffer,
    "chunks are never reused",
  );
  const joined = new Uint8Array(150_000);
  let at = 0;
  for (const c of chunks) {
    joined.set(c, at);
    at += c.length;
  }
  assert.deepEqual(joined, fx.big.subarray(100, 150_100));
  assert.equal(
    await body.read(),
    null,
    "reading past the end stays at the end",
  );
});

Deno.test("fileBody() throws when the file is shorter than the length and closes it", async () => {
  await using fx = await makeFixture();
  const file = await Deno.open(`${fx.root}/big.bin`);
  const body = fileBody(file, BIG_SIZE - 10, 20);
  await assert.rejects(
    readAll(body),
    /Cannot read file: it ended 10 bytes early/,
  );
  await body.cancel(); // closing twice is harmless
});

Deno.test("fileBody() closes the file on cancel before any read", async () => {
  await using fx = await makeFixture();
  const file = await Deno.open(`${fx.root}/big.bin`);
  const body = fileBody(file, 0, BIG_SIZE);
  await body.cancel();
  assert.equal(await body.read(), null);
});

Deno.test("readRange() reads a range into memory and throws when the file is short", async () => {
  await using fx = await makeFixture();
  using file = await Deno.open(`${fx.root}/big.bin`);
  assert.deepEqual(await readRange(file, 5, 10), fx.big.subarray(5, 15));
  await assert.rejects(readRange(file, BIG_SIZE - 1, 2), /ended 1 bytes early/);
});
