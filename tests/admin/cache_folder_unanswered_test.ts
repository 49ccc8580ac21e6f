/**
 * Found by the review of issue 12: `cachelab cache` (admin/cache_folder.ts) when the proxy that
 * holds the folder is alive but its admin listener never answers (the
 * process stopped with SIGSTOP, or hung): the command must end with one
 * line and exit 1 rather than wait forever. The holder here is this test
 * process: it locks the folder and records the address of a listener that
 * accepts connections and reads, but never answers.
 */

import assert from "../helpers/assert.ts";
import { runCachelab } from "../helpers/cli_process.ts";
import { lockFolder } from "../../cache/folder_lock.ts";

Deno.test("cachelab cache ls exits 1 with one line when the holding proxy's admin listener never answers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-r12-" });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn); // never answered
  })();
  const admin = `http://127.0.0.1:${listener.addr.port}`;
  const lock = await lockFolder(dir, { pid: Deno.pid, admin });
  try {
    // runToEnd's own bound (30 s) fails the test if the command never ends.
    const result = await runCachelab(["cache", "ls", "--cache-dir", dir]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^cachelab: Cannot run cache ls: .*\n$/);
  } finally {
    await lock.release();
    listener.close();
    await accepting.catch(() => {});
    for (const conn of held) conn.close();
    await Deno.remove(dir, { recursive: true });
  }
});
