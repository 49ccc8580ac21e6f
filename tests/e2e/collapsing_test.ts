/**
 * End-to-end test of request collapsing with a slow client: a request
 * that arrives while another one fills the same key must not be held
 * back by the pace at which that other client reads.
 */

import assert from "../helpers/assert.ts";
import { join } from "node:path";
import { Lab, pollUntil, randomBytes, sha256 } from "./helpers.ts";

const SIZE = 32 * 1024 * 1024;

Deno.test({
  name:
    "cachelab proxy serves a collapsed request without waiting for the slow client of the fill it follows",
  fn: async () => {
    const content = randomBytes(SIZE);
    await using lab = await Lab.create({ "big.bin": content });
    const origin = await lab.origin(["--max-age", "60"]);
    const proxy = await lab.proxy(origin.port);

    const partial = join(lab.dir, "slow.body");
    const slow = new Deno.Command("curl", {
      args: [
        "-sS",
        "--max-time",
        "120",
        "--limit-rate",
        "100K",
        "-o",
        partial,
        proxy.url("/big.bin"),
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    let slowEnded = false;
    const slowStatus = slow.status.finally(() => slowEnded = true);
    try {
      await pollUntil(
        async () =>
          await Deno.stat(partial).then((s) => s.size > 0, () => false),
        "the slow client receiving bytes",
      );
      const fast = await lab.curl(proxy.url("/big.bin"), {
        bodyOnDisk: true,
        maxTimeS: 15,
      });
      assert.equal(
        fast.exitCode,
        0,
        "the follower got its response within 15 s",
      );
      assert.equal(fast.status, 200);
      assert.equal(await sha256(fast.bodyPath), await sha256(content));
      assert.ok(!slowEnded, "the fill it followed was still in flight");
    } finally {
      try {
        slow.kill("SIGKILL");
      } catch {
        // already ended
      }
      await slowStatus;
    }
    assert.deepEqual(await lab.stopAll(), [0, 0]);
  },
});
