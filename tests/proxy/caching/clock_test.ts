/**
 * Component tests of the proxy on a movable clock (http/clock.ts): the
 * proxy handler with a MemoryStore in front of a scripted Upstream, the
 * clock moved instead of waiting. What the upstream was asked, the
 * Cache-Status, Age and Cachelab-Explain fields are the oracles.
 */

import assert from "../../helpers/assert.ts";
import { MovableClock } from "../../../http/clock.ts";
import { formatHttpDate } from "../../../http/dates.ts";
import { bodyText, flowHarness } from "../../helpers/scripted_upstream.ts";

const ASK: [string, string] = ["Cachelab-Explain", "1"];

Deno.test("serveWithCache() finds a max-age=60 response stale once the clock advanced 61 s, without waiting (RFC 9111 §4.2, §4.2.3)", async () => {
  const clock = new MovableClock();
  await using h = flowHarness((_request, index) => ({
    status: 200,
    headers: [
      ["Date", formatHttpDate(clock.now())], // the origin on the same clock
      ["Cache-Control", "max-age=60"],
      ["ETag", `"v${index + 1}"`],
    ],
    body: `v${index + 1}`,
  }), { clock });
  assert.equal(await bodyText(await h.send("/r")), "v1");
  const hit = await h.send("/r", { headers: [ASK] });
  assert.equal(await bodyText(hit), "v1");
  assert.match(
    hit.headers.get("cache-status")!,
    /^cachelab; hit; ttl=(60|59)$/,
  );
  assert.match(hit.headers.get("cachelab-explain")!, /^fresh: /);
  assert.equal(h.upstream.requests.length, 1);

  assert.equal(clock.advance(61), 61);
  const stale = await h.send("/r", {
    headers: [ASK, ["Cache-Control", "max-stale"]],
  });
  assert.equal(await bodyText(stale), "v1");
  assert.match(stale.headers.get("age")!, /^6[12]$/);
  assert.match(
    stale.headers.get("cache-status")!,
    /^cachelab; hit; ttl=-\d; detail=max-stale$/,
  );
  assert.match(
    stale.headers.get("cachelab-explain")!,
    /^stale, served: the request's max-stale allows it: age 6[12] s = corrected initial age 0 \+ resident 6[12]; lifetime 60 s from max-age; stale by [12] s /,
  );
  assert.equal(h.upstream.requests.length, 1);

  const refetched = await h.send("/r", { headers: [ASK] });
  assert.equal(await bodyText(refetched), "v2");
  assert.match(refetched.headers.get("cache-status")!, /fwd=stale/);
  assert.match(
    refetched.headers.get("cachelab-explain")!,
    /^must revalidate: stale, and nothing allows serving it stale: /,
  );
  assert.equal(h.upstream.requests.length, 2);
  assert.equal(
    h.upstream.requests[1]!.head.headers.get("if-none-match"),
    '"v1"',
  ); // RFC 9111 §4.3.1: revalidated, as a stale entry is
});
