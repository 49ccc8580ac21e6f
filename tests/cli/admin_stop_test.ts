/**
 * CLI test of stopping `cachelab proxy` while someone follows its admin
 * listener's `/api/events` (the live page does, as long as it is open):
 * SIGTERM must still stop the process ("SIGINT or SIGTERM stops it
 * gracefully", `--help`).
 */

import assert from "../helpers/assert.ts";
import { LineProcess } from "../helpers/cli_process.ts";
import { withDeadline } from "../helpers/deadline.ts";

const ADMIN = /^admin on (http:\/\/127\.0\.0\.1:\d+)$/;

Deno.test("main.ts proxy exits on SIGTERM when an /api/events subscriber is connected", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-admin-stop-" });
  try {
    await using proxy = await LineProcess.cachelab([
      "proxy",
      "0",
      "--cache-dir",
      dir,
      "--quiet",
    ]);
    await proxy.nextLine();
    const admin = ADMIN.exec((await proxy.nextLine()) ?? "")?.[1];
    assert.ok(admin, `stdout: ${proxy.seen.join(" / ")}`);
    const events = await withDeadline(
      fetch(`${admin}/api/events`),
      10_000,
      "subscribing",
    );
    assert.equal(events.status, 200);
    const reader = events.body!.getReader();
    try {
      proxy.signal("SIGTERM");
      let finished;
      try {
        finished = await proxy.finish(15_000);
      } catch (error) {
        assert.fail(`still running 15 s after SIGTERM: ${error}`);
      }
      assert.equal(finished.code, 0);
    } finally {
      await reader.cancel().catch(() => {});
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
