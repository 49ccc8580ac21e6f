/**
 * Table tests of the bound on stored heads (RFC 9111 §3.2): a new
 * response, a 304 or HEAD update, the other responses a 304 identifies, a
 * vary-miss selection and a piece combine never store a head past what
 * the proxy accepts from an upstream; an update past it is not stored and
 * the stored response stays as it was.
 */

import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import { UPSTREAM_HEAD_LIMITS } from "../../http/head.ts";
import {
  afterResponse,
  type Exchange,
  storability,
  type StoreOptions,
} from "../../cache/policy.ts";
import {
  STORED_HEAD_MAX_BYTES,
  STORED_HEAD_MAX_FIELDS,
  STORED_HEAD_SERVING_ROOM,
} from "../../cache/limits.ts";
import { storedHeadFits } from "../../cache/stored_head.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import { at, dateAt, fields, stored } from "./policy_fixtures.ts";

const OPTIONS: StoreOptions = { maxObjectBytes: 1_000_000, skipBinary: false };

/** `n` fields of `size` value bytes each, named with `prefix`. */
function big(prefix: string, n: number, size: number): Field[] {
  const out: Field[] = [];
  for (let k = 0; k < n; k++) out.push([`${prefix}-${k}`, "v".repeat(size)]);
  return out;
}

function exchange(status: number, response: Field[], method = "GET"): Exchange {
  return {
    key: "http://origin.test/x",
    method,
    requestFields: fields(),
    status,
    reason: status === 304 ? "Not Modified" : "OK",
    responseFields: fields(["Date", dateAt(10)], ...response),
    requestTime: at(10),
    responseTime: at(10),
  };
}

Deno.test("the stored head bound leaves room under what the proxy accepts from an upstream for what serving adds (RFC 9111 §3.2)", () => {
  assert.ok(
    STORED_HEAD_MAX_BYTES + STORED_HEAD_SERVING_ROOM.bytes <=
      UPSTREAM_HEAD_LIMITS.maxHead,
  );
  assert.ok(
    STORED_HEAD_MAX_FIELDS + STORED_HEAD_SERVING_ROOM.fields <=
      UPSTREAM_HEAD_LIMITS.maxFields,
  );
});

Deno.test("storedHeadFits() counts field lines in bytes and fields, up to the bound inclusive", () => {
  // one field line is name + ": " + value + CRLF
  const exact: Field[] = [["X-A", "v".repeat(STORED_HEAD_MAX_BYTES - 7)]];
  assert.equal(storedHeadFits(fields(...exact)), true);
  const over: Field[] = [["X-A", "v".repeat(STORED_HEAD_MAX_BYTES - 6)]];
  assert.equal(storedHeadFits(fields(...over)), false);
  assert.equal(
    storedHeadFits(fields(...big("X", STORED_HEAD_MAX_FIELDS, 1))),
    true,
  );
  assert.equal(
    storedHeadFits(fields(...big("X", STORED_HEAD_MAX_FIELDS + 1, 1))),
    false,
  );
});

Deno.test("storability() never stores a response whose head is past the bound (RFC 9111 §3.2)", () => {
  const res = fields(
    ["Cache-Control", "max-age=60"],
    ...big("X", 30, 2500),
  );
  assert.deepEqual(storability("GET", fields(), 200, res, OPTIONS), {
    storable: false,
    detail: "head-too-large",
  });
  const outcome = afterResponse(
    exchange(200, [["Cache-Control", "max-age=60"], ...big("X", 30, 2500)]),
    { options: OPTIONS },
  );
  assert.deepEqual(outcome, { kind: "pass", detail: "head-too-large" });
});

/** Stored at T0 with a 40 KB head, stale at 1 s, with ETag "a". */
function storedLarge(extra: Field[] = []): EntryMeta {
  return stored({
    headers: [
      ["Date", dateAt(0)],
      ["Cache-Control", "max-age=1"],
      ["ETag", '"a"'],
      ...big("X-Old", 16, 2500),
      ...extra,
    ],
  });
}

Deno.test("afterResponse() keeps a stored response as it was when a 304 or a HEAD would take its head past the bound, and answers with it (RFC 9111 §3.2, §4.3.4, §4.3.5)", () => {
  const entry = storedLarge();
  const update: Field[] = [
    ["Cache-Control", "max-age=60"],
    ["ETag", '"a"'],
    ...big("X-New", 16, 2500),
  ];
  for (const [method, status] of [["GET", 304], ["HEAD", 200]] as const) {
    const outcome = afterResponse(exchange(status, update, method), {
      revalidated: entry,
      stored: [entry],
      options: OPTIONS,
    });
    assert.equal(outcome.kind, "freshen", method);
    if (outcome.kind !== "freshen") continue;
    assert.equal(outcome.detail, "head-too-large", method);
    assert.equal(outcome.persist, false, method);
    assert.equal(
      outcome.entry,
      entry,
      `${method}: the stored response as it was`,
    );
  }
  // a small update still merges
  const small = afterResponse(
    exchange(304, [["Cache-Control", "max-age=60"], ["ETag", '"a"']]),
    { revalidated: entry, stored: [entry], options: OPTIONS },
  );
  assert.ok(small.kind === "freshen" && small.persist && !small.detail);
});

Deno.test("afterResponse() neither updates nor removes another stored response a 304 identifies when the update would take its head past the bound (RFC 9111 §3.2, §4.3.4)", () => {
  const revalidated = stored({
    headers: [["Date", dateAt(0)], ["Cache-Control", "max-age=1"], [
      "ETag",
      '"a"',
    ], ["Vary", "Accept-Language"]],
    request: [["Accept-Language", "en"]],
  });
  const other = stored({
    headers: [
      ["Date", dateAt(0)],
      ["Cache-Control", "max-age=1"],
      ["ETag", '"a"'],
      ["Vary", "Accept-Language"],
      ...big("X-Old", 16, 2500),
    ],
    request: [["Accept-Language", "de"]],
  });
  const x = exchange(304, [["ETag", '"a"'], ...big("X-New", 16, 2500)]);
  x.requestFields = fields(["Accept-Language", "en"]);
  const outcome = afterResponse(x, {
    revalidated,
    stored: [revalidated, other],
    options: OPTIONS,
  });
  assert.ok(outcome.kind === "freshen" && outcome.persist);
  if (outcome.kind !== "freshen") return;
  assert.deepEqual(outcome.others, { updates: [], removals: [] });
});

Deno.test("afterResponse() answers a vary-miss 304 with the chosen response as it was and stores nothing when the update would pass the bound (RFC 9111 §3.2, §4.3.4)", () => {
  const chosen = stored({
    headers: [
      ["Date", dateAt(0)],
      ["Cache-Control", "max-age=1"],
      ["ETag", '"a"'],
      ["Vary", "Accept-Language"],
      ...big("X-Old", 16, 2500),
    ],
    request: [["Accept-Language", "de"]],
  });
  const x = exchange(304, [["ETag", '"a"'], ...big("X-New", 16, 2500)]);
  x.requestFields = fields(["Accept-Language", "en"]);
  const outcome = afterResponse(x, {
    selectable: [chosen],
    options: OPTIONS,
  });
  assert.ok(outcome.kind === "select");
  if (outcome.kind !== "select") return;
  assert.equal(outcome.serve, chosen);
  assert.equal(outcome.detail, "head-too-large");
  assert.equal(outcome.variant, undefined);
  assert.deepEqual(outcome.updates, []);
  assert.deepEqual(outcome.removals, []);
});

Deno.test("afterResponse() relays a piece whose combined head would pass the bound and keeps the parts held (RFC 9111 §3.2, §3.4)", () => {
  const base = stored({
    headers: [
      ["Date", dateAt(0)],
      ["Cache-Control", "max-age=60"],
      ["ETag", '"a"'],
      ["Content-Length", "100"],
      ...big("X-Old", 16, 2500),
    ],
  });
  const held: EntryMeta = {
    ...base,
    bodySize: 10,
    bodyFile: "p0.body",
    partial: {
      validator: '"a"',
      length: 100,
      pieces: [{ start: 0, end: 9, file: "p0.body" }],
    },
  };
  const x = exchange(206, [
    ["Cache-Control", "max-age=60"],
    ["ETag", '"a"'],
    ["Content-Range", "bytes 10-19/100"],
    ["Content-Length", "10"],
    ...big("X-New", 16, 2500),
  ]);
  x.requestFields = fields(["Range", "bytes=10-19"]);
  const outcome = afterResponse(x, { revalidated: held, options: OPTIONS });
  assert.deepEqual(outcome, { kind: "pass", detail: "head-too-large" });
});
