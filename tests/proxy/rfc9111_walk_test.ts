/**
 * Component tests of the gaps a second reader's walk of RFC 9111 found in
 * the cache flow (review of issue 10): the proxy handler with a
 * MemoryStore in front of a scripted Upstream. What the upstream was
 * sent, the responses and the counters are the oracles; staleness comes
 * from the stored response's Age, so no clock is waited on. Each test
 * fails until its gap is fixed.
 */

import assert from "../helpers/assert.ts";
import { bodyText, flowHarness } from "../helpers/scripted_upstream.ts";

Deno.test("serveWithCache() answers a GET from the stored response a 200 to HEAD without validators freshened (RFC 9111 §4.3.5)", async () => {
  // RFC 9111 §4.3.5: HEAD updates a stored GET response "if the more
  // efficient conditional GET request mechanism is not available (due to
  // no validators being present in the stored response)".
  await using h = flowHarness((request) =>
    request.head.method === "GET"
      ? {
        status: 200,
        headers: [["Cache-Control", "max-age=10"], ["Age", "20"]], // stale on arrival, no validator
        body: "12345",
      }
      : {
        status: 200,
        headers: [["Cache-Control", "max-age=3600"], ["Content-Length", "5"]],
      }
  );
  assert.equal(await bodyText(await h.send("/r")), "12345");
  const head = await h.send("/r", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(
    h.upstream.requests[1]!.head.method,
    "HEAD",
    "the stale response had no validator: the HEAD went upstream as it came",
  );
  assert.equal(h.stats.get("cache.head_freshened"), 1);
  const get = await h.send("/r");
  assert.equal(await bodyText(get), "12345");
  assert.match(get.headers.get("cache-status")!, /^cachelab; hit/);
  assert.equal(h.upstream.requests.length, 2, "the GET was a hit");
});
