/**
 * Tests that the bench's hit check (scripts/bench/hit_check.ts) counts
 * only the origin's log lines of the files it asked for. In a --quick
 * run on a busy machine the origin was still writing the log lines of
 * the last fresh-URL miss run while the check ran, and the report said
 * "cachelab: 36 of 1 hit-check request(s) reached the origin: /1k.bin
 * (cache-status: cachelab; hit; ...)", blaming a hit (review of issue 11).
 */

import assert from "../helpers/assert.ts";
import { checkHits } from "../../scripts/bench/hit_check.ts";
import { LogLines } from "../../scripts/bench/origin_files.ts";

/** Log lines of an earlier fresh-URL run that the origin writes late. */
const LATE_LINES = 36;

Deno.test("checkHits() does not blame a contender for origin log lines of other URLs written during its check", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-bench-test-" });
  const logPath = `${dir}/origin.log`;
  await Deno.writeTextFile(logPath, "");
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async () => {
      // A hit: the origin is not asked; its log grows with late lines of other URLs.
      let late = "";
      for (let i = 0; i < LATE_LINES; i++) {
        late +=
          `127.0.0.1 - - [30/Nov/2026:09:59:00 +0000] "GET /1k.bin?n=miss-${i} HTTP/1.1" 200 1024\n`;
      }
      await Deno.writeTextFile(logPath, late, { append: true });
      return new Response("x".repeat(10), { headers: { "X-Cache": "HIT" } });
    },
  );
  try {
    const log = new LogLines(logPath);
    await log.count(); // what was there before the check
    const target = {
      name: "fake",
      url: `http://127.0.0.1:${server.addr.port}`,
    };
    const problems = await checkHits(
      [target],
      [{ path: "/1k.bin", bytes: 10 }],
      log,
    );
    assert.deepEqual(problems, []);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
