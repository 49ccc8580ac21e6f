/**
 * End-to-end test of a large cached object: stored through a real proxy,
 * served as a hit byte-exact (SHA-256 against the file), and byte ranges
 * of it answered from the cache with 206 and the exact bytes.
 */

import assert from "../helpers/assert.ts";
import { Lab, randomBytes, sha256 } from "./helpers.ts";

const SIZE = 32 * 1024 * 1024;
const HIT = /^cachelab; hit; ttl=\d+$/;

Deno.test("cachelab proxy serves a 32 MiB hit byte-exact and answers ranges of it from the cache with 206", async () => {
  const content = randomBytes(SIZE);
  const expected = await sha256(content);
  await using lab = await Lab.create({ "large.bin": content });
  const origin = await lab.origin(["--max-age", "60"]);
  const proxy = await lab.proxy(origin.port);
  const url = proxy.url("/large.bin");

  const miss = await lab.curl(url, { bodyOnDisk: true });
  assert.equal(miss.status, 200);
  assert.equal(
    miss.headers.get("cache-status"),
    "cachelab; fwd=uri-miss; fwd-status=200; detail=storing",
  );
  assert.equal(await sha256(miss.bodyPath), expected);
  await proxy.waitForAccessLines(1);

  const hit = await lab.curl(url, { bodyOnDisk: true });
  assert.equal(hit.status, 200);
  assert.match(hit.headers.get("cache-status") ?? "", HIT);
  assert.equal(hit.headers.get("content-length"), String(SIZE));
  assert.equal((await Deno.stat(hit.bodyPath)).size, SIZE);
  assert.equal(await sha256(hit.bodyPath), expected);

  const start = SIZE / 2 - 12_345;
  const end = SIZE / 2 + 54_321;
  const middle = await lab.curl(url, { range: `${start}-${end}` });
  assert.equal(middle.status, 206);
  assert.match(middle.headers.get("cache-status") ?? "", HIT);
  assert.equal(
    middle.headers.get("content-range"),
    `bytes ${start}-${end}/${SIZE}`,
  );
  assert.equal(middle.headers.get("content-length"), String(end - start + 1));
  assert.equal(
    await sha256(middle.body),
    await sha256(content.subarray(start, end + 1)),
  );

  using client = Deno.createHttpClient({});
  const tail = await fetch(url, { client, headers: { Range: "bytes=-1000" } });
  assert.equal(tail.status, 206);
  assert.equal(
    tail.headers.get("content-range"),
    `bytes ${SIZE - 1000}-${SIZE - 1}/${SIZE}`,
  );
  assert.deepEqual(
    new Uint8Array(await tail.arrayBuffer()),
    content.subarray(SIZE - 1000),
  );

  const log = await proxy.waitForAccessLines(4);
  assert.deepEqual(log.map((l) => `${l.status} ${l.result}`), [
    "200 MISS",
    "200 HIT",
    "206 HIT",
    "206 HIT",
  ]);
  assert.deepEqual(await lab.stopAll(), [0, 0]);
  assert.equal(
    origin.accessLog().length,
    1,
    "only the miss reached the origin",
  );
});
