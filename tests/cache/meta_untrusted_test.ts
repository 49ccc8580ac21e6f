/**
 * Owns the tests of parseMeta() against sidecar JSON that parses and has
 * the right types, yet holds a head no writer makes and serving must not
 * send: line breaks inside a field or the reason phrase (a split
 * response), a field name that is no token, a 1xx or 304 status, a head
 * over STORED_HEAD_MAX_BYTES. Each such sidecar is served as it is today
 * (found by hand through the proxy, review of issue 11).
 *
 * Must not test the shapes meta_test.ts covers.
 */

import assert from "../helpers/assert.ts";
import { type EntryMeta, META_VERSION, parseMeta } from "../../cache/meta.ts";
import {
  STORED_HEAD_MAX_BYTES,
  STORED_HEAD_MAX_FIELDS,
} from "../../cache/limits.ts";

const STORED: EntryMeta = {
  version: META_VERSION,
  key: "http://untrusted.example/x",
  vary: [],
  status: 200,
  reason: "OK",
  headers: [["Content-Type", "text/plain"], ["Content-Length", "3"]],
  requestTime: 1_000,
  responseTime: 1_100,
  correctedInitialAge: 0,
  freshUntil: 2_000,
  keepUntil: null,
  bodySize: 3,
  bodyFile: "default-a.inline.body",
};

/** Parses `meta` as a sidecar's JSON line is parsed. */
function reparse(meta: unknown): EntryMeta | undefined {
  return parseMeta(JSON.parse(JSON.stringify(meta)));
}

Deno.test("parseMeta() returns undefined when a stored field value or the reason phrase holds CR or LF", () => {
  assert.ok(reparse(STORED), "the fixture itself is valid");
  const split = "v\r\nX-Injected: yes";
  assert.equal(
    reparse({ ...STORED, headers: [...STORED.headers, ["X-A", split]] }),
    undefined,
    "a field value with CRLF is sent as two field lines",
  );
  assert.equal(
    reparse({ ...STORED, headers: [...STORED.headers, ["X-A", "v\nX-B: 1"]] }),
    undefined,
  );
  assert.equal(reparse({ ...STORED, reason: `OK${"\r\n"}X-C: 1` }), undefined);
});

Deno.test("parseMeta() returns undefined when a stored field name is not a token", () => {
  assert.equal(
    reparse({ ...STORED, headers: [...STORED.headers, ["X A:", "x"]] }),
    undefined,
    "served as the field line 'X A:: x'",
  );
  assert.equal(
    reparse({ ...STORED, headers: [...STORED.headers, ["", "x"]] }),
    undefined,
  );
});

Deno.test("parseMeta() returns undefined when the stored status is 1xx", () => {
  // Served today as "500 internal error" with a stack trace on stderr for every request of the URL.
  assert.equal(reparse({ ...STORED, status: 100 }), undefined);
  assert.equal(reparse({ ...STORED, status: 199 }), undefined);
});

Deno.test("parseMeta() returns undefined when the stored status is 304", () => {
  // A cache never stores a 304 as a response (RFC 9111 §4.3.4 updates the stored one);
  // served today as a hit: "304" to a plain GET without conditionals.
  assert.equal(reparse({ ...STORED, status: 304 }), undefined);
});

Deno.test("parseMeta() returns undefined when the stored fields are larger than STORED_HEAD_MAX_BYTES", () => {
  const big = "a".repeat(STORED_HEAD_MAX_BYTES + 1);
  assert.equal(
    reparse({ ...STORED, headers: [...STORED.headers, ["X-Big", big]] }),
    undefined,
    "no writer stores such a head; served today as it is",
  );
});

Deno.test("parseMeta() returns undefined when a stored field value or the reason phrase holds NUL", () => {
  assert.equal(
    reparse({ ...STORED, headers: [...STORED.headers, ["X-A", "v\0w"]] }),
    undefined,
  );
  assert.equal(reparse({ ...STORED, reason: "O\0K" }), undefined);
});

Deno.test("parseMeta() returns undefined when the stored status is 206 or outside 200-999, and keeps 200-999 otherwise", () => {
  // RFC 9111 §3.3: a 206 is kept as a partial entry, whose status is the complete response's.
  for (const status of [206, 1000, 99, 0]) {
    assert.equal(reparse({ ...STORED, status }), undefined, `${status}`);
  }
  for (const status of [200, 203, 404, 599, 600, 999]) {
    assert.ok(reparse({ ...STORED, status }), `${status}`); // storable.ts stores them (http/head.ts reads 100-999)
  }
});

Deno.test("parseMeta() keeps stored fields of exactly STORED_HEAD_MAX_BYTES and STORED_HEAD_MAX_FIELDS", () => {
  const used = STORED.headers.reduce(
    (n, [k, v]) => n + k.length + v.length + 4,
    0,
  );
  const room = STORED_HEAD_MAX_BYTES - used - "X-Big".length - 4;
  const full = [...STORED.headers, ["X-Big", "a".repeat(room)]];
  assert.ok(reparse({ ...STORED, headers: full }), "at the byte bound");
  const many = Array.from(
    { length: STORED_HEAD_MAX_FIELDS },
    (_, i) => [`X-${i}`, "v"],
  );
  assert.ok(reparse({ ...STORED, headers: many }), "at the field bound");
  assert.equal(
    reparse({ ...STORED, headers: [...many, ["X-One-More", "v"]] }),
    undefined,
  );
});
