/**
 * Component tests of serving stale when the origin cannot be reached
 * (RFC 9111 §4.2.4, --max-stale-on-error): the proxy handler with a
 * MemoryStore in front of a scripted Upstream whose second exchange
 * fails before any response (connect refused or timed out, closed before
 * a response, no response in time). Statuses, Cache-Status and counters
 * are the oracles; staleness comes from the stored response's Age, so
 * no clock is waited on.
 */

import assert from "../../helpers/assert.ts";
import {
  bodyText,
  flowHarness,
  type Scripted,
} from "../../helpers/scripted_upstream.ts";
import type { UpstreamFailure } from "../../../proxy/upstream/errors.ts";

/** Stored, and already 10 s stale when it arrives (max-age 10, Age 20). */
function staleBy10(cacheControl = "max-age=10"): Scripted {
  return {
    status: 200,
    headers: [["Cache-Control", cacheControl], ["Age", "20"], [
      "ETag",
      '"v1"',
    ]],
    body: "kept",
  };
}

const DISCONNECTIONS: [UpstreamFailure, string][] = [
  ["connect-failed", "stale-on-connect-failed"],
  ["connect-timeout", "stale-on-connect-failed"],
  ["closed", "stale-on-closed"],
  ["response-timeout", "stale-on-timeout"],
  ["wait-timeout", "stale-on-timeout"],
];

for (const [failure, detail] of DISCONNECTIONS) {
  Deno.test(`serveWithCache() serves the stored response stale when the upstream fails with ${failure}, naming it in Cache-Status without fwd-status (RFC 9111 §4.2.4)`, async () => {
    await using h = flowHarness((_request, i) =>
      i === 0 ? staleBy10() : { fail: failure }
    );
    await bodyText(await h.send("/r"));
    const res = await h.send("/r");
    assert.equal(res.status, 200);
    assert.equal(await bodyText(res), "kept");
    assert.match(
      res.headers.get("cache-status")!,
      new RegExp(`^cachelab; fwd=stale; ttl=-1\\d; detail=${detail}$`),
    );
    assert.match(res.headers.get("age")!, /^[23]\d$/);
    assert.equal(res.logSuffix, "- STALE");
    assert.equal(h.stats.get("cache.stale_on_disconnect"), 1);
    assert.equal(
      h.upstream.requests[1]!.head.headers.get("if-none-match"),
      '"v1"',
      "it did try to revalidate",
    );
  });
}

const FORBIDDING = [
  "no-cache",
  "max-age=10, must-revalidate",
  "max-age=10, proxy-revalidate",
  "s-maxage=10",
];

for (const cacheControl of FORBIDDING) {
  Deno.test(`serveWithCache() answers 504 when the upstream cannot be reached and the stored response says ${cacheControl} (RFC 9111 §4.2.4)`, async () => {
    await using h = flowHarness((_request, i) =>
      i === 0 ? staleBy10(cacheControl) : { fail: "connect-failed" }
    );
    await bodyText(await h.send("/r"));
    const res = await h.send("/r");
    assert.equal(res.status, 504);
    assert.match(
      res.headers.get("cache-status")!,
      /^cachelab; fwd=stale; detail=connect-failed$/,
    );
    assert.equal(h.stats.get("cache.stale_on_disconnect"), 0);
  });
}

const DEMANDING: [string, string][] = [
  ["no-cache", "RFC 9111 §5.2.1.4"],
  ["max-age=5", "RFC 9111 §5.2.1.1"],
  ["min-fresh=5", "RFC 9111 §5.2.1.3"],
];

for (const [directive, section] of DEMANDING) {
  Deno.test(`serveWithCache() answers 504 when the upstream cannot be reached and the request says ${directive} (${section})`, async () => {
    await using h = flowHarness((_request, i) =>
      i === 0 ? staleBy10() : { fail: "closed" }
    );
    await bodyText(await h.send("/r"));
    const res = await h.send("/r", {
      headers: [["Cache-Control", directive]],
    });
    assert.equal(res.status, 504);
    assert.equal(h.stats.get("cache.stale_on_disconnect"), 0);
  });
}

Deno.test("serveWithCache() serves stale to a request whose max-age the stale response exceeds when it also says max-stale (RFC 9111 §5.2.1.2)", async () => {
  await using h = flowHarness((_request, i) =>
    i === 0 ? staleBy10() : { fail: "closed" }
  );
  await bodyText(await h.send("/r"));
  const res = await h.send("/r", {
    headers: [["Cache-Control", "max-age=5, max-stale=60"]],
  });
  assert.equal(res.status, 200);
  assert.equal(await bodyText(res), "kept");
});

Deno.test("serveWithCache() answers 504 when the stored response is more stale than --max-stale-on-error, and serves it when within (RFC 9111 §4.2.4)", async () => {
  const script = (_request: unknown, i: number): Scripted =>
    i === 0 ? staleBy10() : { fail: "connect-failed" };
  {
    await using h = flowHarness(script, { maxStaleOnErrorSeconds: 5 });
    await bodyText(await h.send("/r"));
    assert.equal((await h.send("/r")).status, 504);
  }
  {
    await using h = flowHarness(script, { maxStaleOnErrorSeconds: 60 });
    await bodyText(await h.send("/r"));
    assert.equal((await h.send("/r")).status, 200);
  }
});

Deno.test("serveWithCache() answers 504 with a stale response held when --max-stale-on-error is 0 (off)", async () => {
  await using h = flowHarness(
    (_request, i) => i === 0 ? staleBy10() : { fail: "response-timeout" },
    { maxStaleOnErrorSeconds: 0 },
  );
  await bodyText(await h.send("/r"));
  const res = await h.send("/r");
  assert.equal(res.status, 504);
  assert.match(
    res.headers.get("cache-status")!,
    /^cachelab; fwd=stale; detail=response-timeout$/,
  );
});

Deno.test("serveWithCache() does not stand a stale response in for a bad response: the upstream was reached (RFC 9111 §4.2.4)", async () => {
  await using h = flowHarness((_request, i) =>
    i === 0 ? staleBy10() : { fail: "bad-response" }
  );
  await bodyText(await h.send("/r"));
  const res = await h.send("/r");
  assert.equal(res.status, 504);
  assert.equal(h.stats.get("cache.stale_on_disconnect"), 0);
});

Deno.test("serveWithCache() answers 502 when the upstream cannot be reached and nothing is stored", async () => {
  await using h = flowHarness(() => ({ fail: "connect-failed" }));
  const res = await h.send("/r");
  assert.equal(res.status, 502);
  assert.match(
    res.headers.get("cache-status")!,
    /^cachelab; fwd=miss; detail=connect-failed$/,
  );
});

Deno.test("serveWithCache() answers 504 when the upstream cannot be reached and the stale response chosen in its place is gone from the store (RFC 9111 §4.2.4)", async () => {
  await using h = flowHarness(async (_request, i) => {
    if (i === 0) return staleBy10();
    const [stored] = await h.cache.store.variants("http://origin.test/r");
    await h.cache.store.remove(stored!); // its body vanishes while the upstream fails
    return { fail: "connect-failed" };
  });
  await bodyText(await h.send("/r"));
  const res = await h.send("/r");
  assert.equal(res.status, 504);
  assert.equal(h.stats.get("cache.vanished"), 1);
  assert.match(res.headers.get("cache-status")!, /detail=connect-failed/);
});
