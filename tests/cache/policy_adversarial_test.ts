/**
 * Pure tests of hostile input to issue 10's cache rules (a second
 * reader's review): qualified private naming the fields the cache's own
 * decisions rest on, a 416 stored under a key that has no Range in it,
 * and a piece of unknown complete length placed past a known one. The
 * test name says what holds.
 */

import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  afterResponse,
  draftOf,
  type Exchange,
  type StoreOptions,
} from "../../cache/policy.ts";
import { parseMeta } from "../../cache/meta.ts";
import { pieceCommit } from "../../cache/piece_commit.ts";
import { at, dateAt, fields, stored } from "./policy_fixtures.ts";

const OPTIONS: StoreOptions = { maxObjectBytes: 1_000_000, skipBinary: false };

function exchange(
  status: number,
  response: Field[],
  request: Field[] = [],
): Exchange {
  return {
    key: "http://origin.test/x",
    method: "GET",
    requestFields: fields(...request),
    status,
    reason: "",
    responseFields: fields(...response),
    requestTime: at(0),
    responseTime: at(0),
  };
}

Deno.test("draftOf() stores a no-cache response stale at once when a qualified private names Cache-Control (RFC 9111 §5.2.2.4, §5.2.2.7)", () => {
  // The origin says: revalidate every use, and do not store the
  // Cache-Control field. Dropping the field must not drop its no-cache:
  // today freshness is computed from the fields left, so the heuristic
  // (10% of 30 days, capped at a day) makes it fresh for a day.
  const draft = draftOf(exchange(200, [
    ["Date", dateAt(0)],
    ["Last-Modified", dateAt(-30 * 86400)],
    ["ETag", '"x"'],
    ["Cache-Control", 'no-cache, private="Cache-Control"'],
  ]));
  assert.ok(
    draft.freshUntil <= draft.responseTime,
    `fresh for ${(draft.freshUntil - draft.responseTime) / 1000} s`,
  );
});

Deno.test("draftOf() keeps must-revalidate's effect when a qualified private names Cache-Control (RFC 9111 §5.2.2.2, §5.2.2.7)", () => {
  const draft = draftOf(exchange(200, [
    ["Date", dateAt(0)],
    ["Last-Modified", dateAt(-30 * 86400)],
    ["Cache-Control", 'max-age=0, must-revalidate, private="Cache-Control"'],
  ]));
  assert.ok(
    draft.freshUntil <= draft.responseTime,
    `fresh for ${(draft.freshUntil - draft.responseTime) / 1000} s`,
  );
});

Deno.test("afterResponse() keeps a stored variant's Vary values when a 304 freshens a response whose qualified private names Vary (RFC 9111 §4.1, §5.2.2.7)", () => {
  const headers: Field[] = [
    ["Date", dateAt(0)],
    ["Cache-Control", 'max-age=600, private="Vary"'],
    ["Vary", "Accept-Language"],
    ["ETag", '"en"'],
  ];
  const request: Field[] = [["Accept-Language", "en"]];
  const draft = draftOf(exchange(200, headers, request));
  assert.deepEqual(draft.vary, [["accept-language", "en"]]); // stored right
  const entry = { ...draft, bodySize: 5, bodyFile: "b.body" };
  const outcome = afterResponse(
    exchange(304, headers, [...request, ["If-None-Match", '"en"']]),
    { revalidated: entry, options: OPTIONS },
  );
  assert.equal(outcome.kind, "freshen");
  if (outcome.kind !== "freshen") return;
  // Today the update has no Vary field left (private removed it), so it
  // is re-keyed with no Vary at all and then matches every request.
  assert.deepEqual(outcome.entry.vary, [["accept-language", "en"]]);
});

Deno.test("afterResponse() does not store a 416 with explicit freshness under a key that any request without Range reaches (RFC 9110 §15.5.17, RFC 9111 §4)", () => {
  // `curl -r 999999-` on a cacheable URL: the 416 depends on the Range,
  // which the key does not hold.
  const outcome = afterResponse(
    exchange(416, [
      ["Date", dateAt(0)],
      ["Cache-Control", "max-age=60"],
      ["Content-Range", "bytes */20"],
      ["Content-Length", "0"],
    ], [["Range", "bytes=999999-"]]),
    { options: OPTIONS },
  );
  assert.equal(outcome.kind, "pass");
});

Deno.test("pieceCommit() never makes metadata parseMeta() rejects when a piece of unknown complete length lies past the held length", () => {
  // Held: bytes 0-9 of a 100-byte representation. The origin then sends
  // `Content-Range: bytes 200-209/*` with the same strong ETag:
  // sameRepresentation() checks the held pieces against the length but
  // not the new piece, so piece 200-209 joins a 100-byte entry.
  const held = stored({ headers: [["ETag", '"a"'], ["Date", dateAt(0)]] });
  const current = {
    ...held,
    bodySize: 10,
    bodyFile: "p1.body",
    partial: {
      validator: '"a"',
      length: 100,
      pieces: [{ start: 0, end: 9, file: "p1.body" }],
    },
  };
  assert.ok(parseMeta(current), "the fixture is valid metadata");
  const { bodySize: _s, bodyFile: _f, partial: _p, ...draft } = current;
  const change = pieceCommit(current, {
    draft: { ...draft, partial: { validator: '"a"', length: null } },
    piece: { start: 200, end: 209, file: "p2.body" },
  });
  if (change.kind !== "stored") return; // refusing it is fine too
  assert.ok(
    parseMeta(JSON.parse(JSON.stringify(change.meta))),
    `the store would write ${JSON.stringify(change.meta.partial)}`,
  );
});
