/**
 * Table tests of collapsing's decision (cache/collapse.ts followChoice):
 * whether a request that found another request filling its key answers
 * from that fill, waits for what it stores, looks again (electing a new
 * leader), or goes upstream itself.
 */

import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import { followChoice, type LeaderNews } from "../../cache/collapse.ts";
import type { StoreOptions } from "../../cache/policy.ts";
import { at, dateAt, fields, stored } from "./policy_fixtures.ts";

const OPTIONS: StoreOptions = {
  maxObjectBytes: 1 << 20,
  skipBinary: false,
  targets: ["cache-control"],
};

/** A draft being stored at T0, fresh for 60 s. */
const DRAFT = stored({
  headers: [["Date", dateAt(0)], ["Cache-Control", "max-age=60"]],
});

function choose(news: LeaderNews, request: Field[] = []) {
  const requestFields = fields(...request);
  return followChoice({
    method: "GET",
    fields: requestFields,
    forwarded: requestFields,
    now: at(1),
    options: OPTIONS,
  }, news);
}

Deno.test("followChoice() follows a fill that still stores a response fresh for the request (RFC 9111 §4.2)", () => {
  assert.deepEqual(choose({ kind: "storing", entry: DRAFT, storing: true }), {
    kind: "follow",
    age: 1,
    ttl: 59,
  });
});

Deno.test("followChoice() does not follow a fill that no longer stores (hand-off past the limit, failed write, forgotten key, vetoed): it looks again", () => {
  assert.deepEqual(
    choose({ kind: "storing", entry: DRAFT, storing: false }),
    { kind: "again" },
  );
});

Deno.test("followChoice() waits for what gets stored when the request wants a Range, another Vary variant or validation (RFC 9110 §14.2, RFC 9111 §4.1, §5.2.1.4)", () => {
  const varying = stored({
    headers: [["Date", dateAt(0)], ["Cache-Control", "max-age=60"], [
      "Vary",
      "Accept-Language",
    ]],
    request: [["Accept-Language", "en"]],
  });
  const rows: [string, LeaderNews, Field[]][] = [
    ["a Range", { kind: "storing", entry: DRAFT, storing: true }, [[
      "Range",
      "bytes=0-9",
    ]]],
    ["another variant", { kind: "storing", entry: varying, storing: true }, [[
      "Accept-Language",
      "fr",
    ]]],
    ["no-cache", { kind: "storing", entry: DRAFT, storing: true }, [[
      "Cache-Control",
      "no-cache",
    ]]],
  ];
  for (const [name, news, request] of rows) {
    assert.deepEqual(choose(news, request), { kind: "await-stored" }, name);
  }
});

Deno.test("followChoice() answers a client's own If-None-Match from the fill (the flow evaluates it against the draft, RFC 9111 §4.3.2)", () => {
  assert.equal(
    choose({ kind: "storing", entry: DRAFT, storing: true }, [[
      "If-None-Match",
      '"x"',
    ]]).kind,
    "follow",
  );
});

Deno.test("followChoice() elects a new leader when the leader stored nothing for reasons of its own: a 206 to its Range, a 304 to validators, a request no-store or Authorization", () => {
  const rows: [string, LeaderNews][] = [
    ["206", {
      kind: "ended",
      response: {
        status: 206,
        fields: fields(["Cache-Control", "max-age=60"]),
      },
    }],
    ["304", {
      kind: "ended",
      response: { status: 304, fields: fields(["ETag", '"a"']) },
    }],
    ["a response storable on its own (the leader's request forbade it)", {
      kind: "ended",
      response: {
        status: 200,
        fields: fields(["Cache-Control", "max-age=60"]),
      },
    }],
  ];
  for (const [name, news] of rows) {
    assert.deepEqual(choose(news), { kind: "again" }, name);
  }
});

Deno.test("followChoice() sends every waiting request upstream itself when the leader's response may not be stored whatever the request (RFC 9111 §3)", () => {
  const rows: [string, number, Field[]][] = [
    ["no-store", 200, [["Cache-Control", "no-store"]]],
    ["private", 200, [["Cache-Control", "private, max-age=60"]]],
    ["Set-Cookie", 200, [["Cache-Control", "max-age=60"], [
      "Set-Cookie",
      "a=1",
    ]]],
    ["Vary: *", 200, [["Cache-Control", "max-age=60"], ["Vary", "*"]]],
    ["a server error without freshness", 503, []],
  ];
  for (const [name, status, response] of rows) {
    assert.deepEqual(
      choose({
        kind: "ended",
        response: { status, fields: fields(...response) },
      }),
      { kind: "alone" },
      name,
    );
  }
});

Deno.test("followChoice() goes upstream itself when the leader said nothing in time (nginx's proxy_cache_lock_timeout) or got no response", () => {
  assert.deepEqual(choose({ kind: "late" }), { kind: "alone" });
  assert.deepEqual(choose({ kind: "ended" }), { kind: "alone" });
});
