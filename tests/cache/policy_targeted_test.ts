import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  afterResponse,
  decide,
  entryTimes,
  type Exchange,
  freshnessLifetime,
  storability,
  type StoreOptions,
} from "../../cache/policy.ts";
import { factsOf } from "../../cache/entry_facts.ts";
import { parseMeta } from "../../cache/meta.ts";
import { at, dateAt, fields, stored } from "./policy_fixtures.ts";

const TARGETS = ["Cachelab-Cache-Control", "CDN-Cache-Control"];
const OPTS: StoreOptions = {
  maxObjectBytes: 1000,
  skipBinary: false,
  targets: TARGETS,
};
const DATE: Field = ["Date", dateAt(0)];

function lifetime(res: Field[], targets = TARGETS, status = 200): number {
  return freshnessLifetime(status, fields(...res), at(0), { targets });
}

Deno.test("freshnessLifetime() takes max-age and s-maxage from the deciding targeted field and ignores Cache-Control and Expires (RFC 9213 §2.1)", () => {
  const rows: [string, Field[], number][] = [
    [
      "targeted max-age over a longer Cache-Control max-age",
      [DATE, ["Cache-Control", "max-age=3600"], [
        "CDN-Cache-Control",
        "max-age=10",
      ]],
      10,
    ],
    [
      "targeted max-age over a shorter Cache-Control max-age",
      [DATE, ["Cache-Control", "max-age=1"], [
        "CDN-Cache-Control",
        "max-age=600",
      ]],
      600,
    ],
    [
      "targeted max-age over Cache-Control no-store",
      [DATE, ["Cache-Control", "no-store"], [
        "CDN-Cache-Control",
        "max-age=600",
      ]],
      600,
    ],
    [
      "targeted s-maxage over max-age",
      [DATE, ["CDN-Cache-Control", "max-age=600, s-maxage=60"]],
      60,
    ],
    [
      "Expires is ignored when a targeted field decides",
      [DATE, ["Expires", dateAt(3600)], [
        "CDN-Cache-Control",
        "must-revalidate",
      ]],
      0,
    ],
    [
      "targeted no-cache over Cache-Control max-age",
      [DATE, ["Cache-Control", "max-age=600"], [
        "CDN-Cache-Control",
        "no-cache",
      ]],
      0,
    ],
    [
      "an invalid targeted field: Cache-Control and Expires decide",
      [DATE, ["Expires", dateAt(300)], ["CDN-Cache-Control", 'max-age="60"']],
      300,
    ],
  ];
  for (const [name, res, expected] of rows) {
    assert.equal(lifetime(res), expected, name);
  }
});

Deno.test("freshnessLifetime() keeps the heuristic when the deciding targeted field has no max-age (RFC 9213 §2.1, RFC 9111 §4.2.2)", () => {
  const lm: Field = ["Last-Modified", dateAt(-1000)];
  assert.equal(lifetime([DATE, lm, ["CDN-Cache-Control", "public"]]), 100);
  assert.equal(
    lifetime([DATE, lm, ["CDN-Cache-Control", "public"]], TARGETS, 500),
    100,
  ); // public allows the heuristic for any status
  assert.equal(
    lifetime(
      [DATE, lm, ["CDN-Cache-Control", "must-revalidate"]],
      TARGETS,
      500,
    ),
    0,
  );
});

Deno.test("entryTimes() records the deciding targeted field as policyField, and nothing for Cache-Control (RFC 9213 §2.1)", () => {
  const res = fields(DATE, ["CDN-Cache-Control", "max-age=60"]);
  const times = entryTimes(200, res, at(0), at(0), { targets: TARGETS });
  assert.equal(times.policyField, "cdn-cache-control");
  assert.equal(times.freshUntil, at(60));
  const plain = entryTimes(200, res, at(0), at(0));
  assert.equal("policyField" in plain, false);
  assert.equal(plain.freshUntil, at(0));
});

Deno.test("entryTimes() takes the stale window from the targeted field (RFC 9213 §2.1, RFC 5861 §3, §4)", () => {
  const res = fields(
    DATE,
    ["Cache-Control", "max-age=10, stale-if-error=999"],
    [
      "CDN-Cache-Control",
      "max-age=60, stale-while-revalidate=30",
    ],
  );
  const times = entryTimes(200, res, at(0), at(0), { targets: TARGETS });
  assert.equal(times.keepUntil, at(90));
});

Deno.test("storability() reads the deciding targeted field for every rule (RFC 9213 §2.1, RFC 9111 §3)", () => {
  const rows: [string, Field[], true | string][] = [
    ["targeted max-age beats Cache-Control no-store", [
      ["Cache-Control", "no-store"],
      ["CDN-Cache-Control", "max-age=60"],
    ], true],
    ["targeted no-store beats Cache-Control max-age", [
      ["Cache-Control", "max-age=60"],
      ["CDN-Cache-Control", "no-store"],
    ], "no-store"],
    [
      "targeted private",
      [["CDN-Cache-Control", "private, max-age=60"]],
      "private",
    ],
    ["Cache-Control private does not count", [
      ["Cache-Control", "private"],
      ["CDN-Cache-Control", "max-age=60"],
    ], true],
    ["Expires does not permit storing a 500 when a targeted field decides", [
      ["Expires", dateAt(60)],
      ["CDN-Cache-Control", "must-revalidate"],
    ], "no-freshness"],
    ["an invalid targeted field falls back to Cache-Control", [
      ["Cache-Control", "no-store"],
      ["CDN-Cache-Control", "max-age=60, &&&&&"],
    ], "no-store"],
  ];
  for (const [name, res, expected] of rows) {
    const got = storability("GET", fields(), 500, fields(...res), OPTS);
    const want = expected === true
      ? { storable: true }
      : { storable: false, detail: expected };
    assert.deepEqual(got, want, name);
  }
});

Deno.test("factsOf() reads the directives of the entry's recorded policy field (RFC 9213 §2.1)", () => {
  const entry = stored({
    headers: [DATE, ["Cache-Control", "max-age=5"], [
      "CDN-Cache-Control",
      "max-age=60, must-revalidate",
    ]],
    targets: TARGETS,
  });
  assert.equal(entry.policyField, "cdn-cache-control");
  const d = factsOf(entry).directives;
  assert.equal(d.seconds("max-age"), 60);
  assert.equal(d.has("must-revalidate"), true);
  const { policyField: _, ...legacy } = entry;
  assert.equal(factsOf(legacy).directives.seconds("max-age"), 5);
});

Deno.test("decide() judges a stored entry by its recorded targeted field (RFC 9213 §2.1, RFC 9111 §4.2.4)", () => {
  const entry = stored({
    headers: [
      DATE,
      ["Cache-Control", "max-age=5, stale-while-revalidate=600"],
      [
        "CDN-Cache-Control",
        "max-age=60, must-revalidate",
      ],
      ["ETag", '"a"'],
    ],
    targets: TARGETS,
  });
  assert.equal(decide("GET", fields(), [entry], at(30)).kind, "fresh");
  assert.equal(decide("GET", fields(), [entry], at(61)).kind, "revalidate");
});

Deno.test("parseMeta() accepts metadata with and without policyField and rejects a bad one", () => {
  const entry = stored({
    headers: [DATE, ["CDN-Cache-Control", "max-age=60"]],
    targets: TARGETS,
  });
  const json = JSON.parse(JSON.stringify(entry));
  assert.deepEqual(parseMeta(json), entry);
  const { policyField: _, ...legacy } = json;
  assert.deepEqual(parseMeta(legacy), legacy);
  assert.equal(
    parseMeta({ ...json, policyField: "CDN-Cache-Control" }),
    undefined,
  );
  assert.equal(parseMeta({ ...json, policyField: 7 }), undefined);
  assert.equal(parseMeta({ ...json, policyField: "" }), undefined);
});

function exchange(status: number, response: Field[]): Exchange {
  return {
    key: "http://origin.test/x",
    method: "GET",
    requestFields: fields(),
    status,
    reason: "OK",
    responseFields: fields(...response),
    requestTime: at(10),
    responseTime: at(10),
  };
}

Deno.test("afterResponse() records the deciding targeted field in the draft and judges updates by it (RFC 9213 §2.1, RFC 9111 §4.3.4)", () => {
  const o = afterResponse(
    exchange(200, [["Date", dateAt(10)], ["Cache-Control", "no-store"], [
      "CDN-Cache-Control",
      "max-age=60",
    ], ["ETag", '"a"']]),
    { options: OPTS },
  );
  assert.equal(o.kind, "store");
  if (o.kind !== "store") return;
  assert.equal(o.draft.policyField, "cdn-cache-control");
  assert.equal(o.draft.freshUntil, at(70));
  const entry = { ...o.draft, bodySize: 0, bodyFile: "b.body" };
  const noStore = afterResponse(
    exchange(304, [["ETag", '"a"'], ["CDN-Cache-Control", "no-store"]]),
    { revalidated: entry, options: OPTS },
  );
  assert.equal(noStore.kind, "remove");
  const longer = afterResponse(
    exchange(304, [["ETag", '"a"'], ["CDN-Cache-Control", "max-age=600"]]),
    { revalidated: entry, options: OPTS },
  );
  assert.equal(longer.kind, "freshen");
  if (longer.kind === "freshen") {
    assert.equal(longer.entry.policyField, "cdn-cache-control");
    assert.equal(longer.entry.freshUntil, at(610));
  }
  const plain = afterResponse(
    exchange(200, [["Cache-Control", "no-store"], [
      "CDN-Cache-Control",
      "max-age=60",
    ]]),
    { options: { ...OPTS, targets: undefined } },
  );
  assert.deepEqual(plain, { kind: "pass", detail: "no-store" });
});
