/**
 * End-to-end tests of the assignment's walk-through: `main.ts origin` and
 * `main.ts proxy` as real processes, curl and fetch as clients. The access
 * logs the two processes write on stderr are the oracle: which requests
 * reached the origin, what it answered, what the proxy did.
 */

import assert from "../helpers/assert.ts";
import { join } from "node:path";
import { Lab } from "./helpers.ts";

const FILES = {
  "1.txt": "hello from the master server\n",
  "2.binary": new Uint8Array([0, 1, 2, 255, 254, 0, 7]),
};
const REVALIDATED = /^cachelab; fwd=stale; fwd-status=304(; ttl=-?\d+)?$/;

Deno.test("cachelab proxy revalidates with a 304 from the origin, then brings a changed file and revalidates it (the assignment's walk-through)", async () => {
  await using lab = await Lab.create(FILES);
  const origin = await lab.origin();
  const proxy = await lab.proxy(origin.port);
  const url = proxy.url("/1.txt");

  const first = await lab.curl(url);
  assert.equal(first.status, 200);
  assert.equal(first.text, FILES["1.txt"]);
  assert.equal(
    first.headers.get("cache-status"),
    "cachelab; fwd=uri-miss; fwd-status=200; stored",
  );

  const second = await lab.curl(url);
  assert.equal(second.status, 200);
  assert.equal(second.text, FILES["1.txt"], "the client still gets the body");
  assert.equal(second.headers.get("content-length"), String(first.body.length));
  assert.match(second.headers.get("cache-status") ?? "", REVALIDATED);
  const afterTwo = await origin.waitForAccessLines(2);
  assert.deepEqual(
    afterTwo.map((l) => `${l.request} ${l.status} ${l.bytes}`),
    [
      `GET /1.txt HTTP/1.1 200 ${first.body.length}`,
      "GET /1.txt HTTP/1.1 304 -", // revalidated: no body bytes from the origin
    ],
  );

  // Edit 1.txt: another size and a later mtime, so both validators change.
  const path = join(lab.root, "1.txt");
  const before = (await Deno.stat(path)).mtime!.getTime();
  const changed = "a new line\nand another, longer than before\n";
  await Deno.writeTextFile(path, changed);
  const later = new Date(Math.floor(before / 1000) * 1000 + 5000);
  await Deno.utime(path, later, later);

  const third = await lab.curl(url);
  assert.equal(third.status, 200);
  assert.equal(third.text, changed);
  assert.equal(
    third.headers.get("cache-status"),
    "cachelab; fwd=stale; fwd-status=200; stored",
  );
  // RFC 9110 §8.8.2.1: an mtime later than the origin's Date is sent as the Date
  const sentDate = Date.parse(third.headers.get("date")!);
  assert.equal(
    third.headers.get("last-modified"),
    new Date(Math.min(later.getTime(), sentDate)).toUTCString(),
  );
  assert.notEqual(third.headers.get("etag"), first.headers.get("etag"));

  const fourth = await lab.curl(url);
  assert.equal(fourth.status, 200);
  assert.equal(fourth.text, changed);
  assert.match(fourth.headers.get("cache-status") ?? "", REVALIDATED);
  assert.equal(fourth.headers.get("etag"), third.headers.get("etag"));

  const originLog = await origin.waitForAccessLines(4);
  assert.deepEqual(
    originLog.slice(2).map((l) => `${l.status} ${l.bytes}`),
    [`200 ${new TextEncoder().encode(changed).length}`, "304 -"],
    "the 304 shows the proxy asked with the new Last-Modified/ETag",
  );
  const proxyLog = await proxy.waitForAccessLines(4);
  assert.deepEqual(proxyLog.map((l) => l.result), [
    "MISS",
    "REVALIDATED",
    "MISS",
    "REVALIDATED",
  ]);
  assert.deepEqual(proxyLog.map((l) => l.status), [200, 200, 200, 200]);
  assert.deepEqual(await lab.stopAll(), [0, 0]);
});

Deno.test("cachelab proxy answers a fresh entry itself with Age when the origin sends --max-age 60", async () => {
  await using lab = await Lab.create(FILES);
  const origin = await lab.origin(["--max-age", "60"]);
  const proxy = await lab.proxy(origin.port);
  using client = Deno.createHttpClient({});

  const first = await fetch(proxy.url("/1.txt"), { client });
  assert.equal(await first.text(), FILES["1.txt"]);
  assert.equal(first.headers.get("cache-control"), "max-age=60");
  assert.equal(
    first.headers.get("cache-status"),
    "cachelab; fwd=uri-miss; fwd-status=200; stored",
  );
  await origin.waitForAccessLines(1);

  const second = await fetch(proxy.url("/1.txt"), { client });
  assert.equal(second.status, 200);
  assert.equal(await second.text(), FILES["1.txt"]);
  assert.match(
    second.headers.get("cache-status") ?? "",
    /^cachelab; hit; ttl=\d+$/,
  );
  assert.match(second.headers.get("age") ?? "", /^\d+$/);

  const proxyLog = await proxy.waitForAccessLines(2);
  assert.deepEqual(proxyLog.map((l) => l.result), ["MISS", "HIT"]);
  assert.deepEqual(await lab.stopAll(), [0, 0]);
  // Both have exited: their logs are complete.
  assert.deepEqual(
    origin.accessLog().map((l) => l.request),
    ["GET /1.txt HTTP/1.1"],
    "the hit never reached the origin",
  );
});
