/**
 * Component tests of the cache's judgement of a stored copy for the request
 * at hand (targeted fields by proxy mode, the request's own stale limits),
 * If-Range forms and the stored head's bound: the proxy handler with a
 * MemoryStore in front of a scripted Upstream. What the upstream was sent,
 * the responses and the counters are the oracles; staleness comes from the
 * stored response's Age, so no clock is waited on.
 */

import assert from "../helpers/assert.ts";
import { serializeFields, UPSTREAM_HEAD_LIMITS } from "../../http/head.ts";
import { parseHttpDate } from "../../http/dates.ts";
import {
  bodyText,
  flowHarness,
  type Scripted,
} from "../helpers/scripted_upstream.ts";

Deno.test("serveWithCache() never gives a forward-proxy request a response stored under CDN-Cache-Control whose Cache-Control says no-store (RFC 9213 §2.1, §3; RFC 9111 §5.2.2.5)", async () => {
  // CDN-Cache-Control targets caches acting for the origin: a reverse
  // request may store this; a forward-proxy (absolute-form) request for
  // the same key is judged by Cache-Control alone, which forbids reuse.
  await using h = flowHarness((_request, i) => ({
    status: 200,
    headers: [
      ["Cache-Control", "no-store"],
      ["CDN-Cache-Control", "max-age=600"],
    ],
    body: `body ${i}`,
  }));
  const reverse = await h.send("/c");
  assert.equal(await bodyText(reverse), "body 0");
  assert.match(reverse.headers.get("cache-status")!, /stored/); // the CDN role may store it
  const forward = await h.send("http://origin.test/c");
  assert.equal(
    await bodyText(forward),
    "body 1",
    `${
      forward.headers.get("cache-status")
    }: the forward request got the reverse role's copy`,
  );
  assert.equal(h.upstream.requests.length, 2);
});

Deno.test("serveWithCache() never gives a reverse-proxy request a response stored for forward-proxy traffic whose CDN-Cache-Control says no-store (RFC 9213 §2.1, §3)", async () => {
  await using h = flowHarness((_request, i) => ({
    status: 200,
    headers: [
      ["Cache-Control", "max-age=600"],
      ["CDN-Cache-Control", "no-store"],
    ],
    body: `body ${i}`,
  }));
  assert.equal(await bodyText(await h.send("http://origin.test/c")), "body 0");
  const reverse = await h.send("/c");
  assert.equal(
    await bodyText(reverse),
    "body 1",
    `${
      reverse.headers.get("cache-status")
    }: the CDN role reused what it may not store`,
  );
  assert.equal(h.upstream.requests.length, 2);
});

Deno.test("serveWithCache() never sends If-Range with a date for a stored part that has an entity-tag, even a weak one (RFC 9110 §13.1.5)", async () => {
  // §13.1.5: "A client MUST NOT generate an If-Range header field
  // containing an HTTP-date unless the client has no entity tag for the
  // corresponding representation". The stored part has W/"w".
  const size = 100;
  const bytes = "0123456789".repeat(10);
  await using h = flowHarness((request) => {
    const range = request.head.headers.get("range") ?? "";
    const m = /^bytes=(\d+)-(\d+)$/.exec(range);
    const headers: [string, string][] = [
      ["Cache-Control", "max-age=600"],
      ["ETag", 'W/"w"'],
      ["Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT"],
    ];
    if (!m) return { status: 200, headers, body: bytes };
    const [start, end] = [Number(m[1]), Number(m[2])];
    return {
      status: 206,
      headers: [...headers, ["Content-Range", `bytes ${start}-${end}/${size}`]],
      body: bytes.slice(start, end + 1),
    };
  });
  assert.equal(
    await bodyText(await h.send("/p", { headers: [["Range", "bytes=0-9"]] })),
    "0123456789",
  );
  const more = await h.send("/p", { headers: [["Range", "bytes=0-29"]] });
  assert.equal(await bodyText(more), bytes.slice(0, 30));
  const ifRange = h.upstream.requests[1]!.head.headers.get("if-range");
  assert.ok(
    ifRange === undefined || ifRange === null ||
      parseHttpDate(ifRange) === undefined,
    `the cache sent If-Range: ${ifRange} while it holds the entity-tag W/"w"`,
  );
});

Deno.test("serveWithCache() keeps a stored response's head within what it accepts from an upstream however many 304s add fields to it (RFC 9111 §3.2, §4.3.4)", async () => {
  // Each 304 may be as large as UPSTREAM_HEAD_LIMITS allows; freshen()
  // merges its fields into the stored ones, so 304s with new field names
  // grow the stored head at every revalidation: 5 make it 300 KB and 107
  // fields, a head the proxy would refuse (502) from any upstream, and
  // its sidecar grows the same way.
  await using h = flowHarness((_request, i): Scripted => {
    const common: [string, string][] = [
      ["Cache-Control", "max-age=0"],
      ["ETag", '"a"'],
    ];
    if (i === 0) return { status: 200, headers: common, body: "body" };
    const extra: [string, string][] = [];
    for (let k = 0; k < 20; k++) extra.push([`X-R${i}-${k}`, "v".repeat(3000)]);
    return { status: 304, headers: [...common, ...extra] };
  });
  let worst = { bytes: 0, fields: 0 };
  for (let i = 0; i < 6; i++) {
    const res = await h.send("/g");
    assert.equal(await bodyText(res), "body");
    const bytes = serializeFields(res.headers).length;
    const fields = res.headers.size;
    if (bytes > worst.bytes) worst = { bytes, fields };
  }
  assert.equal(h.upstream.requests.length, 6, "every request revalidated");
  assert.ok(
    worst.bytes <= UPSTREAM_HEAD_LIMITS.maxHead &&
      worst.fields <= UPSTREAM_HEAD_LIMITS.maxFields,
    `a served head of ${worst.bytes} bytes and ${worst.fields} fields`,
  );
});

/** Stored, and already 10 s stale when it arrives (max-age 10, Age 20). */
function staleBy10(cacheControl: string): Scripted {
  return {
    status: 200,
    headers: [["Cache-Control", cacheControl], ["Age", "20"], [
      "ETag",
      '"v1"',
    ]],
    body: "kept",
  };
}

Deno.test("serveWithCache() does not answer a request with max-age=0 and no max-stale with a stale response under the response's stale-if-error (RFC 9111 §5.2.1.1, RFC 5861 §4)", async () => {
  // The sibling of wantsFresh() for stale-while-revalidate: the client
  // said it does not wish to receive a stale response; the origin's own
  // stale-if-error does not override that.
  await using h = flowHarness((_request, i) =>
    i === 0
      ? staleBy10("max-age=10, stale-if-error=600")
      : { status: 500, body: "origin error" }
  );
  await bodyText(await h.send("/r"));
  const res = await h.send("/r", {
    headers: [["Cache-Control", "max-age=0"]],
  });
  assert.equal(
    res.status,
    500,
    `${res.headers.get("cache-status")}: served stale to a max-age=0 request`,
  );
});

Deno.test("serveWithCache() does not serve a response staler than the request's own max-stale when the origin cannot be reached (RFC 9111 §5.2.1.2, §4.2.4)", async () => {
  // max-stale=5: "will accept a response that has exceeded its freshness
  // lifetime by no more than" 5 s; --max-stale-on-error (a day) served it
  // 10 s stale anyway.
  await using h = flowHarness((_request, i) =>
    i === 0 ? staleBy10("max-age=10") : { fail: "connect-failed" }
  );
  await bodyText(await h.send("/r"));
  const res = await h.send("/r", {
    headers: [["Cache-Control", "max-stale=5"]],
  });
  assert.equal(
    res.status,
    504,
    `${res.headers.get("cache-status")}: served 10 s stale to max-stale=5`,
  );
});

Deno.test("serveWithCache() does not serve a response staler than the request's own max-stale under stale-while-revalidate (RFC 9111 §5.2.1.2, RFC 5861 §3)", async () => {
  await using h = flowHarness((_request, i) =>
    i === 0 ? staleBy10("max-age=10, stale-while-revalidate=600") : {
      status: 200,
      headers: [["Cache-Control", "max-age=600"], ["ETag", '"v2"']],
      body: "new",
    }
  );
  await bodyText(await h.send("/r"));
  const res = await h.send("/r", {
    headers: [["Cache-Control", "max-stale=5"]],
  });
  const status = res.headers.get("cache-status");
  assert.equal(await bodyText(res), "new", `${status}: served 10 s stale`);
  assert.doesNotMatch(status!, /stale-while-revalidate/);
});
