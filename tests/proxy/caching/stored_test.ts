/**
 * Component tests of answering from a stored response (stored.ts): the
 * client's own conditionals evaluated against the stored validators
 * (RFC 9111 §4.3.2), for every successful status, and the fields a
 * qualified no-cache names sent only right after a revalidation (RFC
 * 9111 §5.2.2.4). In-process: the proxy handler, a MemoryStore and a
 * scripted Upstream; the upstream's record is the oracle of what went
 * forward.
 */

import assert from "../../helpers/assert.ts";
import { formatHttpDate } from "../../../http/dates.ts";
import { bodyText, flowHarness } from "../../helpers/scripted_upstream.ts";

/** A few seconds ago, in whole seconds: the stored responses stay fresh. */
const SECOND = Math.floor(Date.now() / 1000) * 1000 - 5000;
const DATE = formatHttpDate(SECOND);
const BEFORE = formatHttpDate(SECOND - 1000);
const AFTER = formatHttpDate(SECOND + 1000);

Deno.test("serveWithCache() answers a client's If-Modified-Since against a fresh stored response without Last-Modified by its Date: 304 when not earlier (RFC 9111 §4.3.2)", async () => {
  await using h = flowHarness(() => ({
    status: 200,
    headers: [["Cache-Control", "max-age=600"], ["Date", DATE]],
    body: "no last-modified",
  }));
  await bodyText(await h.send("/r"));
  for (const since of [DATE, AFTER]) {
    const res = await h.send("/r", {
      headers: [["If-Modified-Since", since]],
    });
    assert.equal(res.status, 304, `If-Modified-Since: ${since}`);
    assert.equal(res.body, null);
    assert.match(res.headers.get("cache-status")!, /^cachelab; hit/);
  }
  const changed = await h.send("/r", {
    headers: [["If-Modified-Since", BEFORE]],
  });
  assert.equal(changed.status, 200);
  assert.equal(await bodyText(changed), "no last-modified");
  assert.equal(h.upstream.requests.length, 1, "all answered from the cache");
});

Deno.test("serveWithCache() prefers Last-Modified to Date for a client's If-Modified-Since (RFC 9111 §4.3.2)", async () => {
  await using h = flowHarness(() => ({
    status: 200,
    headers: [
      ["Cache-Control", "max-age=600"],
      ["Date", AFTER],
      ["Last-Modified", DATE],
    ],
    body: "dated",
  }));
  await bodyText(await h.send("/r"));
  const res = await h.send("/r", { headers: [["If-Modified-Since", DATE]] });
  assert.equal(res.status, 304);
  const older = await h.send("/r", {
    headers: [["If-Modified-Since", BEFORE]],
  });
  assert.equal(older.status, 200);
});

for (const status of [203, 204]) {
  Deno.test(`serveWithCache() answers a client's matching If-None-Match with 304 for a stored ${status} (RFC 9110 §13.2.1, RFC 9111 §4.3.2)`, async () => {
    await using h = flowHarness(() => ({
      status,
      headers: [["Cache-Control", "max-age=600"], ["ETag", '"t"']],
      body: status === 204 ? "" : "content",
    }));
    await bodyText(await h.send("/r"));
    const res = await h.send("/r", { headers: [["If-None-Match", '"t"']] });
    assert.equal(res.status, 304);
    assert.equal(res.headers.get("etag"), '"t"');
    assert.equal(h.upstream.requests.length, 1);
  });
}

Deno.test("serveWithCache() ignores a client's conditionals for a stored 404: they apply to a 2xx answer only (RFC 9110 §13.2.1)", async () => {
  await using h = flowHarness(() => ({
    status: 404,
    headers: [["Cache-Control", "max-age=600"], ["ETag", '"gone"']],
    body: "not here",
  }));
  await bodyText(await h.send("/r"));
  const res = await h.send("/r", { headers: [["If-None-Match", '"gone"']] });
  assert.equal(res.status, 404);
  assert.equal(await bodyText(res), "not here");
  assert.equal(h.upstream.requests.length, 1);
});

Deno.test('serveWithCache() leaves out the fields a qualified no-cache="F" names until a revalidation, and sends them in the response that revalidated (RFC 9111 §5.2.2.4)', async () => {
  await using h = flowHarness((_request, i) =>
    i === 0
      ? {
        status: 200,
        headers: [
          ["Cache-Control", 'max-age=600, no-cache="X-Secret"'],
          ["ETag", '"v1"'],
          ["X-Secret", "for the origin's eyes"],
        ],
        body: "stored",
      }
      : { status: 304, headers: [["ETag", '"v1"']] }
  );
  const first = await h.send("/r");
  assert.equal(first.headers.get("x-secret"), "for the origin's eyes");
  await bodyText(first);
  const hit = await h.send("/r");
  assert.match(hit.headers.get("cache-status")!, /^cachelab; hit/);
  assert.equal(
    hit.headers.get("x-secret"),
    undefined,
    "not without validation",
  );
  assert.equal(await bodyText(hit), "stored");
  const revalidated = await h.send("/r", {
    headers: [["Cache-Control", "no-cache"]],
  });
  assert.equal(revalidated.logSuffix?.endsWith(" REVALIDATED"), true);
  assert.equal(revalidated.headers.get("x-secret"), "for the origin's eyes");
  assert.equal(await bodyText(revalidated), "stored");
  const later = await h.send("/r");
  assert.equal(later.headers.get("x-secret"), undefined);
  assert.equal(h.upstream.requests.length, 2);
});
