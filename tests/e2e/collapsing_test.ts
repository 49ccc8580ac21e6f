/**
 * End-to-end tests of request collapsing with a slow client: a request
 * that arrives while another one fills the same key must not be held
 * back by the pace at which that other client reads; and twenty
 * concurrent misses for a large object make one upstream request.
 */

import assert from "../helpers/assert.ts";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { withDeadline } from "../helpers/deadline.ts";
import { Lab, pollUntil, randomBytes, sha256 } from "./helpers.ts";

const SIZE = 32 * 1024 * 1024;

/** What one raw client got. */
interface Download {
  status: number;
  cacheStatus: string;
  bytes: number;
  sha256: string;
}

/**
 * GETs `path` from 127.0.0.1:port on a connection of its own and reads
 * the Content-Length body in 16 KiB reads, pausing after each read while
 * `pace()` names a rate in bytes per second (pacing, never an oracle).
 */
async function download(
  port: number,
  how: { path: string; pace: () => number | undefined },
): Promise<Download> {
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const request = `GET ${how.path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    "Connection: close\r\n\r\n";
  await conn.write(new TextEncoder().encode(request));
  const buffer = new Uint8Array(16 * 1024);
  let head = "";
  let rest = new Uint8Array(0);
  while (!head.includes("\r\n\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error(`Cannot read a head: ${head}`);
    const text = new TextDecoder("latin1").decode(buffer.subarray(0, n));
    const end = (head + text).indexOf("\r\n\r\n");
    if (end !== -1) rest = buffer.slice(end + 4 - head.length, n);
    head += text;
  }
  head = head.slice(0, head.indexOf("\r\n\r\n"));
  const field = (name: string) =>
    new RegExp(`^${name}: *(.*)$`, "im").exec(head)?.[1]?.trim() ?? "";
  const length = Number(field("content-length"));
  const hash = createHash("sha256").update(rest);
  let bytes = rest.length;
  while (bytes < length) {
    const n = await conn.read(buffer);
    if (n === null) break;
    hash.update(buffer.subarray(0, n));
    bytes += n;
    const rate = how.pace();
    if (rate) await new Promise((r) => setTimeout(r, (n / rate) * 1000));
  }
  return {
    status: Number(head.split(" ")[1]),
    cacheStatus: field("cache-status"),
    bytes,
    sha256: hash.digest("hex"),
  };
}

Deno.test("cachelab proxy answers 20 concurrent misses for a 32 MiB object with one upstream request, every body byte-exact, a slow client holding back none of the others", async () => {
  const content = randomBytes(SIZE);
  const expected = await sha256(content);
  await using lab = await Lab.create({ "big.bin": content });
  const origin = await lab.origin(["--max-age", "60"]);
  const proxy = await lab.proxy(origin.port);

  const finished: string[] = [];
  let othersDone = false;
  const slow = download(proxy.port, {
    path: "/big.bin",
    pace: () => othersDone ? undefined : 200_000, // about 200 KB/s, then full speed
  }).finally(() => finished.push("slow"));
  const others = Array.from(
    { length: 19 },
    (_, i) =>
      download(proxy.port, { path: "/big.bin", pace: () => undefined })
        .finally(() => finished.push(`fast ${i}`)),
  );
  const fast = await withDeadline(
    Promise.all(others),
    60_000,
    "the 19 other downloads",
  );
  othersDone = true;
  const slowResult = await withDeadline(slow, 60_000, "the slow download");

  assert.equal(finished.length, 20);
  assert.equal(finished.at(-1), "slow", "all 19 others finished first");
  for (const got of [slowResult, ...fast]) {
    assert.equal(got.status, 200);
    assert.equal(got.bytes, SIZE);
    assert.equal(got.sha256, expected);
  }
  const log = await proxy.waitForAccessLines(20);
  assert.equal(log.filter((l) => l.result === "MISS").length, 1);
  assert.equal(log.filter((l) => l.result === "HIT").length, 19);
  assert.deepEqual(await lab.stopAll(), [0, 0]);
  assert.equal(
    origin.accessLog().length,
    1,
    "exactly one request reached the origin",
  );
});

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
