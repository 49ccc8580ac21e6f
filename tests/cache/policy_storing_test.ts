/**
 * Table tests of the storing rules of RFC 9111 §3 that reach beyond a 200:
 * any final status with explicit freshness, must-understand, the
 * qualified no-cache and private forms, and Set-Cookie.
 */

import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  afterResponse,
  decide,
  draftOf,
  type Exchange,
  freshnessLifetime,
  servedHeaders,
  storability,
  type StoreOptions,
} from "../../cache/policy.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import { at, dateAt, fields, stored } from "./policy_fixtures.ts";

const OPTS: StoreOptions = { maxObjectBytes: 1000, skipBinary: false };
const DATE: Field = ["Date", dateAt(0)];
const LM: Field = ["Last-Modified", dateAt(-1000)];

interface Row {
  name: string;
  status?: number;
  res: Field[];
  opts?: Partial<StoreOptions>;
  expect: true | string;
}

function check(rows: Row[]): void {
  for (const row of rows) {
    const got = storability(
      "GET",
      fields(),
      row.status ?? 200,
      fields(...row.res),
      { ...OPTS, ...row.opts },
    );
    const expected = row.expect === true
      ? { storable: true }
      : { storable: false, detail: row.expect };
    assert.deepEqual(got, expected, row.name);
  }
}

function exchange(status: number, response: Field[], at0 = 0): Exchange {
  return {
    key: "http://origin.test/x",
    method: "GET",
    requestFields: fields(),
    status,
    reason: "Whatever",
    responseFields: fields(...response),
    requestTime: at(at0),
    responseTime: at(at0),
  };
}

Deno.test("storability() stores a 500 or 599 with max-age, s-maxage, Expires or public (RFC 9111 §3)", () => {
  const rows: Row[] = [];
  for (const status of [500, 502, 503, 504, 599, 299, 418, 302, 307]) {
    rows.push(
      {
        name: `${status} max-age=3600`,
        status,
        res: [["Cache-Control", "max-age=3600"]],
        expect: true,
      },
      {
        name: `${status} s-maxage`,
        status,
        res: [["Cache-Control", "s-maxage=60"]],
        expect: true,
      },
      {
        name: `${status} Expires`,
        status,
        res: [DATE, ["Expires", dateAt(60)]],
        expect: true,
      },
      {
        name: `${status} public`,
        status,
        res: [["Cache-Control", "public"]],
        expect: true,
      },
      { name: `${status} nothing`, status, res: [], expect: "no-freshness" },
    );
  }
  check(rows);
});

Deno.test("afterResponse() stores a 500 with max-age, decide() reuses it while fresh and revalidates it once stale like a 200 (RFC 9111 §3, §4.2)", () => {
  const o = afterResponse(
    exchange(500, [DATE, ["Cache-Control", "max-age=3600"], ["ETag", '"e"']]),
    { options: OPTS },
  );
  assert.equal(o.kind, "store");
  if (o.kind !== "store") return;
  const entry: EntryMeta = { ...o.draft, bodySize: 0, bodyFile: "b.body" };
  assert.equal(entry.status, 500);
  assert.equal(decide("GET", fields(), [entry], at(3599)).kind, "fresh");
  assert.equal(decide("GET", fields(), [entry], at(3601)).kind, "revalidate");
  const swr = stored({
    status: 599,
    headers: [DATE, ["Cache-Control", "max-age=10, stale-while-revalidate=60"]],
  });
  assert.equal(
    decide("GET", fields(), [swr], at(30)).kind,
    "stale-while-revalidate",
  );
});

Deno.test("storability() stores must-understand only with a status it understands, and then ignores no-store (RFC 9111 §5.2.2.3, §3)", () => {
  const mu: Field[] = [[
    "Cache-Control",
    "must-understand, no-store, max-age=60",
  ]];
  check([
    { name: "200", status: 200, res: mu, expect: true },
    { name: "404", status: 404, res: mu, expect: true },
    { name: "500", status: 500, res: mu, expect: true },
    { name: "599 unknown", status: 599, res: mu, expect: "status" },
    { name: "299 unknown", status: 299, res: mu, expect: "status" },
    {
      name: "599 unknown without no-store",
      status: 599,
      res: [["Cache-Control", "must-understand, max-age=60"]],
      expect: "status",
    },
    {
      name: "no-store alone still refuses",
      status: 200,
      res: [["Cache-Control", "no-store, max-age=60"]],
      expect: "no-store",
    },
  ]);
});

Deno.test("freshnessLifetime() lets public allow the heuristic for any final status (RFC 9111 §4.2.2, §5.2.2.9)", () => {
  const rows: [number, Field[], number][] = [
    [500, [DATE, LM, ["Cache-Control", "public"]], 100],
    [599, [DATE, LM, ["Cache-Control", "public"]], 100],
    [302, [DATE, LM, ["Cache-Control", "public"]], 100],
    [500, [DATE, LM], 0],
    [302, [DATE, LM], 0],
    [200, [DATE, LM], 100],
  ];
  for (const [status, res, expected] of rows) {
    assert.equal(
      freshnessLifetime(status, fields(...res), at(0)),
      expected,
      `${status} ${JSON.stringify(res)}`,
    );
  }
  check([{
    name: "599 public with Last-Modified",
    status: 599,
    res: [DATE, LM, ["Cache-Control", "public"]],
    expect: true,
  }]);
});

Deno.test("storability() stores a qualified no-cache without a validator, unlike the unqualified form (RFC 9111 §5.2.2.4)", () => {
  check([
    {
      name: "qualified, no validator",
      res: [["Cache-Control", 'no-cache="X-A", max-age=60']],
      expect: true,
    },
    {
      name: "unqualified, no validator",
      res: [["Cache-Control", "no-cache, max-age=60"]],
      expect: "no-validator",
    },
    {
      name: "unqualified with a validator",
      res: [["Cache-Control", "no-cache"], ["ETag", '"e"']],
      expect: true,
    },
  ]);
});

Deno.test("servedHeaders() leaves out the fields a qualified no-cache names unless just revalidated (RFC 9111 §5.2.2.4)", () => {
  const entry = stored({
    headers: [
      DATE,
      ["Cache-Control", 'no-cache="X-Secret, Content-Length", max-age=60'],
      ["X-Secret", "s"],
      ["x-secret", "t"],
      ["Content-Length", "3"],
      ["X-Other", "o"],
    ],
  });
  const names = (fl: { toArray(): Field[] }) => fl.toArray().map(([n]) => n);
  assert.deepEqual(names(servedHeaders(entry, 5)), [
    "Date",
    "Cache-Control",
    "Content-Length",
    "X-Other",
    "Age",
  ]); // Content-Length describes the stored body and is kept
  assert.deepEqual(names(servedHeaders(entry, 5, { revalidated: true })), [
    "Date",
    "Cache-Control",
    "X-Secret",
    "x-secret",
    "Content-Length",
    "X-Other",
    "Age",
  ]);
  const plain = stored({ headers: [DATE, ["Cache-Control", "max-age=60"]] });
  assert.deepEqual(names(servedHeaders(plain, 0)), [
    "Date",
    "Cache-Control",
    "Age",
  ]);
});

Deno.test("draftOf() stores a response without the fields a qualified private names (RFC 9111 §5.2.2.7)", () => {
  const draft = draftOf(exchange(200, [
    DATE,
    ["Cache-Control", 'private="X-User, Set-Cookie", max-age=60'],
    ["X-User", "alice"],
    ["Set-Cookie", "sid=1"],
    ["Content-Length", "0"],
  ]));
  assert.deepEqual(draft.headers, [
    DATE,
    ["Cache-Control", 'private="X-User, Set-Cookie", max-age=60'],
    ["Content-Length", "0"],
  ]);
  assert.equal(draft.freshUntil, at(60));
});

Deno.test("storability() keeps today's Set-Cookie default and, with storeSetCookie, stores it with explicit freshness only (RFC 9111 §7.3, §5.2.2.7)", () => {
  const cookie: Field = ["Set-Cookie", "sid=1"];
  const on = { storeSetCookie: true };
  check([
    {
      name: "default",
      res: [cookie, ["Cache-Control", "max-age=60"]],
      expect: "set-cookie",
    },
    {
      name: "default, private=Set-Cookie keeps it out",
      res: [cookie, ["Cache-Control", 'private="Set-Cookie", max-age=60']],
      expect: true,
    },
    {
      name: "on, max-age",
      res: [cookie, ["Cache-Control", "max-age=60"]],
      opts: on,
      expect: true,
    },
    {
      name: "on, s-maxage",
      res: [cookie, ["Cache-Control", "s-maxage=60"]],
      opts: on,
      expect: true,
    },
    {
      name: "on, Expires",
      res: [cookie, DATE, ["Expires", dateAt(60)]],
      opts: on,
      expect: true,
    },
    {
      name: "on, heuristic only",
      res: [cookie, DATE, LM],
      opts: on,
      expect: "set-cookie",
    },
    {
      name: "on, public only",
      res: [cookie, ["Cache-Control", "public"]],
      opts: on,
      expect: "set-cookie",
    },
    {
      name: "on, Expires ignored under a targeted field",
      res: [cookie, DATE, ["Expires", dateAt(60)], [
        "CDN-Cache-Control",
        "public",
      ]],
      opts: { ...on, targets: ["CDN-Cache-Control"] },
      expect: "set-cookie",
    },
    {
      name: "on, targeted max-age",
      res: [cookie, ["CDN-Cache-Control", "max-age=60"]],
      opts: { ...on, targets: ["CDN-Cache-Control"] },
      expect: true,
    },
  ]);
});

Deno.test("afterResponse() judges an update with the Set-Cookie rule of its options (RFC 9111 §4.3.4, §7.3)", () => {
  const entry = {
    ...stored({
      headers: [DATE, ["Cache-Control", "max-age=1"], ["ETag", '"v1"']],
    }),
    bodySize: 0,
  };
  const notModified = exchange(304, [
    ["ETag", '"v1"'],
    ["Set-Cookie", "sid=2"],
    ["Cache-Control", "max-age=60"],
  ], 10);
  const off = afterResponse(notModified, { revalidated: entry, options: OPTS });
  assert.equal(off.kind, "remove");
  const on = afterResponse(notModified, {
    revalidated: entry,
    options: { ...OPTS, storeSetCookie: true },
  });
  assert.equal(on.kind, "freshen");
});

Deno.test("servedHeaders() never serves the fields a qualified private names, even from an entry that holds them (RFC 9111 §5.2.2.7)", () => {
  const entry = stored({
    headers: [
      DATE,
      ["Cache-Control", 'private="Set-Cookie", max-age=60'],
      ["Set-Cookie", "sid=1"],
    ],
  });
  for (const revalidated of [false, true]) {
    assert.deepEqual(
      servedHeaders(entry, 0, { revalidated }).toArray(),
      [DATE, ["Cache-Control", 'private="Set-Cookie", max-age=60'], [
        "Age",
        "0",
      ]],
    );
  }
});
