/**
 * Table tests of explanations (cache/explain.ts): the RFC 9111 §4.2.3 age
 * terms against hand arithmetic, one row per freshness source, one per
 * not-stored rule (each produced by the real afterResponse()), the
 * decisions decide() takes, and summaryLine().
 */

import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import { explain, explainEntry, summaryLine } from "../../cache/explain.ts";
import { notStoredRule } from "../../cache/not_stored_rules.ts";
import {
  afterResponse,
  decide,
  type Decision,
  type Exchange,
  freshnessLifetime,
  type NotStoredDetail,
  type StoreOptions,
} from "../../cache/policy.ts";
import { at, dateAt, fields, stored } from "./policy_fixtures.ts";

const OPTIONS: StoreOptions = { maxObjectBytes: 1000, skipBinary: false };

function exchange(
  status: number,
  response: Field[],
  o: { method?: string; request?: Field[]; requestAt?: number } = {},
): Exchange {
  return {
    key: "http://origin.test/x",
    method: o.method ?? "GET",
    requestFields: fields(...(o.request ?? [])),
    status,
    reason: "",
    responseFields: fields(...response),
    requestTime: at(o.requestAt ?? 0),
    responseTime: at(0),
  };
}

const MISS = { kind: "miss", detail: "uri-miss" } as const;

Deno.test("explain() gives the §4.2.3 terms of a fresh hit as hand arithmetic does (RFC 9111 §4.2.3)", () => {
  // Sent at -1, received at 0 with Date -3 and Age 5:
  // apparent_age = 0 - (-3) = 3; response_delay = 0 - (-1) = 1;
  // corrected_age_value = 5 + 1 = 6; corrected_initial_age = max(3, 6) = 6;
  // at 12: resident_time = 12, current_age = 18; 60 - 18 = 42 s left.
  const entry = stored({
    headers: [["Date", dateAt(-3)], ["Age", "5"], [
      "Cache-Control",
      "max-age=60",
    ]],
    requestAt: -1,
    responseAt: 0,
  });
  const decision = decide("GET", fields(), [entry], at(12));
  assert.equal(decision.kind, "fresh");
  const e = explain({ decision }, at(12));
  assert.deepEqual(e.response, {
    age: {
      apparentAge: 3,
      responseDelay: 1,
      correctedAgeValue: 6,
      correctedInitialAge: 6,
      residentTime: 12,
      currentAge: 18,
    },
    lifetime: { seconds: 60, source: "max-age" },
    remaining: 42,
  });
  assert.equal(decision.kind === "fresh" && decision.age, 18); // as decide() said
  assert.equal(
    summaryLine(e),
    "fresh: age 18 s = corrected initial age 6 + resident 12; lifetime 60 s from max-age; 42 s left (RFC 9111 §4.2, §4.2.3)",
  );
});

Deno.test("summaryLine() says the issue's example for a fresh hit 12 s after a max-age=60 response arrived (RFC 9111 §4.2, §4.2.3)", () => {
  const entry = stored({
    headers: [["Date", dateAt(0)], ["Cache-Control", "max-age=60"]],
  });
  const decision = decide("GET", fields(), [entry], at(12));
  assert.equal(
    summaryLine(explain({ decision }, at(12))),
    "fresh: age 12 s = corrected initial age 0 + resident 12; lifetime 60 s from max-age; 48 s left (RFC 9111 §4.2, §4.2.3)",
  );
  assert.equal(
    summaryLine(explain({ decision }, at(12)), { ascii: true }),
    "fresh: age 12 s = corrected initial age 0 + resident 12; lifetime 60 s from max-age; 48 s left (RFC 9111 sections 4.2, 4.2.3)",
  );
  // Half a second later the whole-second terms still add up (60 - 12 = 48).
  const later = explain({ decision }, at(12.5));
  assert.equal(later.response?.age.currentAge, 12);
  assert.equal(later.response?.remaining, 48);
});

const SOURCES: {
  name: string;
  headers: Field[];
  targets?: string[];
  lifetime: { seconds: number; source: string; field?: string };
  says: string;
}[] = [
  {
    name: "s-maxage over max-age",
    headers: [["Cache-Control", "max-age=60, s-maxage=30"]],
    lifetime: { seconds: 30, source: "s-maxage" },
    says: "lifetime 30 s from s-maxage",
  },
  {
    name: "max-age over Expires",
    headers: [["Cache-Control", "max-age=60"], ["Expires", dateAt(500)]],
    lifetime: { seconds: 60, source: "max-age" },
    says: "lifetime 60 s from max-age",
  },
  {
    name: "Expires - Date",
    headers: [["Expires", dateAt(100)]],
    lifetime: { seconds: 100, source: "expires" },
    says: "lifetime 100 s from Expires - Date",
  },
  {
    name: "heuristic 10% of Date - Last-Modified",
    headers: [["Last-Modified", dateAt(-1000)]],
    lifetime: { seconds: 100, source: "heuristic" },
    says: "lifetime 100 s heuristic, 10% of Date - Last-Modified",
  },
  {
    name: "a targeted field (CDN-Cache-Control) over Cache-Control",
    headers: [["Cache-Control", "max-age=10"], [
      "CDN-Cache-Control",
      "max-age=90",
    ]],
    targets: ["CDN-Cache-Control"],
    lifetime: { seconds: 90, source: "max-age", field: "CDN-Cache-Control" },
    says: "lifetime 90 s from max-age in CDN-Cache-Control",
  },
  {
    name: "no-cache",
    headers: [["Cache-Control", "no-cache, max-age=60"], ["ETag", '"a"']],
    lifetime: { seconds: 0, source: "no-cache" },
    says: "lifetime 0 s: no-cache",
  },
  {
    name: "none",
    headers: [],
    lifetime: { seconds: 0, source: "none" },
    says: "lifetime 0 s: no freshness information",
  },
];

for (const row of SOURCES) {
  Deno.test(`explainEntry() names the lifetime's source when it is ${row.name} (RFC 9111 §4.2.1, §4.2.2; RFC 9213 §2.1)`, () => {
    const headers: Field[] = [["Date", dateAt(0)], ...row.headers];
    const entry = stored({ headers, targets: row.targets });
    const seen = explainEntry(entry, at(0));
    assert.deepEqual(seen.lifetime, row.lifetime);
    assert.equal(
      seen.lifetime.seconds,
      freshnessLifetime(200, fields(...headers), at(0), {
        targets: row.targets,
      }),
      "the same lifetime freshnessLifetime() gives",
    );
    const e = explain({ decision: MISS, upstream: undefined }, at(0));
    assert.equal(e.response, undefined);
    const x = exchange(200, headers);
    const outcome = afterResponse(x, {
      options: { ...OPTIONS, targets: row.targets },
    });
    const line = summaryLine(
      explain({ decision: MISS, upstream: { exchange: x, outcome } }, at(5)),
    );
    assert.ok(line.includes(`; ${row.says}; `), line);
  });
}

const RULES: {
  rule: NotStoredDetail;
  x: Exchange;
  options?: Partial<StoreOptions>;
  reason: string;
  fix: string;
}[] = [
  {
    rule: "method",
    x: exchange(200, [["Cache-Control", "max-age=60"]], { method: "HEAD" }),
    reason: "the method is HEAD: only GET responses are stored",
    fix: "fetch it with GET",
  },
  {
    rule: "status",
    x: exchange(304, [["ETag", '"a"']]),
    reason: "status 304 is never stored as a response",
    fix: "nothing: send a final status other than 304 to be stored",
  },
  {
    rule: "status",
    x: exchange(299, [["Cache-Control", "must-understand, no-store"]]),
    reason:
      "must-understand with status 299, which this cache does not understand",
    fix: "send a status defined by RFC 9110, or remove must-understand",
  },
  {
    rule: "no-store",
    x: exchange(200, [["Cache-Control", "no-store"]]),
    reason: "no-store in Cache-Control",
    fix: "remove it",
  },
  {
    rule: "no-store",
    x: exchange(200, [["Cache-Control", "max-age=60"]], {
      request: [["Cache-Control", "no-store"]],
    }),
    reason: "no-store in the request's Cache-Control",
    fix: "send the request without it",
  },
  {
    rule: "private",
    x: exchange(200, [["Cache-Control", "private, max-age=60"]]),
    reason: "private in Cache-Control: a shared cache never stores it",
    fix: "drop private, and send public or s-maxage if it may be shared",
  },
  {
    rule: "authorization",
    x: exchange(200, [["Cache-Control", "max-age=60"]], {
      request: [["Authorization", "Basic eDp5"]],
    }),
    reason:
      "the request carried Authorization and the response does not allow a shared cache to store it",
    fix: "send public, s-maxage or must-revalidate if it may be shared",
  },
  {
    rule: "set-cookie",
    x: exchange(200, [["Cache-Control", "max-age=60"], ["Set-Cookie", "a=b"]]),
    reason:
      "the response sets a cookie (Set-Cookie): never stored here by default",
    fix:
      'send Cache-Control: private="Set-Cookie" to store it without the cookie, or run the proxy with --store-set-cookie and explicit freshness',
  },
  {
    rule: "vary-star",
    x: exchange(200, [["Cache-Control", "max-age=60"], ["Vary", "*"]]),
    reason: "Vary: * never matches a later request",
    fix: "name the request fields it varies on instead of *",
  },
  {
    rule: "no-freshness",
    x: exchange(302, [["Location", "/y"]]),
    reason:
      "status 302 is not heuristically cacheable and has no explicit freshness",
    fix: "send Cache-Control: max-age=N (or s-maxage=N, or Expires)",
  },
  {
    rule: "no-validator",
    x: exchange(200, [["Cache-Control", "no-cache"]]),
    reason:
      "no-cache in Cache-Control without a validator: every use needs validation, which could never succeed",
    fix: "send an ETag or Last-Modified, or remove no-cache",
  },
  {
    rule: "too-large",
    x: exchange(200, [["Cache-Control", "max-age=60"], [
      "Content-Length",
      "5000",
    ]]),
    reason: "Content-Length 5000 is over the largest body stored",
    fix: "send a smaller body, or raise the proxy's --max-object-size",
  },
  {
    rule: "head-too-large",
    x: exchange(200, [["Cache-Control", "max-age=60"], [
      "X-Big",
      "x".repeat(80 * 1024),
    ]]),
    reason: "the header section is larger than the proxy stores",
    fix: "send fewer or shorter header fields",
  },
  {
    rule: "binary",
    x: exchange(200, [["Cache-Control", "max-age=60"], [
      "Content-Type",
      "image/png",
    ], ["Content-Length", "10"]]),
    options: { skipBinary: true },
    reason:
      "the media type image/png is binary and the proxy runs with --skip-binary",
    fix: "send a textual Content-Type, or run the proxy without --skip-binary",
  },
  {
    rule: "transfer-coding",
    x: exchange(200, [["Cache-Control", "max-age=60"], [
      "Transfer-Encoding",
      "x-unknown, chunked",
    ]]),
    reason: "the body still carries a transfer coding the proxy cannot decode",
    fix: "send it with chunked or no transfer coding",
  },
  {
    rule: "content-range",
    x: exchange(206, [["Cache-Control", "max-age=60"], [
      "Content-Range",
      "bytes 9-1/10",
    ], ["ETag", '"a"']], { request: [["Range", "bytes=0-1"]] }),
    reason: "the 206's Content-Range cannot be placed in its representation",
    fix: "send one valid Content-Range for the range asked",
  },
  {
    rule: "range",
    x: exchange(416, [["Cache-Control", "max-age=60"]], {
      request: [["Range", "bytes=50-"]],
    }),
    reason:
      "a 416 to a Range request depends on the range, which the cache key does not hold",
    fix: "nothing: the response to a request without Range may be stored",
  },
];

for (const row of RULES) {
  const label = row.rule === "no-store" || row.rule === "status"
    ? `${row.rule} (${row.reason.split(" ").slice(0, 4).join(" ")})`
    : row.rule;
  Deno.test(`explain() names the rule ${label} and what would make the response storable when afterResponse() passes it (RFC 9111 §3)`, () => {
    const outcome = afterResponse(row.x, {
      options: { ...OPTIONS, ...row.options },
    });
    assert.deepEqual(outcome, { kind: "pass", detail: row.rule }); // the fixture hits the rule
    const e = explain({
      decision: MISS,
      upstream: { exchange: row.x, outcome },
      options: { ...OPTIONS, ...row.options },
    }, at(0));
    assert.equal(e.response, undefined);
    assert.equal(e.upstream?.kind, "not-stored");
    const why = e.upstream?.kind === "not-stored" ? e.upstream.why : undefined;
    assert.equal(why?.rule, row.rule);
    assert.equal(why?.reason, row.reason);
    assert.equal(why?.fix, row.fix);
    assert.ok(
      summaryLine(e).startsWith(
        `miss: nothing stored for this URI: origin ${row.x.status}, not stored: ${row.reason}: ${row.fix} (`,
      ),
      summaryLine(e),
    );
  });
}

Deno.test("summaryLine() gives a no-store miss its rule and its section (RFC 9111 §3, §5.2.2.5)", () => {
  const x = exchange(200, [["Cache-Control", "no-store"]]);
  const outcome = afterResponse(x, { options: OPTIONS });
  assert.equal(
    summaryLine(
      explain({ decision: MISS, upstream: { exchange: x, outcome } }, at(0)),
    ),
    "miss: nothing stored for this URI: origin 200, not stored: no-store in Cache-Control: remove it (RFC 9111 §3, §4, §5.2.2.5)",
  );
});

Deno.test("notStoredRule() says no-store in the targeted field that decided (RFC 9213 §2.1)", () => {
  const rule = notStoredRule("no-store", {
    method: "GET",
    status: 200,
    requestFields: fields(),
    responseFields: fields(["CDN-Cache-Control", "no-store"]),
    targets: ["CDN-Cache-Control"],
  });
  assert.equal(rule.reason, "no-store in CDN-Cache-Control");
  assert.deepEqual(rule.sections, ["RFC 9111 §5.2.2.5"]);
});

Deno.test("notStoredRule() says a newer response outdated the stored one (RFC 9111 §4.3.3)", () => {
  const rule = notStoredRule("outdated", {
    method: "GET",
    status: 200,
    requestFields: fields(),
    responseFields: fields(),
  });
  assert.deepEqual(rule.sections, ["RFC 9111 §4.3.3"]);
  assert.equal(rule.reason, "a newer response outdated the stored one");
});

Deno.test("explain() gives a stored miss its terms at the time the response arrived (RFC 9111 §3, §4.2.3)", () => {
  const x = exchange(200, [["Date", dateAt(-2)], [
    "Cache-Control",
    "max-age=60",
  ]], { requestAt: -1 });
  const outcome = afterResponse(x, { options: OPTIONS });
  assert.equal(outcome.kind, "store");
  const e = explain(
    { decision: MISS, upstream: { exchange: x, outcome } },
    at(30),
  );
  assert.deepEqual(e.upstream, { kind: "stored", status: 200 });
  assert.deepEqual(e.response?.age, {
    apparentAge: 2,
    responseDelay: 1,
    correctedAgeValue: 1,
    correctedInitialAge: 2,
    residentTime: 0,
    currentAge: 2,
  });
  assert.equal(
    summaryLine(e),
    "miss: nothing stored for this URI: origin 200, stored; age 2 s = corrected initial age 2 + resident 0; lifetime 60 s from max-age; 58 s left (RFC 9111 §3, §4, §4.2, §4.2.3)",
  );
});

const ETAGGED: Field[] = [["Date", dateAt(0)], ["ETag", '"a"']];

const DECISIONS: {
  name: string;
  headers: Field[];
  request?: Field[];
  now: number;
  kind: Decision["kind"];
  says: string;
}[] = [
  {
    name: "a fresh hit",
    headers: [...ETAGGED, ["Cache-Control", "max-age=60"]],
    now: 10,
    kind: "fresh",
    says: "fresh: age 10 s",
  },
  {
    name: "stale served under the request's max-stale",
    headers: [...ETAGGED, ["Cache-Control", "max-age=60"]],
    request: [["Cache-Control", "max-stale=100"]],
    now: 70,
    kind: "stale-served",
    says:
      "stale, served: the request's max-stale allows it: age 70 s = corrected initial age 0 + resident 70; lifetime 60 s from max-age; stale by 10 s (RFC 9111 §4.2.4, §5.2.1.2)",
  },
  {
    name: "stale served while revalidating",
    headers: [...ETAGGED, [
      "Cache-Control",
      "max-age=60, stale-while-revalidate=30",
    ]],
    now: 70,
    kind: "stale-while-revalidate",
    says:
      "stale, served while revalidating: stale-while-revalidate allows it: age 70 s",
  },
  {
    name: "must revalidate: the request says no-cache",
    headers: [...ETAGGED, ["Cache-Control", "max-age=60"]],
    request: [["Cache-Control", "no-cache"]],
    now: 10,
    kind: "revalidate",
    says:
      "must revalidate: the request says no-cache: no usable response from the origin (RFC 9111 §4.3.1, §5.2.1.4)",
  },
  {
    name: "must revalidate: the response says no-cache",
    headers: [...ETAGGED, ["Cache-Control", "no-cache"]],
    now: 10,
    kind: "revalidate",
    says: "must revalidate: the response says no-cache (validate on every use)",
  },
  {
    name: "must revalidate: the request's max-age",
    headers: [...ETAGGED, ["Cache-Control", "max-age=60"]],
    request: [["Cache-Control", "max-age=5"]],
    now: 10,
    kind: "revalidate",
    says: "must revalidate: older than the request's max-age",
  },
  {
    name: "must revalidate: the request's min-fresh",
    headers: [...ETAGGED, ["Cache-Control", "max-age=60"]],
    request: [["Cache-Control", "min-fresh=55"]],
    now: 10,
    kind: "revalidate",
    says: "must revalidate: less freshness left than the request's min-fresh",
  },
  {
    name: "must revalidate: must-revalidate forbids stale",
    headers: [...ETAGGED, ["Cache-Control", "max-age=60, must-revalidate"]],
    request: [["Cache-Control", "max-stale"]],
    now: 70,
    kind: "revalidate",
    says:
      "must revalidate: stale, and must-revalidate, proxy-revalidate or s-maxage forbids serving it stale",
  },
  {
    name: "must revalidate: stale",
    headers: [...ETAGGED, ["Cache-Control", "max-age=60"]],
    now: 70,
    kind: "revalidate",
    says: "must revalidate: stale, and nothing allows serving it stale",
  },
];

for (const row of DECISIONS) {
  Deno.test(`explain() says ${row.name} when decide() decides ${row.kind} (RFC 9111 §4.2, §4.2.4, §4.3)`, () => {
    const entry = stored({ headers: row.headers });
    const decision = decide(
      "GET",
      fields(...(row.request ?? [])),
      [entry],
      at(row.now),
    );
    assert.equal(decision.kind, row.kind);
    const line = summaryLine(explain({ decision }, at(row.now)));
    assert.ok(line.startsWith(row.says), line);
  });
}

Deno.test("explain() says a miss, a pass and an only-if-cached miss (RFC 9111 §4, §4.4, §5.2.1.7)", () => {
  assert.equal(
    summaryLine(explain({ decision: MISS }, at(0))),
    "miss: nothing stored for this URI: no usable response from the origin (RFC 9111 §4)",
  );
  assert.equal(
    summaryLine(explain({ decision: { kind: "pass", why: "method" } }, at(0))),
    "pass: the method goes to the origin; only GET responses are reused: no usable response from the origin (RFC 9111 §4, §4.4)",
  );
  const onlyIfCached = decide(
    "GET",
    fields(["Cache-Control", "only-if-cached"]),
    [],
    at(0),
  );
  assert.equal(
    summaryLine(explain({ decision: onlyIfCached }, at(0))),
    "miss: only-if-cached and nothing usable stored, 504 (RFC 9111 §5.2.1.7)",
  );
});

Deno.test("explain() says a 304 freshened the stored response, with its terms when the 304 arrived (RFC 9111 §4.3.4)", () => {
  const entry = stored({
    headers: [...ETAGGED, ["Cache-Control", "max-age=60"]],
  });
  const decision = decide("GET", fields(), [entry], at(70));
  assert.equal(decision.kind, "revalidate");
  const x = {
    ...exchange(304, [["Date", dateAt(70)], ["ETag", '"a"']]),
    requestTime: at(70),
    responseTime: at(70),
  };
  const outcome = afterResponse(x, { revalidated: entry, options: OPTIONS });
  assert.equal(outcome.kind, "freshen");
  assert.equal(
    summaryLine(
      explain({ decision, upstream: { exchange: x, outcome } }, at(70)),
    ),
    "must revalidate: stale, and nothing allows serving it stale: origin 304, stored response freshened; age 0 s = corrected initial age 0 + resident 0; lifetime 60 s from max-age; 60 s left (RFC 9111 §4.2.3, §4.2.4, §4.3.1, §4.3.4)",
  );
});
