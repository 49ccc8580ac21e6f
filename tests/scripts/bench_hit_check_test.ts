/**
 * Tests the warm-up and hit check of scripts/bench/hit_check.ts against a
 * small server on port 0 that plays a cache: it appends a line to an
 * "origin log" for every request it does not answer from memory.
 */

import assert from "../helpers/assert.ts";
import { cacheMarker, checkHits, warm } from "../../scripts/bench/hit_check.ts";
import { LogLines } from "../../scripts/bench/origin_files.ts";

Deno.test("cacheMarker() shows the cache headers present, in a fixed order", () => {
  const headers = new Headers({
    "Age": "3",
    "X-Cache": "HIT from squid",
    "Content-Type": "text/plain",
  });
  assert.equal(cacheMarker(headers), "x-cache: HIT from squid; age: 3");
  assert.equal(cacheMarker(new Headers()), "no cache headers");
});

/** A fake contender: it caches `/a` only after `fillsAfter` requests. */
async function withFakeCache(
  fillsAfter: number,
  body: (url: string, log: LogLines, logPath: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-bench-test-" });
  const logPath = `${dir}/origin.log`;
  await Deno.writeTextFile(logPath, "");
  const seen = new Map<string, number>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const path = new URL(request.url).pathname;
      const count = (seen.get(path) ?? 0) + 1;
      seen.set(path, count);
      const cached = path === "/a" && count > fillsAfter;
      if (!cached) {
        await Deno.writeTextFile(logPath, `GET ${path}\n`, { append: true });
      }
      return new Response("x".repeat(10), {
        headers: { "X-Cache": cached ? "HIT" : "MISS" },
      });
    },
  );
  try {
    await body(
      `http://127.0.0.1:${server.addr.port}`,
      new LogLines(logPath),
      logPath,
    );
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("checkHits() reports nothing when the warmed contender no longer reaches the origin", async () => {
  await withFakeCache(1, async (url, log) => {
    const files = [{ path: "/a", bytes: 10 }];
    const target = { name: "fake", url };
    assert.deepEqual(await warm([target], files), []);
    assert.deepEqual(await checkHits([target], files, log), []);
  });
});

Deno.test("checkHits() names the contender and its cache headers when a request reaches the origin", async () => {
  await withFakeCache(1, async (url, log) => {
    const files = [{ path: "/a", bytes: 10 }, { path: "/b", bytes: 10 }];
    const target = { name: "fake", url };
    await warm([target], files);
    const problems = await checkHits([target], files, log);
    assert.equal(problems.length, 1);
    assert.match(
      problems[0]!,
      /^fake: 1 of 2 hit-check request\(s\) reached the origin/,
    );
    assert.match(problems[0]!, /\/b \(x-cache: MISS\)/);
  });
});

Deno.test("checkHits() does not count against a contender a line an earlier step's response writes late", async () => {
  await withFakeCache(1, async (url, log, logPath) => {
    const files = [{ path: "/a", bytes: 10 }];
    const target = { name: "fake", url };
    await warm([target], files);
    // Another contender's long response ends while the check begins.
    const late = new Promise<void>((resolve) =>
      setTimeout(async () => {
        await Deno.writeTextFile(logPath, "GET /256m.bin\n", { append: true });
        resolve();
      }, 100)
    );
    assert.deepEqual(await checkHits([target], files, log), []);
    await late;
  });
});

Deno.test("warm() reports a body of the wrong size", async () => {
  await withFakeCache(1, async (url) => {
    const problems = await warm([{ name: "fake", url }], [
      { path: "/a", bytes: 11 },
    ], 1);
    assert.deepEqual(problems, ["fake: 10 bytes instead of 11 for /a"]);
  });
});

Deno.test("warm() reports a contender that does not answer instead of throwing", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const problems = await warm(
    [{ name: "gone", url: `http://127.0.0.1:${port}` }],
    [{ path: "/a", bytes: 10 }],
    1,
  );
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^gone: cannot GET \/a: /);
});
