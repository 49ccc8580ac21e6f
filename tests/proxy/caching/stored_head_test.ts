/**
 * Component tests of the stored head bound (RFC 9111 §3.2) through the
 * caching flow: a MemoryStore in front of a scripted upstream; the
 * counters, Cache-Status and what the upstream was sent are the oracles.
 */

import assert from "../../helpers/assert.ts";
import {
  bodyText,
  flowHarness,
  type Scripted,
} from "../../helpers/scripted_upstream.ts";

function big(prefix: string, n: number, size: number): [string, string][] {
  const out: [string, string][] = [];
  for (let k = 0; k < n; k++) out.push([`${prefix}-${k}`, "v".repeat(size)]);
  return out;
}

Deno.test("serveWithCache() answers a revalidation whose 304 would take the stored head past the bound from the stored response as it was, counts it and says detail=head-too-large (RFC 9111 §3.2, §4.3.4)", async () => {
  await using h = flowHarness((request, i): Scripted => {
    const common: [string, string][] = [
      ["Cache-Control", "max-age=0"],
      ["ETag", '"a"'],
    ];
    if (i === 0) {
      return {
        status: 200,
        headers: [...common, ...big("X-Old", 16, 2500)],
        body: "body",
      };
    }
    assert.equal(request.head.headers.get("if-none-match"), '"a"');
    return { status: 304, headers: [...common, ...big(`X-R${i}`, 16, 2500)] };
  });
  assert.equal(await bodyText(await h.send("/g")), "body");
  const res = await h.send("/g");
  assert.equal(await bodyText(res), "body");
  assert.match(
    res.headers.get("cache-status")!,
    /fwd-status=304; .*detail=head-too-large/,
  );
  assert.equal(res.headers.get("x-old-0"), "v".repeat(2500));
  assert.equal(
    res.headers.get("x-r1-0"),
    undefined,
    "the update was not stored nor served",
  );
  assert.equal(h.stats.get("cache.head_too_large"), 1);
  // the stored response stayed: the next request revalidates it again
  assert.equal(await bodyText(await h.send("/g")), "body");
  assert.equal(h.upstream.requests.length, 3);
  assert.equal(h.stats.get("cache.head_too_large"), 2);
});

Deno.test("serveWithCache() does not store a response whose head is past the stored head bound, relays it and counts it (RFC 9111 §3.2)", async () => {
  await using h = flowHarness((_request, i): Scripted => ({
    status: 200,
    headers: [["Cache-Control", "max-age=600"], ...big("X", 28, 2600)],
    body: `body ${i}`,
  }));
  const first = await h.send("/n");
  assert.equal(await bodyText(first), "body 0");
  assert.match(first.headers.get("cache-status")!, /detail=head-too-large/);
  assert.equal(await bodyText(await h.send("/n")), "body 1");
  assert.equal(h.stats.get("cache.head_too_large"), 2);
});
