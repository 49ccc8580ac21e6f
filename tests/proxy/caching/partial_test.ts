/**
 * Component tests of partial content through the cache flow (RFC 9111
 * §3.3, §3.4): a scripted origin that honours Range and If-Range, the
 * MemoryStore, no socket. What the origin was asked (Range, If-Range),
 * the bytes each client got and what the store holds are the oracles.
 */

import { variantsNow } from "../../cache/store_helpers.ts";
import assert from "../../helpers/assert.ts";
import { parseRange } from "../../../http/range.ts";
import { ifRangeAllows } from "../../../http/conditional.ts";
import type { OutgoingResponse } from "../../../http/types.ts";
import {
  bodyBytes,
  flowHarness,
  type Scripted,
  ScriptedBody,
} from "../../helpers/scripted_upstream.ts";
import type { UpstreamRequest } from "../../../proxy/upstream/mod.ts";
import type { UpstreamFailure } from "../../../proxy/upstream/errors.ts";
import { waitUntil } from "../../helpers/cache_proxy.ts";

const KEY = "http://origin.test/video";
const SIZE = 200_000;

/** A representation: `size` bytes that differ by seed and position. */
function representation(seed: number, size = SIZE): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    bytes[i] = (i * 7 + seed * 13 + (i >> 9)) & 0xff;
  }
  return bytes;
}

interface Version {
  bytes: Uint8Array;
  etag: string;
  /** Response fields besides ETag, Content-Range and the length. */
  headers?: [string, string][];
}

/**
 * An origin that answers a Range request (RFC 9110 §14) with a 206 of
 * one range, honouring If-Range (§13.1.5), and anything else with a 200;
 * `version(i)` is the representation it holds at request `i`.
 */
function rangeOrigin(version: (index: number) => Version) {
  return (request: UpstreamRequest, index: number): Scripted => {
    const { bytes, etag, headers = [["Cache-Control", "max-age=60"]] } =
      version(index);
    const fields = request.head.headers;
    const asked = parseRange(fields.get("range"), bytes.length);
    const applies = ifRangeAllows(fields, { etag });
    if (asked.kind !== "single" || !applies) {
      return {
        status: 200,
        headers: [...headers, ["ETag", etag]],
        body: bytes,
      };
    }
    const { start, end } = asked;
    return {
      status: 206,
      headers: [
        ...headers,
        ["ETag", etag],
        ["Content-Range", `bytes ${start}-${end}/${bytes.length}`],
      ],
      body: bytes.slice(start, end + 1),
    };
  };
}

const V1: Version = { bytes: representation(1), etag: '"v1"' };

async function get(
  h: ReturnType<typeof flowHarness>,
  range?: string,
  extra: [string, string][] = [],
): Promise<{ res: OutgoingResponse; body: Uint8Array }> {
  const headers: [string, string][] = range
    ? [["Range", range], ...extra]
    : extra;
  const res = await h.send("/video", { headers });
  return { res, body: await bodyBytes(res) };
}

/** What the origin was asked, request by request: [Range, If-Range]. */
function asked(h: ReturnType<typeof flowHarness>): (string | undefined)[][] {
  return h.upstream.requests.map((r) => [
    r.head.headers.get("range"),
    r.head.headers.get("if-range"),
  ]);
}

function heldPieces(h: ReturnType<typeof flowHarness>): number[][] | "whole" {
  const [meta] = variantsNow(h.cache.store, KEY);
  assert.ok(meta, "nothing is stored");
  if (!meta.partial) return "whole";
  return meta.partial.pieces.map((p) => [p.start, p.end]);
}

Deno.test("serveWithCache() stores a 206 to a range request on a miss as a partial entry, and answers a range within it from the cache (RFC 9111 §3.3)", async () => {
  await using h = flowHarness(rangeOrigin(() => V1));
  const first = await get(h, "bytes=0-999");
  assert.equal(first.res.status, 206);
  assert.deepEqual(first.body, V1.bytes.subarray(0, 1000));
  assert.equal(
    first.res.headers.get("cache-status"),
    "cachelab; fwd=uri-miss; fwd-status=206; stored",
  );
  assert.deepEqual(heldPieces(h), [[0, 999]]);
  const hit = await get(h, "bytes=100-199");
  assert.equal(hit.res.status, 206);
  assert.equal(hit.res.headers.get("content-range"), `bytes 100-199/${SIZE}`);
  assert.match(
    hit.res.headers.get("cache-status")!,
    /^cachelab; hit; ttl=\d+$/,
  );
  assert.equal(hit.res.logSuffix, "- HIT");
  assert.deepEqual(hit.body, V1.bytes.subarray(100, 200));
  assert.deepEqual(asked(h), [["bytes=0-999", undefined]]);
  assert.equal(h.stats.get("cache.hits"), 1);
});

Deno.test("serveWithCache() asks the origin only for the missing bytes under If-Range and answers the whole range, combined (RFC 9111 §3.4, RFC 9110 §13.1.5)", async () => {
  await using h = flowHarness(rangeOrigin(() => V1));
  await get(h, "bytes=1000-1999");
  const around = await get(h, "bytes=500-2499");
  assert.equal(around.res.status, 206);
  assert.equal(
    around.res.headers.get("content-range"),
    `bytes 500-2499/${SIZE}`,
  );
  assert.deepEqual(around.body, V1.bytes.subarray(500, 2500));
  assert.equal(
    around.res.headers.get("cache-status"),
    "cachelab; fwd=partial; fwd-status=206; stored",
  );
  assert.equal(around.res.logSuffix?.endsWith(" PARTIAL"), true);
  assert.deepEqual(asked(h), [
    ["bytes=1000-1999", undefined],
    ["bytes=500-2499", '"v1"'], // one range: the held 1000-1999 comes again
  ]);
  const later = await get(h, "bytes=2000-150000"); // a large part: read as it is stored
  assert.deepEqual(later.body, V1.bytes.subarray(2000, 150_001));
  assert.equal(
    later.res.headers.get("cache-status"),
    "cachelab; fwd=partial; fwd-status=206; detail=storing",
  );
  assert.deepEqual(asked(h).at(-1), ["bytes=2500-150000", '"v1"']);
  assert.deepEqual(heldPieces(h), [[500, 2499], [2500, 150_000]]);
  const inside = await get(h, "bytes=500-150000");
  assert.match(inside.res.headers.get("cache-status")!, /^cachelab; hit/);
  assert.deepEqual(inside.body, V1.bytes.subarray(500, 150_001));
  assert.equal(h.upstream.requests.length, 3);
  assert.equal(h.stats.get("cache.partial_fills"), 2);
});

Deno.test("serveWithCache() fetches only the bytes between two held parts and answers from both around them (RFC 9111 §3.4)", async () => {
  await using h = flowHarness(rangeOrigin(() => V1));
  await get(h, "bytes=0-999");
  await get(h, "bytes=3000-3999");
  const middle = await get(h, "bytes=500-3499");
  assert.deepEqual(middle.body, V1.bytes.subarray(500, 3500));
  assert.deepEqual(asked(h).at(-1), ["bytes=1000-2999", '"v1"']);
  assert.deepEqual(heldPieces(h), [[0, 999], [1000, 2999], [3000, 3999]]);
});

Deno.test("serveWithCache() makes a complete entry once the parts cover the representation, and a plain GET is then a hit, byte-exact (RFC 9111 §3.4)", async () => {
  await using h = flowHarness(rangeOrigin(() => V1));
  await get(h, "bytes=0-99999");
  await get(h, `bytes=100000-${SIZE - 1}`);
  assert.equal(heldPieces(h), "whole");
  const whole = await get(h);
  assert.equal(whole.res.status, 200);
  assert.match(whole.res.headers.get("cache-status")!, /^cachelab; hit/);
  assert.equal(whole.res.headers.get("content-range"), undefined);
  assert.deepEqual(whole.body, V1.bytes);
  assert.equal(h.upstream.requests.length, 2);
});

Deno.test("serveWithCache() fetches a plain GET whole when only a part is stored, and the complete response replaces the part (RFC 9111 §3.3)", async () => {
  await using h = flowHarness(rangeOrigin(() => V1));
  await get(h, "bytes=0-999");
  const whole = await get(h);
  assert.equal(whole.res.status, 200);
  assert.match(
    whole.res.headers.get("cache-status")!,
    /^cachelab; fwd=partial; fwd-status=200/,
  );
  assert.deepEqual(whole.body, V1.bytes);
  assert.deepEqual(asked(h).at(-1), [undefined, undefined]);
  assert.equal(heldPieces(h), "whole");
  const hit = await get(h, "bytes=5000-5009");
  assert.match(hit.res.headers.get("cache-status")!, /^cachelab; hit/);
  assert.deepEqual(hit.body, V1.bytes.subarray(5000, 5010));
});

Deno.test("serveWithCache() replaces the part when the origin answers If-Range with a 200: the representation changed (RFC 9110 §13.1.5)", async () => {
  const v2: Version = { bytes: representation(2), etag: '"v2"' };
  await using h = flowHarness(rangeOrigin((i) => i === 0 ? V1 : v2));
  await get(h, "bytes=0-999");
  const changed = await get(h, "bytes=500-1999");
  assert.equal(changed.res.status, 200); // a 200 answers a Range request too
  assert.deepEqual(changed.body, v2.bytes);
  assert.deepEqual(asked(h).at(-1), ["bytes=1000-1999", '"v1"']);
  assert.equal(heldPieces(h), "whole");
  const hit = await get(h, "bytes=0-9");
  assert.deepEqual(hit.body, v2.bytes.subarray(0, 10));
  assert.equal(h.upstream.requests.length, 2);
});

Deno.test("serveWithCache() relays a part of another representation as it came, and it replaces the stored part (RFC 9111 §3.4)", async () => {
  const v2: Version = { bytes: representation(2), etag: '"v2"' };
  const ignoresIfRange = rangeOrigin((i) => i === 0 ? V1 : v2);
  await using h = flowHarness((request, i) => {
    const headers = request.head.headers.clone();
    headers.delete("if-range"); // an origin that ignores If-Range
    return ignoresIfRange(
      { ...request, head: { ...request.head, headers } },
      i,
    );
  });
  await get(h, "bytes=0-999");
  const other = await get(h, "bytes=500-1999");
  assert.equal(other.res.status, 206);
  assert.equal(
    other.res.headers.get("content-range"),
    `bytes 1000-1999/${SIZE}`,
  );
  assert.deepEqual(other.body, v2.bytes.subarray(1000, 2000));
  assert.deepEqual(heldPieces(h), [[1000, 1999]]);
  assert.equal(
    (await h.cache.store.variants(KEY))[0]!.partial!.validator,
    '"v2"',
  );
});

Deno.test("serveWithCache() stores no part without a strong validator (RFC 9111 §3.4, RFC 9110 §8.8.3)", async () => {
  await using h = flowHarness(rangeOrigin(() => ({ ...V1, etag: 'W/"v1"' })));
  const first = await get(h, "bytes=0-999");
  assert.equal(first.res.status, 206);
  assert.equal(
    first.res.headers.get("cache-status"),
    "cachelab; fwd=uri-miss; fwd-status=206; detail=no-validator",
  );
  assert.deepEqual(await h.cache.store.variants(KEY), []);
  await get(h, "bytes=0-999");
  assert.equal(h.upstream.requests.length, 2);
});

Deno.test("serveWithCache() revalidates a stale part with If-None-Match and serves the held range on a 304 (RFC 9111 §4.3.1, §4.3.4)", async () => {
  const origin = rangeOrigin(() => ({
    ...V1,
    headers: [["Cache-Control", "max-age=0"]],
  }));
  await using h = flowHarness((request, i) =>
    request.head.headers.get("if-none-match") === '"v1"'
      ? {
        status: 304,
        headers: [["ETag", '"v1"'], ["Cache-Control", "max-age=60"]],
      }
      : origin(request, i)
  );
  await get(h, "bytes=0-999");
  const revalidated = await get(h, "bytes=10-19");
  assert.equal(revalidated.res.status, 206);
  assert.deepEqual(revalidated.body, V1.bytes.subarray(10, 20));
  assert.equal(revalidated.res.logSuffix?.endsWith(" REVALIDATED"), true);
  const sent = h.upstream.requests[1]!.head.headers;
  assert.equal(sent.get("if-none-match"), '"v1"');
  assert.equal(sent.get("if-modified-since"), undefined);
  assert.deepEqual(heldPieces(h), [[0, 999]]);
  const hit = await get(h, "bytes=20-29");
  assert.match(hit.res.headers.get("cache-status")!, /^cachelab; hit/);
  assert.equal(h.upstream.requests.length, 2);
});

Deno.test("serveWithCache() answers only-if-cached with 504 when a part lacks bytes of the range (RFC 9111 §5.2.1.7)", async () => {
  await using h = flowHarness(rangeOrigin(() => V1));
  await get(h, "bytes=0-999");
  const cached: [string, string] = ["Cache-Control", "only-if-cached"];
  const missing = await get(h, "bytes=500-1999", [cached]);
  assert.equal(missing.res.status, 504);
  const held = await get(h, "bytes=500-999", [cached]);
  assert.equal(held.res.status, 206);
  assert.equal(h.upstream.requests.length, 1);
});

Deno.test("serveWithCache() lets a range request wait for a part being stored for its key, then answers it from the cache (RFC 9111 §4)", async () => {
  const release = Promise.withResolvers<void>();
  const part = V1.bytes.slice(0, 100_000);
  await using h = flowHarness((_request, i) => ({
    status: 206,
    headers: [
      ["Cache-Control", "max-age=60"],
      ["ETag", '"v1"'],
      ["Content-Range", `bytes 0-99999/${SIZE}`],
    ],
    body: new ScriptedBody(
      (async function* () {
        yield part.subarray(0, 50_000);
        if (i === 0) await release.promise; // the first fill waits half-way
        yield part.subarray(50_000);
      })(),
      part.length,
    ),
  }));
  const first = h.send("/video", { headers: [["Range", "bytes=0-99999"]] });
  const leader = await first; // its head went out: the fill is under way
  const second = h.send("/video", { headers: [["Range", "bytes=10-19"]] });
  await waitUntil(
    () => h.stats.get("cache.collapsed") === 1,
    "the second request waiting for the fill",
  );
  release.resolve();
  assert.deepEqual(await bodyBytes(leader), part);
  const follower = await second;
  assert.deepEqual(await bodyBytes(follower), V1.bytes.subarray(10, 20));
  assert.match(follower.headers.get("cache-status")!, /^cachelab; hit/);
  assert.equal(h.upstream.requests.length, 1);
  assert.equal(h.stats.get("cache.collapsed"), 1);
});

Deno.test("serveWithCache() asks for a range's missing bytes under If-Range alone, never with the client's If-None-Match or If-Modified-Since (RFC 9110 §13.1.5, §14.2, RFC 9111 §3.4)", async () => {
  await using h = flowHarness(rangeOrigin(() => V1));
  await get(h, "bytes=0-999");
  const filled = await get(h, "bytes=500-1999", [
    ["If-None-Match", '"other"'],
    ["If-Modified-Since", "Mon, 01 Jan 2024 00:00:00 GMT"],
  ]);
  assert.equal(filled.res.status, 206);
  assert.deepEqual(filled.body, V1.bytes.subarray(500, 2000));
  const sent = h.upstream.requests[1]!.head.headers;
  assert.equal(sent.get("range"), "bytes=1000-1999");
  assert.equal(sent.get("if-range"), '"v1"');
  assert.equal(sent.get("if-none-match"), undefined);
  assert.equal(sent.get("if-modified-since"), undefined);
});

Deno.test("serveWithCache() fetches the range again without conditions when the origin answers its missing bytes with a 304, which cannot be combined (RFC 9111 §3.4, §4.3.4)", async () => {
  const origin = rangeOrigin(() => V1);
  await using h = flowHarness((request, i) =>
    i === 1
      ? {
        status: 304,
        headers: [["ETag", '"v1"'], ["Cache-Control", "max-age=60"]],
      }
      : origin(request, i)
  );
  await get(h, "bytes=0-999");
  const again = await get(h, "bytes=500-1999");
  assert.equal(again.res.status, 206);
  assert.deepEqual(again.body, V1.bytes.subarray(500, 2000));
  assert.deepEqual(asked(h), [
    ["bytes=0-999", undefined],
    ["bytes=1000-1999", '"v1"'],
    ["bytes=500-1999", undefined],
  ]);
  assert.equal(h.stats.get("cache.mismatched_304"), 1);
  assert.equal(h.stats.get("cache.revalidated"), 0);
});

Deno.test("serveWithCache() revalidates a stale part whose ETag is weak with a plain range request, never If-Range with its Last-Modified, and a changed representation comes whole (RFC 9111 §4.3.1, RFC 9110 §8.8.1, §13.1.5)", async () => {
  // This test asserted If-Range: <Last-Modified> before; RFC 9110 §13.1.5
  // says a client "MUST NOT generate an If-Range header field containing
  // an HTTP-date unless the client has no entity tag for the
  // corresponding representation", and a weak entity-tag may not go in
  // If-Range either: the part is asked for without any validator, and
  // the answer is checked (a 206 joins only with the same validators).
  const lm1 = "Mon, 01 Jan 2024 00:00:00 GMT";
  const v2 = representation(2);
  await using h = flowHarness((request, i) => {
    if (i === 0) {
      return {
        status: 206,
        headers: [
          ["Cache-Control", "max-age=0"],
          ["ETag", 'W/"w"'],
          ["Last-Modified", lm1],
          ["Content-Range", `bytes 0-999/${SIZE}`],
        ],
        body: V1.bytes.slice(0, 1000),
      };
    }
    const ifNoneMatch = request.head.headers.get("if-none-match");
    if (ifNoneMatch === 'W/"w"') return { status: 304, headers: [] }; // a weak match proves no bytes
    return {
      status: 200,
      headers: [
        ["Cache-Control", "max-age=60"],
        ["ETag", 'W/"w"'],
        ["Last-Modified", "Tue, 02 Jan 2024 00:00:00 GMT"],
      ],
      body: v2,
    };
  });
  await get(h, "bytes=0-999");
  assert.deepEqual(heldPieces(h), [[0, 999]]);
  const changed = await get(h, "bytes=10-19");
  const sent = h.upstream.requests[1]!.head.headers;
  assert.equal(sent.get("if-range"), undefined);
  assert.equal(sent.get("range"), "bytes=10-19");
  assert.equal(sent.get("if-none-match"), undefined);
  assert.equal(sent.get("if-modified-since"), undefined);
  assert.equal(changed.res.status, 200);
  assert.deepEqual(changed.body, v2);
  assert.equal(heldPieces(h), "whole");
});

const FILL_FAILURES: [UpstreamFailure, number][] = [
  ["closed", 502],
  ["bad-response", 502],
  ["connect-failed", 502],
  ["connect-timeout", 504],
  ["response-timeout", 504],
  ["wait-timeout", 504],
];

for (const [failure, status] of FILL_FAILURES) {
  Deno.test(`serveWithCache() answers ${status} when the upstream fails with ${failure} while fetching a range's missing bytes, as any forward does (RFC 9110 §15.6.3, §15.6.5, RFC 9111 §3.3)`, async () => {
    const origin = rangeOrigin(() => ({
      ...V1,
      headers: [["Cache-Control", "max-age=60, stale-if-error=600"]],
    }));
    await using h = flowHarness((request, i) =>
      i === 0 ? origin(request, i) : { fail: failure }
    );
    await get(h, "bytes=0-999");
    const failed = await get(h, "bytes=500-1999");
    assert.equal(failed.res.status, status);
    assert.equal(
      failed.res.headers.get("cache-status"),
      `cachelab; fwd=partial; detail=${failure}`,
    );
    assert.equal(failed.res.logSuffix?.endsWith(" MISS"), true);
    assert.equal(h.stats.get(`errors.${failure}`), 1);
    assert.deepEqual(asked(h).at(-1), ["bytes=1000-1999", '"v1"']);
    assert.deepEqual(heldPieces(h), [[0, 999]], "the part is kept");
  });
}

Deno.test("serveWithCache() relays a server error to a range's missing bytes instead of a part that cannot answer it, despite stale-if-error (RFC 5861 §4, RFC 9111 §3.3)", async () => {
  const origin = rangeOrigin(() => ({
    ...V1,
    headers: [["Cache-Control", "max-age=0, stale-if-error=600"]],
  }));
  await using h = flowHarness((request, i) =>
    i === 0 ? origin(request, i) : { status: 503, body: "down" }
  );
  await get(h, "bytes=0-999");
  const failed = await get(h, "bytes=500-1999");
  assert.equal(failed.res.status, 503);
  assert.equal(new TextDecoder().decode(failed.body), "down");
  assert.equal(h.stats.get("cache.stale_if_error"), 0);
});
