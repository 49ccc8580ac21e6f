/**
 * Owns the first lab lessons, as data: freshness and Age, revalidation
 * with ETag and Last-Modified (the original assignment), Vary, and
 * no-store and private. Each uses URLs of its own (a path the lab origin
 * counts apart, /lab/count), so the lessons can run in any order.
 *
 * Must not print nor run them: cli/lessons.ts prints,
 * tests/e2e/lessons_test.ts runs them against `cachelab lab`.
 */

import type { Lesson } from "./lesson_types.ts";

const FRESH = "'{proxy}/lab/etag/fresh?Cache-Control=max-age%3D60'";

/** Lesson: a response is fresh for max-age seconds, its Age growing. */
export const FRESHNESS: Lesson = {
  title: "Freshness and Age",
  shows: "A response with max-age=60 is served from the cache without " +
    "asking the origin while its Age is under 60 s; once older it is " +
    "stale and the proxy asks the origin again (RFC 9111 §4.2, §4.2.3, " +
    "§5.1).",
  steps: [
    {
      command: `curl -si ${FRESH}`,
      lookFor: "200, Cache-Status: ...fwd=uri-miss; fwd-status=200; stored; " +
        'the body "request 1 for /lab/etag/fresh" is the origin\'s count',
      expect: {
        kind: "response",
        status: 200,
        fields: [{ name: "Cache-Status", matches: /fwd=uri-miss.*stored/ }],
        body: /^request 1 for \/lab\/etag\/fresh$/,
      },
    },
    {
      command: "./cachelab clock advance 30",
      lookFor: "the lab's clock moved 30 s forward (the proxy's and the " +
        "origin's time; nobody waits)",
      expect: { kind: "text", matches: /^clock: \+\d+ s/ },
    },
    {
      command: `curl -si ${FRESH}`,
      lookFor: "Cache-Status: cachelab; hit; ttl=29 or so, Age: 30 or so, " +
        'and still "request 1": the origin was not asked',
      expect: {
        kind: "response",
        status: 200,
        fields: [
          { name: "Cache-Status", matches: /; hit; ttl=\d+/ },
          { name: "Age", matches: /^[345]\d$/ },
        ],
        sameBodyAs: 0,
      },
    },
    {
      command: "./cachelab clock advance 31",
      lookFor: "61 s have passed for the stored response: more than max-age",
      expect: { kind: "text", matches: /^clock: \+\d+ s/ },
    },
    {
      command: `curl -si -H 'Cachelab-Explain: 1' ${FRESH}`,
      lookFor: "Cache-Status: ...fwd=stale; fwd-status=304 and " +
        "Cachelab-Explain: must revalidate: stale...: the proxy asked the " +
        "origin, which said its copy is still good (lesson 2); Age is 0 again",
      expect: {
        kind: "response",
        status: 200,
        fields: [
          { name: "Cache-Status", includes: "fwd=stale; fwd-status=304" },
          { name: "Cachelab-Explain", matches: /^must revalidate: stale/ },
          { name: "Age", matches: /^[0-9]$/ },
        ],
        sameBodyAs: 0,
      },
    },
  ],
};

const ETAG = "'{proxy}/lab/etag/v1?Cache-Control=no-cache'";
const MODIFIED = "Mon, 01 Jan 2024 00:00:00 GMT";
const LAST_MODIFIED = "'{proxy}/lab/last-modified/" +
  `${MODIFIED.replaceAll(" ", "%20")}?Cache-Control=max-age%3D10'`;

/** Lesson: a stored response is revalidated with its validators. */
export const REVALIDATION: Lesson = {
  title: "Revalidation with ETag and Last-Modified",
  shows: "A stored response that may not be used without asking (no-cache, " +
    "or stale) is revalidated: the proxy sends If-None-Match with its " +
    "ETag, or If-Modified-Since with its Last-Modified, the origin answers " +
    "304 and the proxy serves its stored copy with 200 (RFC 9111 §4.3.1, " +
    "RFC 9110 §13.1.2, §13.1.3).",
  steps: [
    {
      command: `curl -si ${ETAG}`,
      lookFor: 'ETag: "v1", Cache-Status: ...stored; "request 1 for ' +
        '/lab/etag/v1"',
      expect: {
        kind: "response",
        status: 200,
        fields: [
          { name: "ETag", includes: '"v1"' },
          { name: "Cache-Status", matches: /fwd=uri-miss.*stored/ },
        ],
        body: /^request 1 for \/lab\/etag\/v1$/,
      },
    },
    {
      command: `curl -si ${ETAG}`,
      lookFor: "200 to you, Cache-Status: ...fwd-status=304: the origin " +
        'answered 304; still "request 1"',
      expect: {
        kind: "response",
        status: 200,
        fields: [{ name: "Cache-Status", includes: "fwd-status=304" }],
        sameBodyAs: 0,
      },
    },
    {
      command: "curl -s '{origin}/lab/log'",
      lookFor: 'the last request for /lab/etag/v1 had "If-None-Match": ' +
        '"\\"v1\\"" and got status 304',
      expect: {
        kind: "log",
        target: "/lab/etag/v1",
        field: "If-None-Match",
        value: '"v1"',
        status: 304,
      },
    },
    {
      command: `curl -si ${LAST_MODIFIED}`,
      lookFor: `Last-Modified: ${MODIFIED}, no ETag; stored for 10 s`,
      expect: {
        kind: "response",
        status: 200,
        fields: [
          { name: "Last-Modified", includes: MODIFIED },
          { name: "ETag", absent: true },
          { name: "Cache-Status", matches: /fwd=uri-miss.*stored/ },
        ],
      },
    },
    {
      command: "./cachelab clock advance 11",
      lookFor: "the stored response is now stale",
      expect: { kind: "text", matches: /^clock: \+\d+ s/ },
    },
    {
      command: `curl -si ${LAST_MODIFIED}`,
      lookFor: "Cache-Status: ...fwd=stale; fwd-status=304: revalidated",
      expect: {
        kind: "response",
        status: 200,
        fields: [{
          name: "Cache-Status",
          includes: "fwd=stale; fwd-status=304",
        }],
        sameBodyAs: 3,
      },
    },
    {
      command: "curl -s '{origin}/lab/log'",
      lookFor: `the last request for /lab/last-modified/... had ` +
        `"If-Modified-Since": "${MODIFIED}" and got status 304`,
      expect: {
        kind: "log",
        target: "/lab/last-modified/",
        field: "If-Modified-Since",
        value: MODIFIED,
        status: 304,
      },
    },
  ],
};

const VARY =
  "'{proxy}/lab/headers?Cache-Control=max-age%3D60&Vary=Accept-Language'";

/** Lesson: one URL, one stored response per Accept-Language. */
export const VARY_LESSON: Lesson = {
  title: "Vary",
  shows: "A response with Vary: Accept-Language is stored once per " +
    "language: a request is answered from the cache only by the " +
    "response stored for its own value (RFC 9111 §4.1).",
  steps: [
    {
      command: `curl -si -H 'Accept-Language: en' ${VARY}`,
      lookFor: 'stored; "request 1 for /lab/headers"',
      expect: {
        kind: "response",
        status: 200,
        fields: [{ name: "Cache-Status", matches: /fwd=uri-miss.*stored/ }],
        body: /^request 1 for \/lab\/headers$/,
      },
    },
    {
      command: `curl -si -H 'Accept-Language: fr' ${VARY}`,
      lookFor: "another language: Cache-Status: ...fwd=vary-miss; " +
        'fwd-status=200; stored beside the first, "request 2"',
      expect: {
        kind: "response",
        status: 200,
        fields: [{ name: "Cache-Status", matches: /fwd=vary-miss.*stored/ }],
        body: /^request 2 for \/lab\/headers$/,
      },
    },
    {
      command: `curl -si -H 'Accept-Language: en' ${VARY}`,
      lookFor: 'hit, "request 1": the English one',
      expect: {
        kind: "response",
        status: 200,
        fields: [{ name: "Cache-Status", includes: "hit" }],
        sameBodyAs: 0,
      },
    },
    {
      command: `curl -si -H 'Accept-Language: fr' ${VARY}`,
      lookFor: 'hit, "request 2": the French one',
      expect: {
        kind: "response",
        status: 200,
        fields: [{ name: "Cache-Status", includes: "hit" }],
        sameBodyAs: 1,
      },
    },
    {
      command: "curl -s '{origin}/lab/count?path=/lab/headers'",
      lookFor: "2: two entries, one request each",
      expect: { kind: "text", matches: /^2$/ },
    },
  ],
};

const NO_STORE = "'{proxy}/lab/etag/no-store?Cache-Control=no-store'";
const PRIVATE =
  "'{proxy}/lab/etag/private?Cache-Control=private%2C%20max-age%3D60'";

/** Lesson: no-store and private responses are never stored. */
export const NO_STORE_LESSON: Lesson = {
  title: "no-store and private",
  shows: "A response with no-store is never stored, and one with private " +
    "never by a shared cache such as this proxy: every request reaches " +
    "the origin (RFC 9111 §5.2.2.5, §5.2.2.7).",
  steps: [
    {
      command: `curl -si ${NO_STORE}`,
      lookFor: 'Cache-Status: ...detail=no-store; "request 1"',
      expect: {
        kind: "response",
        status: 200,
        fields: [{ name: "Cache-Status", includes: "detail=no-store" }],
        body: /^request 1 for \/lab\/etag\/no-store$/,
      },
    },
    {
      command: `curl -si ${NO_STORE}`,
      lookFor: 'not a hit: "request 2"',
      expect: {
        kind: "response",
        status: 200,
        fields: [{ name: "Cache-Status", includes: "detail=no-store" }],
        body: /^request 2 for \/lab\/etag\/no-store$/,
      },
    },
    {
      command: `curl -si ${PRIVATE}`,
      lookFor: 'Cache-Status: ...detail=private; "request 1"',
      expect: {
        kind: "response",
        status: 200,
        fields: [{ name: "Cache-Status", includes: "detail=private" }],
        body: /^request 1 for \/lab\/etag\/private$/,
      },
    },
    {
      command: `curl -si ${PRIVATE}`,
      lookFor: 'not a hit although max-age=60: "request 2"',
      expect: {
        kind: "response",
        status: 200,
        fields: [{ name: "Cache-Status", includes: "detail=private" }],
        body: /^request 2 for \/lab\/etag\/private$/,
      },
    },
    {
      command: "curl -s '{origin}/lab/count?path=/lab/etag/private'",
      lookFor: "2: the origin saw every request",
      expect: { kind: "text", matches: /^2$/ },
    },
  ],
};
