/**
 * End-to-end test of partial content (RFC 9111 §3.3, §3.4) through the
 * real proxy process and its file store, in front of cachelab's origin
 * (which honours Range and If-Range): a range request on a miss stores
 * the 206 as a partial entry, a range within it is a hit, a range beyond
 * it asks the origin for the missing bytes only, and the parts that cover
 * the file make a complete entry a plain GET gets as a hit, byte-exact.
 * The origin's access log (status and bytes sent per request), curl and
 * the cache folder are the oracles.
 */

import assert from "../helpers/assert.ts";
import { Lab, listFiles, metaFiles, randomBytes, sha256 } from "./helpers.ts";

const SIZE = 4 * 1024 * 1024;
const HIT = /^cachelab; hit; ttl=\d+$/;

Deno.test("cachelab proxy stores a range as a partial entry, serves ranges within it, fetches only the missing bytes, and completes the entry (RFC 9111 §3.3, §3.4)", async () => {
  const content = randomBytes(SIZE);
  await using lab = await Lab.create({ "video.bin": content });
  const origin = await lab.origin(["--max-age", "60"]);
  const proxy = await lab.proxy(origin.port);
  const url = proxy.url("/video.bin");
  const part = (start: number, end: number) => content.subarray(start, end + 1);

  const first = await lab.curl(url, { range: "0-999999" });
  assert.equal(first.status, 206);
  assert.equal(first.headers.get("content-range"), `bytes 0-999999/${SIZE}`);
  assert.equal(
    first.headers.get("cache-status"),
    "cachelab; fwd=uri-miss; fwd-status=206; detail=storing",
  );
  assert.deepEqual(first.body, part(0, 999_999));
  await proxy.waitForAccessLines(1); // written once the part is stored
  const [stored] = await metaFiles(lab.cacheDir);
  assert.deepEqual(
    (stored?.json?.partial as { pieces: unknown[] } | undefined)?.pieces
      ?.length,
    1,
    "a partial entry on disk",
  );

  const inside = await lab.curl(url, { range: "1000-1999" });
  assert.equal(inside.status, 206);
  assert.match(inside.headers.get("cache-status") ?? "", HIT);
  assert.equal(inside.headers.get("content-range"), `bytes 1000-1999/${SIZE}`);
  assert.deepEqual(inside.body, part(1000, 1999));
  assert.equal(origin.accessLog().length, 1, "a hit does not reach the origin");

  const beyond = await lab.curl(url, { range: "500000-2499999" });
  assert.equal(beyond.status, 206);
  assert.equal(
    beyond.headers.get("content-range"),
    `bytes 500000-2499999/${SIZE}`,
  );
  assert.equal(
    beyond.headers.get("cache-status"),
    "cachelab; fwd=partial; fwd-status=206; detail=storing",
  );
  assert.deepEqual(beyond.body, part(500_000, 2_499_999));
  await proxy.waitForAccessLines(3);

  const rest = await lab.curl(url, { range: "2500000-" });
  assert.equal(rest.status, 206);
  assert.deepEqual(rest.body, part(2_500_000, SIZE - 1));
  await proxy.waitForAccessLines(4);

  const whole = await lab.curl(url, { bodyOnDisk: true });
  assert.equal(whole.status, 200);
  assert.match(whole.headers.get("cache-status") ?? "", HIT);
  assert.equal(whole.headers.get("content-length"), String(SIZE));
  assert.equal(await sha256(whole.bodyPath), await sha256(content));

  const log = await proxy.waitForAccessLines(5);
  assert.deepEqual(log.map((l) => `${l.status} ${l.result}`), [
    "206 MISS",
    "206 HIT",
    "206 PARTIAL",
    "206 PARTIAL",
    "200 HIT",
  ]);
  assert.deepEqual(
    origin.accessLog().map((l) => `${l.status} ${l.bytes}`),
    [
      "206 1000000",
      `206 ${2_500_000 - 1_000_000}`, // only the missing bytes
      `206 ${SIZE - 2_500_000}`,
    ],
  );
  const metas = await metaFiles(lab.cacheDir);
  assert.equal(metas.length, 1);
  assert.equal(metas[0]!.json?.partial, undefined, "the entry is complete");
  assert.equal(metas[0]!.json?.bodySize, SIZE);
  const bodies = (await listFiles(lab.cacheDir)).filter((f) =>
    f.endsWith(".body")
  );
  assert.equal(bodies.length, 1, "the parts were assembled and let go");
  assert.deepEqual(await lab.stopAll(), [0, 0]);
});
