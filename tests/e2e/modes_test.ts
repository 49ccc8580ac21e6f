/**
 * End-to-end tests of how requests reach the cache: reverse (origin-form)
 * and forward (absolute-form, curl -x and fetch through a proxy client)
 * requests share one entry when they name one target URI (the reverse
 * request's Host is its authority); Vary variants live side by
 * side; --no-cache writes nothing anywhere; --skip-binary stores text
 * only. Real processes, curl and fetch as clients, logs and the cache
 * folder as the oracle.
 */

import assert from "../helpers/assert.ts";
import { join } from "node:path";
import { countingUpstream } from "../helpers/cache_proxy.ts";
import { Lab, listFiles, storedKeys } from "./helpers.ts";

const FILES = {
  "1.txt": "text for everyone\n",
  "2.binary": new Uint8Array([0, 159, 146, 150, 0, 1]),
};
const STORED = "cachelab; fwd=uri-miss; fwd-status=200; stored";
const HIT = /^cachelab; hit; ttl=\d+$/;

Deno.test("cachelab proxy shares an entry between reverse and forward (curl -x, fetch proxy) requests only when the reverse request's Host names the same authority", async () => {
  await using lab = await Lab.create(FILES);
  const origin = await lab.origin(["--max-age", "60"]);
  const proxy = await lab.proxy(origin.port);
  const originHost = [`Host: 127.0.0.1:${origin.port}`];

  // curl names the proxy in Host: its target URI is the proxy's, not the origin's.
  const reverse = await lab.curl(proxy.url("/1.txt"));
  assert.equal(reverse.headers.get("cache-status"), STORED);
  const forward = await lab.curl(origin.url("/1.txt"), { proxy: proxy.url() });
  assert.equal(forward.text, FILES["1.txt"]);
  assert.equal(
    forward.headers.get("cache-status"),
    STORED,
    "a reverse request for another authority is not a hit for curl -x",
  );
  const reverseAsOrigin = await lab.curl(proxy.url("/1.txt"), {
    headers: originHost,
  });
  assert.equal(reverseAsOrigin.text, FILES["1.txt"]);
  assert.match(
    reverseAsOrigin.headers.get("cache-status") ?? "",
    HIT,
    "a reverse request naming the origin's authority is a hit on the curl -x store",
  );

  using client = Deno.createHttpClient({ proxy: { url: proxy.url() } });
  const viaFetch = await fetch(origin.url("/2.binary"), { client });
  assert.deepEqual(
    new Uint8Array(await viaFetch.arrayBuffer()),
    FILES["2.binary"],
  );
  assert.equal(viaFetch.headers.get("cache-status"), STORED);
  const reverseHit = await lab.curl(proxy.url("/2.binary"), {
    headers: originHost,
  });
  assert.deepEqual(reverseHit.body, FILES["2.binary"]);
  assert.match(
    reverseHit.headers.get("cache-status") ?? "",
    HIT,
    "a forward store is a hit for a reverse request naming the origin",
  );
  const reverseMiss = await lab.curl(proxy.url("/2.binary"));
  assert.deepEqual(reverseMiss.body, FILES["2.binary"]);
  assert.equal(
    reverseMiss.headers.get("cache-status"),
    STORED,
    "a reverse request naming the proxy is not",
  );

  const log = await proxy.waitForAccessLines(6);
  assert.deepEqual(log.map((l) => [l.request, l.result]), [
    ["GET /1.txt HTTP/1.1", "MISS"],
    [`GET ${origin.url("/1.txt")} HTTP/1.1`, "MISS"],
    ["GET /1.txt HTTP/1.1", "HIT"],
    [`GET ${origin.url("/2.binary")} HTTP/1.1`, "MISS"],
    ["GET /2.binary HTTP/1.1", "HIT"],
    ["GET /2.binary HTTP/1.1", "MISS"],
  ]);
  assert.deepEqual(
    await storedKeys(lab.cacheDir),
    [
      origin.url("/1.txt"),
      origin.url("/2.binary"),
      proxy.url("/1.txt"),
      proxy.url("/2.binary"),
    ].sort(),
  );
  assert.deepEqual(await lab.stopAll(), [0, 0]);
  assert.equal(
    origin.accessLog().length,
    4,
    "the hits never reached the origin",
  );
});

Deno.test("cachelab proxy stores Vary variants side by side and serves each to its own requests, forward or reverse", async () => {
  await using upstream = countingUpstream((req) => {
    const language = req.head.header("accept-language") ?? "none";
    const body = `page in ${language}`;
    return `HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nVary: Accept-Language\r\n` +
      `Content-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  });
  await using lab = await Lab.create();
  const proxy = await lab.proxy(upstream.port);
  // Reverse requests name the upstream's authority in Host, so they share
  // the forward requests' entries.
  const get = (language: string, forward = false) =>
    lab.curl(
      forward ? `http://127.0.0.1:${upstream.port}/page` : proxy.url("/page"),
      {
        headers: [
          `Accept-Language: ${language}`,
          ...(forward ? [] : [`Host: 127.0.0.1:${upstream.port}`]),
        ],
        proxy: forward ? proxy.url() : undefined,
      },
    );

  const en = await get("en");
  assert.equal(en.text, "page in en");
  assert.equal(en.headers.get("cache-status"), STORED);
  const fr = await get("fr");
  assert.equal(fr.text, "page in fr");
  assert.equal(
    fr.headers.get("cache-status"),
    "cachelab; fwd=vary-miss; fwd-status=200; stored",
  );
  for (
    const [language, forward] of [["en", false], ["fr", true], ["en", true], [
      "fr",
      false,
    ]] as const
  ) {
    const res = await get(language, forward);
    assert.equal(
      res.text,
      `page in ${language}`,
      `${language} forward=${forward}`,
    );
    assert.match(
      res.headers.get("cache-status") ?? "",
      HIT,
      `${language} forward=${forward}`,
    );
  }
  assert.deepEqual(
    upstream.requests.map((r) => r.head.header("accept-language")),
    ["en", "fr"],
  );
  const key = `http://127.0.0.1:${upstream.port}/page`;
  assert.deepEqual(
    await storedKeys(lab.cacheDir),
    [key, key],
    "two variants of one key",
  );
  assert.deepEqual(await lab.stopAll(), [0]);
});

Deno.test("cachelab proxy --no-cache sends every response with Cache-Status fwd=bypass and writes no cache folder", async () => {
  await using lab = await Lab.create(FILES);
  const origin = await lab.origin(["--max-age", "60"]);
  const proxy = await lab.proxy(origin.port, ["--no-cache"], {
    cacheDir: null,
  });
  const requests = [
    () => lab.curl(proxy.url("/1.txt")),
    () => lab.curl(proxy.url("/1.txt")),
    () => lab.curl(origin.url("/1.txt"), { proxy: proxy.url() }),
    () => lab.curl(proxy.url("/2.binary")),
  ];
  for (const request of requests) {
    const res = await request();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-status"), "cachelab; fwd=bypass");
  }
  const log = await proxy.waitForAccessLines(4);
  assert.deepEqual(log.map((l) => l.result), [
    "BYPASS",
    "BYPASS",
    "BYPASS",
    "BYPASS",
  ]);
  const originLog = await origin.waitForAccessLines(4);
  assert.deepEqual(
    originLog.map((l) => l.status),
    [200, 200, 200, 200],
    "no conditional requests",
  );
  assert.equal((await proxy.stop()).code, 0);
  assert.deepEqual(
    await listFiles(lab.home),
    [],
    "nothing under HOME or XDG_CACHE_HOME",
  );
  assert.deepEqual(await listFiles(lab.cacheDir), []);

  // The same proxy with its cache on writes to the default folder under
  // XDG_CACHE_HOME: the check above could have seen a write.
  const caching = await lab.proxy(origin.port, [], { cacheDir: null });
  assert.equal(
    (await lab.curl(caching.url("/1.txt"))).headers.get("cache-status"),
    STORED,
  );
  await caching.waitForAccessLines(1);
  const defaultDir = join(lab.home, ".cache", "cachelab");
  assert.deepEqual(await storedKeys(defaultDir), [caching.url("/1.txt")]);
  assert.deepEqual(await lab.stopAll(), [0, 0]);
});

Deno.test("cachelab proxy --skip-binary never stores application/octet-stream and stores text", async () => {
  await using lab = await Lab.create(FILES);
  const origin = await lab.origin(["--max-age", "60"]);
  const proxy = await lab.proxy(origin.port, ["--skip-binary"]);
  for (let i = 0; i < 2; i++) {
    const binary = await lab.curl(proxy.url("/2.binary"));
    assert.deepEqual(binary.body, FILES["2.binary"]);
    assert.equal(
      binary.headers.get("content-type"),
      "application/octet-stream",
    );
    assert.equal(
      binary.headers.get("cache-status"),
      "cachelab; fwd=uri-miss; fwd-status=200; detail=binary",
    );
  }
  const text = await lab.curl(proxy.url("/1.txt"));
  assert.equal(text.headers.get("cache-status"), STORED);
  const hit = await lab.curl(proxy.url("/1.txt"));
  assert.equal(hit.text, FILES["1.txt"]);
  assert.match(hit.headers.get("cache-status") ?? "", HIT);

  const log = await proxy.waitForAccessLines(4);
  assert.deepEqual(log.map((l) => l.result), ["MISS", "MISS", "MISS", "HIT"]);
  assert.deepEqual(await lab.stopAll(), [0, 0]);
  assert.deepEqual(
    origin.accessLog().map((l) => `${l.request} ${l.status} ${l.bytes}`),
    [
      "GET /2.binary HTTP/1.1 200 6",
      "GET /2.binary HTTP/1.1 200 6",
      "GET /1.txt HTTP/1.1 200 18",
    ],
  );
  assert.deepEqual(await storedKeys(lab.cacheDir), [proxy.url("/1.txt")]);
});
