/** Tests the bench origin's files and log counting (scripts/bench/origin_files.ts). */

import assert from "../helpers/assert.ts";
import {
  countNewlines,
  LogLines,
  writeBenchFiles,
} from "../../scripts/bench/origin_files.ts";

Deno.test("countNewlines() counts line feeds only", () => {
  const bytes = new TextEncoder().encode("a\nb\r\n\nc");
  assert.equal(countNewlines(bytes), 3);
  assert.equal(countNewlines(new Uint8Array()), 0);
});

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
