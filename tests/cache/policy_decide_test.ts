import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import { decide, type Decision } from "../../cache/policy.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import { at, dateAt, fields, stored } from "./policy_fixtures.ts";

const LM = "Sun, 31 Dec 2023 12:00:00 GMT";

/** A stored 200 with these response fields, received at T0. */
function entry(...headers: Field[]): EntryMeta {
  return stored({ headers: [["Date", dateAt(0)], ...headers] });
}

function run(
  e: EntryMeta,
  req: Field[],
  nowSeconds: number,
  method = "GET",
): Decision {
  return decide(method, fields(...req), [e], at(nowSeconds));
}

/** The decision without the entry, for compact comparisons. */
function shape(d: Decision): Record<string, unknown> {
  const { entry: _entry, ...rest } = d as Decision & { entry?: EntryMeta };
  return rest;
}

Deno.test("decide() misses when nothing is stored for the URI or no variant matches (RFC 9111 §4, §4.1)", () => {
  assert.deepEqual(decide("GET", fields(), [], at(0)), {
    kind: "miss",
    detail: "uri-miss",
  });
  const gzip = stored({
    headers: [["Vary", "Accept-Encoding"], ["Cache-Control", "max-age=60"]],
    request: [["Accept-Encoding", "gzip"]],
  });
  assert.deepEqual(
    decide("GET", fields(["Accept-Encoding", "br"]), [gzip], at(0)),
    { kind: "miss", detail: "vary-miss" },
  );
});

Deno.test("decide() selects the variant by the forwarded fields when given, the request's own otherwise (RFC 9111 §4.1)", () => {
  const none = stored({
    headers: [["Vary", "X-Secret"], ["Cache-Control", "max-age=60"]],
  });
  const client = fields(["Connection", "x-secret"], ["X-Secret", "evil"]);
  const sent = fields();
  assert.equal(decide("GET", client, [none], at(1)).kind, "miss");
  assert.equal(decide("GET", client, [none], at(1), sent).kind, "fresh");
  assert.equal(decide("GET", sent, [none], at(1), client).kind, "miss");
});

Deno.test("decide() forwards methods other than GET and HEAD (RFC 9111 §4)", () => {
  const e = entry(["Cache-Control", "max-age=60"]);
  assert.deepEqual(run(e, [], 1, "POST"), { kind: "miss", detail: "method" });
  assert.deepEqual(run(e, [], 1, "OPTIONS"), {
    kind: "miss",
    detail: "method",
  });
});

Deno.test("decide() serves a fresh entry with its age and remaining ttl, to GET and HEAD (RFC 9111 §4.2)", () => {
  const e = entry(["Cache-Control", "max-age=60"]);
  assert.deepEqual(shape(run(e, [], 10)), { kind: "fresh", age: 10, ttl: 50 });
  assert.deepEqual(shape(run(e, [], 10, "HEAD")), {
    kind: "fresh",
    age: 10,
    ttl: 50,
  });
  assert.equal(run(e, [], 60).kind, "revalidate"); // fresh only while lifetime > current_age
});

Deno.test("decide() revalidates the origin's no-cache response with If-Modified-Since = stored Last-Modified (RFC 9111 §5.2.2.4, §4.3.1)", () => {
  const e = entry(["Cache-Control", "no-cache"], ["Last-Modified", LM]);
  assert.deepEqual(shape(run(e, [], 0)), {
    kind: "revalidate",
    conditional: [["If-Modified-Since", LM]],
    fwd: "stale",
    why: "no-cache",
  });
});

Deno.test("decide() sends If-None-Match and If-Modified-Since when both validators are stored (RFC 9111 §4.3.1)", () => {
  const e = entry(["Cache-Control", "no-cache"], ["ETag", '"v1"'], [
    "Last-Modified",
    LM,
  ]);
  const d = run(e, [], 0);
  assert.equal(d.kind, "revalidate");
  assert.deepEqual(d.kind === "revalidate" && d.conditional, [[
    "If-None-Match",
    '"v1"',
  ], ["If-Modified-Since", LM]]);
});

Deno.test("decide() serves the field-name form of no-cache while fresh and revalidates it once stale (RFC 9111 §5.2.2.4)", () => {
  const e = entry(["Cache-Control", 'no-cache="Set-Cookie", max-age=600'], [
    "ETag",
    '"a"',
  ]);
  assert.equal(run(e, [], 1).kind, "fresh");
  assert.equal(run(e, [], 601).kind, "revalidate");
  const both = entry(
    ["Cache-Control", 'no-cache, no-cache="X-A", max-age=600'],
    [
      "ETag",
      '"a"',
    ],
  );
  assert.equal(run(both, [], 1).kind, "revalidate");
});

Deno.test("decide() revalidates a stale entry without a validator as a plain fetch (RFC 9111 §4.3.1)", () => {
  const e = entry(["Cache-Control", "max-age=5"]);
  assert.deepEqual(shape(run(e, [], 10)), {
    kind: "revalidate",
    conditional: [],
    fwd: "stale",
    why: "stale",
  });
});

Deno.test("decide() revalidates when the request says no-cache, also via Pragma (RFC 9111 §5.2.1.4, §5.4)", () => {
  const e = entry(["Cache-Control", "max-age=600"], ["ETag", '"a"']);
  const rows: [Field[], string][] = [
    [[["Cache-Control", "no-cache"]], "revalidate"],
    [[["Pragma", "no-cache"]], "revalidate"],
    [[["Pragma", "no-cache"], ["Cache-Control", "max-stale"]], "fresh"],
  ];
  for (const [req, kind] of rows) {
    assert.equal(run(e, req, 1).kind, kind, JSON.stringify(req));
  }
  const d = run(e, [["Cache-Control", "no-cache"]], 1);
  assert.equal(d.kind === "revalidate" && d.fwd, "request"); // fresh, but the request forbade it
});

Deno.test("decide() honours the request's max-age (RFC 9111 §5.2.1.1)", () => {
  const e = entry(["Cache-Control", "max-age=600"], ["ETag", '"a"']);
  const rows: [string, number, string][] = [
    ["max-age=5", 10, "revalidate"],
    ["max-age=10", 10, "fresh"],
    ["max-age=20", 10, "fresh"],
    ["max-age=0", 1, "revalidate"],
    ["max-age=0", 0.5, "revalidate"], // a sub-second age already exceeds 0
    ["max-age=soon", 1, "revalidate"], // invalid counts as 0
  ];
  for (const [cc, now, kind] of rows) {
    assert.equal(run(e, [["Cache-Control", cc]], now).kind, kind, cc);
  }
});

Deno.test("decide() honours the request's min-fresh (RFC 9111 §5.2.1.3)", () => {
  const e = entry(["Cache-Control", "max-age=60"], ["ETag", '"a"']);
  const rows: [string, string][] = [
    ["min-fresh=30", "fresh"], // 50 s left at t=10
    ["min-fresh=50", "fresh"],
    ["min-fresh=51", "revalidate"],
    ["min-fresh=x", "revalidate"],
  ];
  for (const [cc, kind] of rows) {
    assert.equal(run(e, [["Cache-Control", cc]], 10).kind, kind, cc);
  }
});

Deno.test("decide() serves stale within the request's max-stale, with or without a value (RFC 9111 §5.2.1.2)", () => {
  const e = entry(["Cache-Control", "max-age=10"], ["ETag", '"a"']);
  const rows: [string, string][] = [
    ["max-stale", "stale-served"],
    ["max-stale=20", "stale-served"],
    ["max-stale=10", "stale-served"],
    ["max-stale=9", "revalidate"],
    ["max-stale=bad", "revalidate"],
  ];
  for (const [cc, kind] of rows) {
    assert.equal(run(e, [["Cache-Control", cc]], 20).kind, kind, cc);
  }
  assert.deepEqual(shape(run(e, [["Cache-Control", "max-stale"]], 20)), {
    kind: "stale-served",
    age: 20,
    ttl: -10,
  });
});

Deno.test("decide() applies the request's max-age even with max-stale (RFC 9111 §5.2.1.1)", () => {
  const e = entry(["Cache-Control", "max-age=10"], ["ETag", '"a"']);
  assert.equal(
    run(e, [["Cache-Control", "max-age=15, max-stale"]], 20).kind,
    "revalidate",
  );
  assert.equal(
    run(e, [["Cache-Control", "max-age=25, max-stale"]], 20).kind,
    "stale-served",
  );
});

Deno.test("decide() never serves stale under must-revalidate, proxy-revalidate or s-maxage, even with max-stale (RFC 9111 §4.2.4, §5.2.2.2, §5.2.2.8, §5.2.2.10)", () => {
  for (
    const cc of [
      "max-age=10, must-revalidate",
      "max-age=10, proxy-revalidate",
      "s-maxage=10",
    ]
  ) {
    const e = entry(["Cache-Control", `${cc}, stale-while-revalidate=60`], [
      "ETag",
      '"a"',
    ]);
    assert.equal(
      run(e, [["Cache-Control", "max-stale"]], 20).kind,
      "revalidate",
      cc,
    );
    assert.equal(run(e, [], 5).kind, "fresh", cc);
  }
});

Deno.test("decide() serves stale and revalidates in the background within stale-while-revalidate (RFC 5861 §3)", () => {
  const e = entry(["Cache-Control", "max-age=10, stale-while-revalidate=30"], [
    "ETag",
    '"a"',
  ]);
  assert.equal(run(e, [], 5).kind, "fresh");
  assert.deepEqual(shape(run(e, [], 25)), {
    kind: "stale-while-revalidate",
    age: 25,
    ttl: -15,
    conditional: [["If-None-Match", '"a"']],
  });
  assert.equal(run(e, [], 40).kind, "stale-while-revalidate"); // stale by exactly 30 s
  assert.equal(run(e, [], 41).kind, "revalidate");
  assert.equal(run(e, [["Cache-Control", "no-cache"]], 25).kind, "revalidate");
  assert.equal(run(e, [["Cache-Control", "max-age=5"]], 25).kind, "revalidate");
});

Deno.test("decide() revalidates synchronously, never stale-while-revalidate, a request with max-age or min-fresh and no max-stale (RFC 9111 §5.2.1.1, §5.2.1.3, RFC 5861 §3)", () => {
  // RFC 9111 §5.2.1.1: "Unless the max-stale request directive is also
  // present, the client does not wish to receive a stale response."
  const e = entry(["Cache-Control", "max-age=10, stale-while-revalidate=30"], [
    "ETag",
    '"a"',
  ]);
  const cases: [string, string, Decision["kind"]][] = [
    ["no directive", "", "stale-while-revalidate"],
    ["max-age the age satisfies", "max-age=60", "revalidate"],
    ["max-age=0", "max-age=0", "revalidate"],
    ["min-fresh=0", "min-fresh=0", "revalidate"],
    ["min-fresh and max-age", "min-fresh=1, max-age=60", "revalidate"],
    // with max-stale the client accepts stale: the response's own window
    // first, but never staler than max-stale's value (§5.2.1.2, takesStale)
    [
      "max-age and a max-stale that covers it",
      "max-age=60, max-stale=20",
      "stale-while-revalidate",
    ],
    [
      "max-age and a max-stale below it",
      "max-age=60, max-stale=5",
      "revalidate",
    ],
    ["min-fresh with max-stale", "min-fresh=0, max-stale", "revalidate"], // §5.2.1.3: none left
    ["only max-stale", "max-stale", "stale-while-revalidate"],
  ];
  for (const [name, cc, kind] of cases) {
    const req: Field[] = cc === "" ? [] : [["Cache-Control", cc]];
    assert.equal(run(e, req, 25).kind, kind, name); // stale by 15 s, age 25 s
  }
});

Deno.test("decide() ignores an invalid stale-while-revalidate (RFC 5861 §3)", () => {
  const e = entry(["Cache-Control", "max-age=10, stale-while-revalidate"], [
    "ETag",
    '"a"',
  ]);
  assert.equal(run(e, [], 15).kind, "revalidate");
});

Deno.test("decide() serves a fresh immutable response despite a reload's max-age=0, not despite no-cache (RFC 8246 §2.1)", () => {
  const e = entry(["Cache-Control", "max-age=600, immutable"], ["ETag", '"a"']);
  assert.equal(run(e, [["Cache-Control", "max-age=0"]], 10).kind, "fresh");
  assert.equal(run(e, [["Cache-Control", "no-cache"]], 10).kind, "revalidate");
  assert.equal(run(e, [["Pragma", "no-cache"]], 10).kind, "revalidate");
  assert.equal(
    run(e, [["Cache-Control", "min-fresh=900"]], 10).kind,
    "revalidate",
  );
  assert.equal(
    run(e, [["Cache-Control", "max-age=0"]], 700).kind,
    "revalidate",
  ); // stale: immutable no longer applies
  assert.equal(
    run(e, [["Cache-Control", "max-age=0, max-stale"]], 700).kind,
    "revalidate",
  );
});

Deno.test("decide() serves heuristic freshness, then revalidates rather than serving stale (RFC 9111 §4.2.2, §4.2.4)", () => {
  const e = entry(["Last-Modified", dateAt(-1000)]); // heuristic lifetime 100 s
  assert.equal(run(e, [], 50).kind, "fresh");
  assert.deepEqual(shape(run(e, [], 150)), {
    kind: "revalidate",
    conditional: [["If-Modified-Since", dateAt(-1000)]],
    fwd: "stale",
    why: "stale",
  });
  assert.equal(
    run(e, [["Cache-Control", "max-stale=60"]], 150).kind,
    "stale-served",
  );
});

Deno.test("decide() answers only-if-cached from a usable entry or with a 504 decision (RFC 9111 §5.2.1.7)", () => {
  const oic: Field = ["Cache-Control", "only-if-cached"];
  const e = entry(["Cache-Control", "max-age=10"], ["ETag", '"a"']);
  assert.deepEqual(decide("GET", fields(oic), [], at(0)), {
    kind: "only-if-cached-miss",
  });
  assert.equal(run(e, [oic], 5).kind, "fresh");
  assert.deepEqual(run(e, [oic], 20), { kind: "only-if-cached-miss" });
  assert.equal(
    run(e, [["Cache-Control", "only-if-cached, max-stale"]], 20).kind,
    "stale-served",
  );
  assert.deepEqual(run(e, [["Cache-Control", "only-if-cached, no-cache"]], 5), {
    kind: "only-if-cached-miss",
  });
  const other = stored({ headers: [["Vary", "X-A"]], request: [["X-A", "1"]] });
  assert.deepEqual(decide("GET", fields(oic), [other], at(0)), {
    kind: "only-if-cached-miss",
  });
});

Deno.test("decide() treats Expires: 0 as already stale (RFC 9111 §5.3)", () => {
  const e = entry(["Expires", "0"], ["ETag", '"a"']);
  assert.equal(run(e, [], 0).kind, "revalidate");
});

Deno.test("decide() picks the matching variant among several before judging it (RFC 9111 §4.1)", () => {
  const gzip = stored({
    headers: [["Vary", "Accept-Encoding"], ["Cache-Control", "max-age=60"]],
    request: [["Accept-Encoding", "gzip"]],
  });
  const br = stored({
    headers: [["Vary", "Accept-Encoding"], ["Cache-Control", "max-age=5"]],
    request: [["Accept-Encoding", "br"]],
  });
  const gz = decide(
    "GET",
    fields(["Accept-Encoding", "gzip"]),
    [br, gzip],
    at(10),
  );
  assert.equal(gz.kind === "fresh" && gz.entry, gzip);
  const b = decide(
    "GET",
    fields(["Accept-Encoding", "br"]),
    [br, gzip],
    at(10),
  );
  assert.equal(b.kind === "revalidate" && b.entry, br);
});
