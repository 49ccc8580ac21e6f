/**
 * Tests cli/start_file.ts: a start-up file (--script) is read only when it
 * is a regular file within its size cap.
 */

import * as assert from "node:assert/strict";
import { pathText, readStartFile } from "../../cli/start_file.ts";

Deno.test("readStartFile() refuses a device such as /dev/zero rather than reading it without end", async () => {
  await assert.rejects(
    () => readStartFile("/dev/zero", 1024),
    /^Error: is a device, not a regular file$/,
  );
});

Deno.test("readStartFile() refuses a FIFO without opening it", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "cachelab-start-file-" });
  try {
    const fifo = `${tmp}/script.json`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.equal(made.code, 0);
    await assert.rejects(
      () => readStartFile(fifo, 1024),
      /^Error: is a FIFO, not a regular file$/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("readStartFile() refuses a regular file larger than the cap and reads one at the cap", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "cachelab-start-file-" });
  try {
    await Deno.writeTextFile(`${tmp}/big`, "x".repeat(1025));
    await assert.rejects(
      () => readStartFile(`${tmp}/big`, 1024),
      /^Error: is larger than 1024 bytes$/,
    );
    await Deno.writeTextFile(`${tmp}/fits`, "y".repeat(1024));
    assert.equal(await readStartFile(`${tmp}/fits`, 1024), "y".repeat(1024));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("pathText() JSON-quotes a path with a line feed or a space and leaves a plain one as given", () => {
  assert.equal(pathText("a/b.json"), "a/b.json");
  assert.equal(pathText("a\nb"), '"a\\nb"');
  assert.equal(pathText("a b"), '"a b"');
});

Deno.test("readStartFile() gives a one-line reason without the path when a path with a line feed is missing", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "cachelab-start-file-" });
  try {
    await assert.rejects(
      () => readStartFile(`${tmp}/no\nsuch.json`, 1024),
      /^Error: No such file or directory \(os error 2\)$/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
