/**
 * Owns the later lab lessons, as data: stale-while-revalidate,
 * stale-if-error (and what --max-stale-on-error covers), invalidation by
 * POST and request collapsing. Each uses URLs of its own (a path the lab
 * origin counts apart), so the lessons can run in any order.
 *
 * Must not print nor run them: cli/lessons.ts prints,
 * tests/e2e/lessons_test.ts runs them against `cachelab lab`.
 */

import type { Lesson } from "./lesson_types.ts";

const SWR = "'{proxy}/lab/etag/swr?Cache-Control=max-age%3D10%2C%20" +
  "stale-while-revalidate%3D60'";

/** Lesson: stale served at once while one request refreshes it. */
export const STALE_WHILE_REVALIDATE: Lesson = {
  title: "stale-while-revalidate",
  shows: "Within its stale-while-revalidate window a stale response is " +
    "served at once, and the proxy refreshes it from the origin in the " +
    "background (RFC 5861 §3).",
  steps: [
    {
      command: `curl -si ${SWR}`,
      lookFor: 'stored for 10 s; "request 1 for /lab/etag/swr"',
      expect: {
        kind: "response",
        status: 200,
        fields: [{ name: "Cache-Status", matches: /fwd=uri-miss.*stored/ }],
        body: /^request 1 for \/lab\/etag\/swr$/,
      },
    },
    {
      command: "./cachelab clock advance 15",
      lookFor: "now 5 s stale, within the 60 s window",
      expect: { kind: "text", matches: /^clock: \+\d+ s/ },
    },
    {
      command: `curl -si ${SWR}`,
      lookFor: "at once: Cache-Status: cachelab; hit; ttl=-6; " +
        "detail=stale-while-revalidate (ttl counts from the exact age, " +
        '15.x s), the stale "request 1"',
      expect: {
        kind: "response",
        status: 200,
        fields: [{
          name: "Cache-Status",
          matches: /; hit; ttl=-\d+; detail=stale-while-revalidate/,
        }],
        sameBodyAs: 0,
      },
    },
    {
      command: "curl -s '{origin}/lab/count?path=/lab/etag/swr'",
      lookFor: "2: the background request (If-None-Match, answered 304); " +
        "run it again if it still says 1",
      expect: { kind: "text", matches: /^2$/, poll: true },
    },
    {
      command: `curl -si ${SWR}`,
      lookFor: "fresh again: Cache-Status: cachelab; hit; ttl=9 or so",
      expect: {
        kind: "response",
        status: 200,
        fields: [{ name: "Cache-Status", matches: /; hit; ttl=\d+$/ }],
        sameBodyAs: 0,
      },
    },
  ],
};

const SIE = "'{proxy}/lab/etag/sie?Cache-Control=max-age%3D10%2C%20" +
  "stale-if-error%3D60&fail-after=1'";
const PLAIN = "'{proxy}/lab/etag/plain?Cache-Control=max-age%3D10" +
  "&fail-after=1'";

/** Lesson: a server error replaced by the stale response, and only then. */
export const STALE_IF_ERROR: Lesson = {
  title: "stale-if-error",
  shows: "When the origin answers 500, 502, 503 or 504, a response with " +
    "stale-if-error is served stale instead (RFC 5861 §4); without it the " +
    "error passes: --max-stale-on-error covers only an origin that cannot " +
    "be reached (RFC 9111 §4.2.4).",
  steps: [
    {
      command: `curl -si ${SIE}`,
      lookFor: "stored for 10 s; fail-after=1: the origin answers 500 " +
        "from its 2nd request for this path on",
      expect: {
        kind: "response",
        status: 200,
        fields: [{ name: "Cache-Status", matches: /fwd=uri-miss.*stored/ }],
        body: /^request 1 for \/lab\/etag\/sie$/,
      },
    },
    {
      command: `curl -si ${PLAIN}`,
      lookFor: "the same without stale-if-error, stored too",
      expect: {
        kind: "response",
        status: 200,
        fields: [{ name: "Cache-Status", matches: /fwd=uri-miss.*stored/ }],
        body: /^request 1 for \/lab\/etag\/plain$/,
      },
    },
    {
      command: "./cachelab clock advance 15",
      lookFor: "both are now 5 s stale",
      expect: { kind: "text", matches: /^clock: \+\d+ s/ },
    },
    {
      command: `curl -si ${SIE}`,
      lookFor: "200 and the stale body: Cache-Status: ...fwd=stale; " +
        "fwd-status=500; ttl=-6; detail=stale-if-error: the origin's 500 " +
        "was replaced",
      expect: {
        kind: "response",
        status: 200,
        fields: [{
          name: "Cache-Status",
          matches: /fwd=stale; fwd-status=500; ttl=-\d+; detail=stale-if-error/,
        }],
        sameBodyAs: 0,
      },
    },
    {
      command: `curl -si ${PLAIN}`,
      lookFor: "the origin's 500 itself (Cache-Status: ...fwd=stale; " +
        "fwd-status=500): the origin answered, so the proxy's own " +
        "--max-stale-on-error (a day by default) does not apply",
      expect: {
        kind: "response",
        status: 500,
        fields: [{
          name: "Cache-Status",
          includes: "fwd=stale; fwd-status=500",
        }],
        body: /^request 2 for \/lab\/etag\/plain: failing after 1$/,
      },
    },
    {
      command: "curl -si '{proxy}/lab/close'",
      lookFor: "502, Cache-Status: ...fwd=miss; detail=closed: the origin " +
        "closed the connection before any response, and nothing is stored " +
        "for this URL. Had a response been stored, the proxy would serve it " +
        "stale without any stale-if-error (detail=stale-on-closed), up to " +
        "--max-stale-on-error seconds stale (0 turns that off: 504 then); " +
        "with stale-if-error, within its window whatever that flag says",
      expect: {
        kind: "response",
        status: 502,
        fields: [{ name: "Cache-Status", includes: "detail=closed" }],
      },
    },
  ],
};

const POST = "'{proxy}/lab/etag/post?Cache-Control=max-age%3D600'";

/** Lesson: an unsafe method invalidates the stored response of its URI. */
export const INVALIDATION: Lesson = {
  title: "Invalidation by POST",
  shows: "A POST (PUT, PATCH, DELETE) that succeeds removes the stored " +
    "responses of its URI, however fresh (RFC 9111 §4.4).",
  steps: [
    {
      command: `curl -si ${POST}`,
      lookFor: 'stored for 10 minutes; "request 1 for /lab/etag/post"',
      expect: {
        kind: "response",
        status: 200,
        fields: [{ name: "Cache-Status", matches: /fwd=uri-miss.*stored/ }],
        body: /^request 1 for \/lab\/etag\/post$/,
      },
    },
    {
      command: `curl -si ${POST}`,
      lookFor: 'hit, "request 1"',
      expect: {
        kind: "response",
        status: 200,
        fields: [{ name: "Cache-Status", includes: "hit" }],
        sameBodyAs: 0,
      },
    },
    {
      command: `curl -si -X POST ${POST}`,
      lookFor: "204 from the origin, Cache-Status: ...fwd=method",
      expect: {
        kind: "response",
        status: 204,
        fields: [{ name: "Cache-Status", includes: "fwd=method" }],
      },
    },
    {
      command: `curl -si ${POST}`,
      lookFor: "gone: fetched again, Cache-Status: ...fwd=uri-miss, " +
        '"request 3" (the POST was request 2)',
      expect: {
        kind: "response",
        status: 200,
        fields: [{ name: "Cache-Status", matches: /fwd=uri-miss.*stored/ }],
        body: /^request 3 for \/lab\/etag\/post$/,
      },
    },
  ],
};

const COLLAPSE = "{proxy}/lab/delay/1000?Cache-Control=max-age%3D60";

/** Lesson: concurrent misses make one upstream request. */
export const COLLAPSING: Lesson = {
  title: "Request collapsing",
  shows: "Concurrent requests for a URL that is not stored make one " +
    "request to the origin; the others read its response as it is " +
    "stored (RFC 9111 §4: a stored or storable response may satisfy " +
    "several requests).",
  steps: [
    {
      command: "for i in 1 2 3 4; do curl -s -o /dev/null " +
        `-w '%{http_code} %header{cache-status}\\n' '${COLLAPSE}' & done; wait`,
      lookFor: "after about 1 s, four lines: one cachelab; fwd=uri-miss; " +
        "fwd-status=200; stored, the others cachelab; hit; ttl=...; collapsed",
      expect: {
        kind: "lines",
        count: 4,
        every: /^200 cachelab; /,
        some: /; collapsed/,
      },
    },
    {
      command: "curl -s '{origin}/lab/count?path=/lab/delay/1000'",
      lookFor: "1: the origin answered once",
      expect: { kind: "text", matches: /^1$/ },
    },
  ],
};
