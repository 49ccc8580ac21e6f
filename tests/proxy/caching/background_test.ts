/**
 * Component tests of stale-while-revalidate's background revalidation
 * (proxy/caching/background.ts, RFC 5861 §3): none beside another
 * request's fill of the key, and one line on stderr for each that fails.
 * In-process: the proxy handler, a MemoryStore and a scripted Upstream
 * whose record, the counters and the captured stderr lines are the
 * oracles.
 */

import assert from "../../helpers/assert.ts";
import { waitUntil } from "../../helpers/cache_proxy.ts";
import { deferred } from "../../helpers/deadline.ts";
import {
  bodyText,
  flowHarness,
  type Scripted,
} from "../../helpers/scripted_upstream.ts";

const V1: [string, string] = ["ETag", '"v1"'];
/** Stale at once, and within stale-while-revalidate for ten minutes. */
const STALE: Scripted = {
  status: 200,
  headers: [
    ["Cache-Control", "max-age=10, stale-while-revalidate=600"],
    ["Age", "20"],
    V1,
  ],
  body: "v1",
};

/** Runs `body` with console.error captured into the returned lines. */
async function capturingStderr(
  body: (lines: string[]) => Promise<void>,
): Promise<void> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    await body(lines);
  } finally {
    console.error = original;
  }
}

Deno.test("revalidateInBackground() does not go upstream beside another request's fill of the key: that fill refreshes it (RFC 5861 §3)", async () => {
  const revalidation = deferred();
  await using h = flowHarness(async (_request, i) => {
    if (i === 0) return STALE;
    await revalidation.promise;
    return { status: 304, headers: [V1, ["Cache-Control", "max-age=60"]] };
  });
  await bodyText(await h.send("/s"));
  const reloading = h.send("/s", { headers: [["Cache-Control", "no-cache"]] }); // leads a revalidation
  await waitUntil(() => h.upstream.requests.length === 2, "it went upstream");
  const stale = await h.send("/s");
  assert.equal(await bodyText(stale), "v1");
  assert.match(stale.headers.get("cache-status")!, /stale-while-revalidate/);
  assert.equal(h.stats.get("cache.background_skipped"), 1);
  assert.equal(h.stats.get("cache.background_revalidations"), 0);
  revalidation.resolve();
  assert.equal(await bodyText(await reloading), "v1");
  assert.equal(h.upstream.requests.length, 2);
  const fresh = await h.send("/s");
  assert.match(fresh.headers.get("cache-status")!, /^cachelab; hit/);
});

const FAILURES: [string, Scripted, RegExp][] = [
  ["answers a server error", { status: 503 }, /the upstream answered 503$/],
  [
    "cannot be reached",
    { fail: "connect-failed" },
    /scripted connect-failed$/,
  ],
];

for (const [how, answer, why] of FAILURES) {
  Deno.test(`revalidateInBackground() writes one line on stderr when the upstream ${how}`, async () => {
    await capturingStderr(async (lines) => {
      await using h = flowHarness((_request, i) => i === 0 ? STALE : answer);
      await bodyText(await h.send("/s"));
      const stale = await h.send("/s");
      assert.equal(await bodyText(stale), "v1");
      await waitUntil(
        () => h.stats.get("cache.background_errors") === 1,
        "the revalidation failed",
      );
      assert.equal(lines.length, 1, lines.join("\n"));
      assert.match(
        lines[0]!,
        /^cachelab: background revalidation of http:\/\/origin\.test\/s failed: /,
      );
      assert.match(lines[0]!, why);
    });
  });
}
