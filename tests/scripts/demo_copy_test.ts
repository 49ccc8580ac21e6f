import assert from "../helpers/assert.ts";
import { COPY_PARENT, copyDemo, removeCopy } from "../../scripts/demo_copy.ts";

Deno.test("copyDemo() copies folders and files into a new folder under /tmp, and removeCopy() removes it", async () => {
  const source = await Deno.makeTempDir({ prefix: "cachelab-demo-src-" });
  try {
    await Deno.mkdir(`${source}/notes/deep`, { recursive: true });
    await Deno.writeTextFile(`${source}/1.txt`, "one\n");
    await Deno.writeTextFile(`${source}/notes/deep/3.txt`, "three\n");
    const copy = await copyDemo(source);
    assert.ok(copy.startsWith(`${COPY_PARENT}/cachelab-demo-`), copy);
    assert.equal(await Deno.readTextFile(`${copy}/1.txt`), "one\n");
    assert.equal(
      await Deno.readTextFile(`${copy}/notes/deep/3.txt`),
      "three\n",
    );
    await Deno.writeTextFile(`${copy}/1.txt`, "edited\n", { append: true });
    assert.equal(await Deno.readTextFile(`${source}/1.txt`), "one\n");
    await removeCopy(copy);
    await assert.rejects(Deno.stat(copy), Deno.errors.NotFound);
    await removeCopy(copy); // already gone: fine
  } finally {
    await Deno.remove(source, { recursive: true });
  }
});

Deno.test("copyDemo() refuses an entry that is neither a folder nor a file, leaving no copy behind", async () => {
  const source = await Deno.makeTempDir({ prefix: "cachelab-demo-src-" });
  const parent = await Deno.makeTempDir({ prefix: "cachelab-demo-parent-" });
  try {
    await Deno.writeTextFile(`${source}/1.txt`, "one\n");
    await Deno.symlink(`${source}/1.txt`, `${source}/link`);
    await assert.rejects(copyDemo(source, parent), /Cannot copy .*link/);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(parent)), []);
  } finally {
    await Deno.remove(source, { recursive: true });
    await Deno.remove(parent, { recursive: true });
  }
});
