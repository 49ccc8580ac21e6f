/**
 * End-to-end tests of scale-out: two `main.ts proxy` processes (the
 * product's permissions) sharing one real redis-server (`--store
 * redis://...`, started by the test on a free port), in front of one
 * `main.ts origin` whose access log counts the requests it answered.
 * curl is the independent client (fetch for the admin API); every
 * request names the same Host (as behind a load balancer, and which fetch
 * cannot set), so both nodes use one key.
 * Counters and log lines are the oracles; every wait is bounded.
 */

import assert from "../helpers/assert.ts";
import {
  type RedisServer,
  redisTest,
  startRedisServer,
} from "../helpers/redis_server.ts";
import { runCachelab } from "../helpers/cli_process.ts";
import {
  Lab,
  pollUntil,
  randomBytes,
  type ServerProcess,
  sha256,
} from "./helpers.ts";
import { ThrottledRelay } from "./throttle.ts";

const HOST = "Host: site.test";

/** Two proxies on `redis`, in front of `upstreamPort`. */
async function twoNodes(lab: Lab, upstreamPort: number, redis: RedisServer) {
  const args = ["--store", redis.url, "--store-timeout", "2"]; // 2 s: chunk reads queue on one connection on a busy machine
  const a = await lab.proxy(upstreamPort, args, { cacheDir: null });
  const b = await lab.proxy(upstreamPort, args, { cacheDir: null });
  return { a, b };
}

/** The admin listener's URL a proxy printed (`admin on URL`). */
async function adminOf(proxy: ServerProcess): Promise<string> {
  await proxy.stdout.until(
    (lines) => lines.some((line) => line.startsWith("admin on ")),
    `${proxy.name}: admin on`,
  );
  return proxy.stdout.all.find((l) => l.startsWith("admin on "))!.slice(9);
}

/** GETs `path` through `node` with the shared Host; status, Cache-Status, body. */
async function get(lab: Lab, node: ServerProcess, path: string) {
  const res = await lab.curl(node.url(path), { headers: [HOST] });
  return {
    status: res.status,
    cacheStatus: res.headers.get("cache-status") ?? "",
    text: res.text,
  };
}

/** Requests the origin answered so far (its access log). */
function originCount(origin: ServerProcess): number {
  return origin.accessLog().length;
}

redisTest(
  "cachelab proxy nodes sharing Redis serve a response stored by one node as a hit on the other",
  async () => {
    await using redis = await startRedisServer();
    await using lab = await Lab.create({ "page.txt": "shared page" });
    const origin = await lab.origin(["--max-age", "60"]);
    const { a, b } = await twoNodes(lab, origin.port, redis);
    const miss = await get(lab, a, "/page.txt");
    assert.equal(miss.text, "shared page");
    assert.match(miss.cacheStatus, /fwd=uri-miss; fwd-status=200; stored/);
    const hit = await get(lab, b, "/page.txt");
    assert.equal(hit.status, 200);
    assert.equal(hit.text, "shared page");
    assert.match(hit.cacheStatus, /^cachelab; hit/);
    assert.equal(originCount(origin), 1);
  },
);

redisTest(
  "cachelab proxy nodes sharing Redis make one upstream request for 20 concurrent misses spread over both",
  async () => {
    await using redis = await startRedisServer();
    const content = randomBytes(2 * 1024 * 1024);
    const expected = await sha256(content);
    await using lab = await Lab.create({ "big.bin": content });
    const origin = await lab.origin(["--max-age", "60"]);
    await using relay = ThrottledRelay.start(origin.port);
    relay.rate = 4 * 1024 * 1024; // the fill lasts about half a second
    const { a, b } = await twoNodes(lab, relay.port, redis);
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const node = i % 2 === 0 ? a : b;
        const res = await lab.curl(node.url("/big.bin"), {
          headers: [HOST],
          bodyOnDisk: true,
        });
        const body = await Deno.readFile(res.bodyPath).catch(() =>
          new Uint8Array(0)
        );
        return {
          status: res.status,
          size: body.length,
          exit: res.exitCode,
          sha256: await sha256(body),
          cacheStatus: res.headers.get("cache-status") ?? "",
        };
      }),
    );
    for (const result of results) {
      assert.equal(result.status, 200);
      assert.equal(
        result.sha256,
        expected,
        `every body byte-exact: ${
          JSON.stringify(
            results.map((
              r,
            ) => [r.cacheStatus, r.size, r.exit, r.sha256 === expected]),
          )
        }`,
      );
    }
    assert.equal(
      originCount(origin),
      1,
      `one upstream request in all: ${
        results.map((r) => r.cacheStatus).join(" | ")
      }`,
    );
    const hits = results.filter((r) => /^cachelab; hit/.test(r.cacheStatus));
    assert.ok(
      hits.length >= 10,
      `the node that did not fill answered from the entry the other stored: ${
        results.map((r) => r.cacheStatus).join(" | ")
      }`,
    );
  },
);

redisTest(
  "cachelab proxy nodes sharing Redis: a purge on one node is seen by the other",
  async () => {
    await using redis = await startRedisServer();
    await using lab = await Lab.create({ "page.txt": "v1" });
    const origin = await lab.origin(["--max-age", "60"]);
    const { a, b } = await twoNodes(lab, origin.port, redis);
    assert.match((await get(lab, a, "/page.txt")).cacheStatus, /stored/);
    for (let i = 0; i < 2; i++) {
      assert.match(
        (await get(lab, b, "/page.txt")).cacheStatus,
        /^cachelab; hit/,
      ); // into b's memory tier
    }
    const admin = await adminOf(a);
    const purge = await fetch(
      `${admin}/api/entries?url=${
        encodeURIComponent("http://site.test/page.txt")
      }`,
      { method: "DELETE" },
    );
    assert.deepEqual(await purge.json(), { purged: 1 });
    await lab.write("page.txt", "v2");
    const after = await get(lab, b, "/page.txt");
    assert.equal(after.text, "v2", "b no longer serves what a purged");
    assert.match(after.cacheStatus, /fwd=uri-miss/);
    assert.equal(originCount(origin), 2);
  },
);

redisTest(
  "cachelab proxy keeps answering while Redis is stopped, with detail=store-unavailable, and caches again once it is back",
  async () => {
    const redis = await startRedisServer();
    const port = redis.port;
    let again: RedisServer | undefined;
    try {
      await using lab = await Lab.create({ "page.txt": "page" });
      const origin = await lab.origin(["--max-age", "60"]);
      const { a, b } = await twoNodes(lab, origin.port, redis);
      assert.match((await get(lab, a, "/page.txt")).cacheStatus, /stored/);
      await redis.stop();
      for (const node of [a, b, a]) {
        const res = await get(lab, node, "/page.txt");
        assert.equal(res.status, 200);
        assert.equal(res.text, "page");
        assert.match(
          res.cacheStatus,
          /fwd=uri-miss; fwd-status=200; detail=store-unavailable/,
        );
      }
      await a.stderr.until(
        (lines) => lines.some((l) => /store redis:\/\/\S+ is down/.test(l)),
        "a: the down line",
      );
      again = await startRedisServer({ port });
      await pollUntil(
        async () => /stored/.test((await get(lab, a, "/page.txt")).cacheStatus),
        "a storing again",
      );
      await pollUntil(
        async () =>
          /^cachelab; hit/.test((await get(lab, b, "/page.txt")).cacheStatus),
        "b hitting what a stored",
      );
      const downs = a.stderr.all.filter((l) => / is down/.test(l));
      assert.equal(downs.length, 1, "one line per change of state");
      assert.ok(a.stderr.all.some((l) => / is up: caching/.test(l)));
    } finally {
      await again?.stop();
      await redis.stop();
    }
  },
);

redisTest(
  "cachelab cache ls, stats and purge --store redis://... work on what the nodes stored, and a purge reaches them",
  async () => {
    await using redis = await startRedisServer({
      args: ["--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"],
    });
    await using lab = await Lab.create({ "page.txt": "v1" });
    const origin = await lab.origin(["--max-age", "60"]);
    const { a, b } = await twoNodes(lab, origin.port, redis);
    assert.match((await get(lab, a, "/page.txt")).cacheStatus, /stored/);
    const cache = (...args: string[]) =>
      runCachelab(["cache", ...args, "--store", redis.url]);
    const ls = await cache("ls", "--json");
    assert.equal(ls.code, 0, ls.stderr);
    const listed = JSON.parse(ls.stdout);
    assert.deepEqual(
      listed.entries.map((e: { url: string }) => e.url),
      ["http://site.test/page.txt"],
    );
    const stats = await cache("stats");
    assert.equal(stats.code, 0, stats.stderr);
    assert.match(stats.stdout, /^maxmemory_policy +allkeys-lru$/m);
    assert.match(stats.stdout, /^source +store redis:\/\//m);
    const purge = await cache("purge", "http://site.test/page.txt", "--json");
    assert.equal(purge.code, 0, purge.stderr);
    assert.deepEqual(JSON.parse(purge.stdout), { purged: 1 });
    await lab.write("page.txt", "v2");
    const after = await get(lab, b, "/page.txt");
    assert.equal(after.text, "v2");
    assert.equal(originCount(origin), 2);
  },
);
