/** Tests the bench origin's files and log counting (scripts/bench/origin_files.ts). */

import assert from "../helpers/assert.ts";
import { LogLines, writeBenchFiles } from "../../scripts/bench/origin_files.ts";

Deno.test("LogLines counts complete lines as the file grows", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-bench-test-" });
  try {
    const path = `${dir}/origin.log`;
    await Deno.writeTextFile(path, "serving\n");
    const lines = new LogLines(path);
    assert.equal(await lines.count(), 1);
    await Deno.writeTextFile(path, "GET /a\nGET /b\n", { append: true });
    assert.equal(await lines.count(), 3);
    assert.equal(await lines.count(), 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LogLines.lines() gives the complete lines written since the last call and leaves a line being written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-bench-test-" });
  try {
    const path = `${dir}/origin.log`;
    await Deno.writeTextFile(path, "serving\nGET /a\nGET /b");
    const lines = new LogLines(path);
    assert.deepEqual(await lines.lines(), ["serving", "GET /a"]);
    assert.deepEqual(await lines.lines(), []);
    await Deno.writeTextFile(path, "?x HTTP/1.1\n\n", { append: true });
    assert.deepEqual(await lines.lines(), ["GET /b?x HTTP/1.1", ""]);
    assert.equal(await lines.count(), 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeBenchFiles() writes each file at its exact size, larger than one block too", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-bench-test-" });
  try {
    const files = [
      { path: "/1k.bin", bytes: 1024 },
      { path: "/odd.bin", bytes: 1024 * 1024 * 2 + 7 },
    ];
    await writeBenchFiles(dir, files);
    for (const file of files) {
      assert.equal((await Deno.stat(`${dir}${file.path}`)).size, file.bytes);
    }
    const small = await Deno.readFile(`${dir}/1k.bin`);
    assert.ok(small.some((byte) => byte !== 0), "random bytes, not zeros");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
