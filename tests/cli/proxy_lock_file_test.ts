/**
 * Found by the review of issue 12: `cachelab proxy` on a folder whose `cachelab.lock` was
 * tampered with. A FIFO in its place cannot be locked; the one line on
 * stderr must say which file is at fault ("Cannot X: reason", STYLE.md),
 * not only the operating system's "Invalid argument (os error 22)".
 */

import assert from "../helpers/assert.ts";
import { runCachelab, runToEnd } from "../helpers/cli_process.ts";

Deno.test("main.ts proxy exits 1 naming cachelab.lock when the lock file is a FIFO", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-r12-" });
  try {
    const fifo = await runToEnd("mkfifo", [`${dir}/cachelab.lock`]);
    assert.equal(fifo.code, 0, fifo.stderr);
    const result = await runCachelab(["proxy", "0", "--cache-dir", dir]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      /^cachelab: Cannot start proxy: .*cachelab\.lock.*\n$/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
