/**
 * Table tests of a vary-miss that asks the origin which stored variant
 * will do (RFC 9111 §4.1, §4.3.1, §4.3.4): decide() lists the stored
 * entity-tags, identifiedBy304() finds what the 304 identifies, and
 * afterResponse()'s `select` outcome updates, serves and files it.
 */

import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  afterResponse,
  decide,
  type Exchange,
  identifiedBy304,
  type ResponseOutcome,
  type StoreOptions,
} from "../../cache/policy.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import { at, dateAt, fields, stored } from "./policy_fixtures.ts";

const OPTIONS: StoreOptions = { maxObjectBytes: 1_000_000, skipBinary: false };

/** A stored variant for `language`, received `seconds` after T0. */
function variant(
  language: string,
  etag: string | undefined,
  seconds = 0,
  extra: Field[] = [],
): EntryMeta {
  const headers: Field[] = [
    ["Date", dateAt(seconds)],
    ["Cache-Control", "max-age=60"],
    ["Vary", "Accept-Language"],
    ...extra,
  ];
  if (etag !== undefined) headers.push(["ETag", etag]);
  return {
    ...stored({
      headers,
      request: [["Accept-Language", language]],
      requestAt: seconds,
    }),
    bodyFile: `${language}.body`,
    bodySize: 4,
  };
}

const EN = variant("en", '"e"', 0);
const DE = variant("de", 'W/"d"', 5);
const FR_REQUEST = fields(["Accept-Language", "fr"]);

Deno.test("decide() asks the origin with If-None-Match listing the stored variants' entity-tags, strong and weak, when none matches (RFC 9111 §4.1, §4.3.1)", () => {
  // The most recent variant's first (issue 10's hostile review: the list
  // is capped, so the order says which are kept; it was store order).
  const d = decide("GET", FR_REQUEST, [EN, DE], at(10));
  assert.deepEqual(d, {
    kind: "miss",
    detail: "vary-miss",
    conditional: [["If-None-Match", 'W/"d", "e"']],
    selectable: [DE, EN],
  });
});

Deno.test("decide() lists each entity-tag once and leaves out variants without one (RFC 9111 §4.3.1)", () => {
  const same = variant("it", '"e"', 1);
  const none = variant("es", undefined, 2);
  const bad = variant("pt", "not-an-entity-tag", 3);
  const d = decide("GET", FR_REQUEST, [EN, same, none, bad], at(10));
  assert.equal(d.kind, "miss");
  if (d.kind !== "miss") return;
  assert.deepEqual(d.conditional, [["If-None-Match", '"e"']]);
  assert.deepEqual(d.selectable, [same, EN]); // the most recent first
});

Deno.test("decide() forwards a vary-miss as it came when no variant has an entity-tag, and asks with the stored entity-tags in place of a client's own If-None-Match (RFC 9111 §4.3.1, §4.3.2)", () => {
  const untagged = variant("es", undefined);
  assert.deepEqual(decide("GET", FR_REQUEST, [untagged], at(10)), {
    kind: "miss",
    detail: "vary-miss",
  });
  const own = fields(["Accept-Language", "fr"], ["If-None-Match", '"x"']);
  assert.deepEqual(decide("GET", own, [EN], at(10)), {
    kind: "miss",
    detail: "vary-miss",
    conditional: [["If-None-Match", '"e"']],
    selectable: [EN],
  });
});

Deno.test("decide() answers only-if-cached with 504 on a vary-miss instead of asking (RFC 9111 §5.2.1.7)", () => {
  const req = fields(["Accept-Language", "fr"], [
    "Cache-Control",
    "only-if-cached",
  ]);
  assert.deepEqual(decide("GET", req, [EN], at(10)), {
    kind: "only-if-cached-miss",
  });
});

const SHARED_STRONG_A = variant("it", '"s"', 1);
const SHARED_STRONG_B = variant("es", '"s"', 3);
const WEAK_OLD = variant("nl", 'W/"w"', 1);
const WEAK_NEW = variant("sv", 'W/"w"', 4);
const LM = "Sun, 31 Dec 2023 12:00:00 GMT";
const LM_OLD = variant("da", '"x1"', 1, [["Last-Modified", LM]]);
const LM_NEW = variant("fi", '"x2"', 2, [["Last-Modified", LM]]);

const IDENTIFIED: [string, EntryMeta[], Field[], EntryMeta[]][] = [
  [
    "a strong ETag identifies every response with it",
    [
      SHARED_STRONG_A,
      SHARED_STRONG_B,
      EN,
    ],
    [["ETag", '"s"']],
    [SHARED_STRONG_A, SHARED_STRONG_B],
  ],
  [
    "a strong ETag never matches a weak stored one",
    [DE],
    [["ETag", '"d"']],
    [],
  ],
  [
    "a weak ETag identifies the most recent weak match",
    [
      WEAK_NEW,
      WEAK_OLD,
    ],
    [["ETag", 'W/"w"']],
    [WEAK_NEW],
  ],
  ["a weak ETag matches a strong stored one weakly", [EN], [[
    "ETag",
    'W/"e"',
  ]], [EN]],
  ["Last-Modified identifies the most recent match", [LM_OLD, LM_NEW], [[
    "Last-Modified",
    LM,
  ]], [LM_NEW]],
  ["no validator identifies the only one listed", [EN], [], [EN]],
  ["no validator identifies nothing among several", [EN, DE], [], []],
  ["an unknown ETag identifies nothing", [EN, DE], [["ETag", '"z"']], []],
];

for (const [name, candidates, response, expected] of IDENTIFIED) {
  Deno.test(`identifiedBy304(): ${name} (RFC 9111 §4.3.4)`, () => {
    assert.deepEqual(
      identifiedBy304(candidates, fields(...response)),
      expected,
    );
  });
}

function selection(
  selectable: EntryMeta[],
  response: Field[],
  request: Field[] = [["Accept-Language", "fr"]],
  extra: Partial<Exchange> = {},
): ResponseOutcome {
  const x: Exchange = {
    key: "http://origin.test/x",
    method: "GET",
    requestFields: fields(...request),
    status: 304,
    reason: "Not Modified",
    responseFields: fields(["Date", dateAt(20)], ...response),
    requestTime: at(20),
    responseTime: at(20),
    ...extra,
  };
  return afterResponse(x, { selectable, options: OPTIONS });
}

Deno.test("afterResponse() serves the stored response a 304 selects, updated, and files it for this request's Vary values with the same body (RFC 9111 §4.1, §4.3.4)", () => {
  const o = selection([EN, DE], [["ETag", '"e"'], [
    "Cache-Control",
    "max-age=600",
  ]]);
  assert.equal(o.kind, "select");
  if (o.kind !== "select") return;
  assert.equal(o.serve.bodyFile, "en.body", "served from the stored body");
  assert.deepEqual(o.serve.vary, [["accept-language", "en"]]);
  assert.equal(o.serve.freshUntil, at(620), "updated by the 304");
  assert.deepEqual(o.updates, [{ previous: EN, entry: o.serve }]);
  assert.deepEqual(o.variant?.vary, [["accept-language", "fr"]]);
  assert.equal(o.variant?.freshUntil, at(620));
  assert.deepEqual(o.variant?.headers, o.serve.headers);
  assert.equal("bodyFile" in o.variant!, false);
  assert.deepEqual(o.removals, []);
});

Deno.test("afterResponse() updates every stored response a strong 304 identifies, and serves the most recent (RFC 9111 §4.3.4)", () => {
  const o = selection([SHARED_STRONG_A, SHARED_STRONG_B, EN], [[
    "ETag",
    '"s"',
  ]]);
  assert.equal(o.kind, "select");
  if (o.kind !== "select") return;
  assert.equal(o.serve.bodyFile, "es.body");
  assert.deepEqual(
    o.updates.map((u) => [u.previous.bodyFile, u.entry.responseTime]),
    [["it.body", at(20)], ["es.body", at(20)]],
  );
});

Deno.test("afterResponse() refetches when a 304 to a vary-miss identifies nothing, or has bytes right behind it (RFC 9111 §4.3.4)", () => {
  assert.deepEqual(selection([EN], [["ETag", '"other"']]), {
    kind: "refetch",
  });
  assert.deepEqual(
    selection([EN], [["ETag", '"e"']], undefined, { trailingBytes: true }),
    { kind: "refetch" },
  );
});

Deno.test("afterResponse() removes what a 304 to a vary-miss makes unstorable, serving this request from it without filing it (RFC 9111 §3, §4.3.4)", () => {
  const o = selection([EN], [["ETag", '"e"'], ["Cache-Control", "no-store"]]);
  assert.equal(o.kind, "select");
  if (o.kind !== "select") return;
  assert.equal(o.serve.bodyFile, "en.body");
  assert.deepEqual(o.updates, []);
  assert.equal(o.variant, undefined);
  assert.deepEqual(o.removals, [EN]);
  assert.equal(o.detail, "no-store");
});

Deno.test("afterResponse() neither files nor updates when the vary-miss request forbade storing (RFC 9111 §5.2.1.5)", () => {
  const o = selection([EN], [["ETag", '"e"']], [
    ["Accept-Language", "fr"],
    ["Cache-Control", "no-store"],
  ]);
  assert.equal(o.kind, "select");
  if (o.kind !== "select") return;
  assert.deepEqual(o.updates, []);
  assert.deepEqual(o.removals, []);
  assert.equal(o.variant, undefined);
  assert.equal(o.detail, "no-store");
});

Deno.test("afterResponse() removes a selected response whose Vary names the 304 changed, and files this request's variant under the new names (RFC 9111 §4.1, §4.3.4)", () => {
  const o = selection([EN], [["ETag", '"e"'], ["Vary", "Accept-Encoding"]], [
    ["Accept-Language", "fr"],
    ["Accept-Encoding", "gzip"],
  ]);
  assert.equal(o.kind, "select");
  if (o.kind !== "select") return;
  assert.deepEqual(o.updates, []);
  assert.deepEqual(o.removals, [EN]);
  assert.deepEqual(o.variant?.vary, [["accept-encoding", "gzip"]]);
});

Deno.test("afterResponse() stores a full response to a vary-miss that asked, like any new one (RFC 9111 §3)", () => {
  const o = selection([EN], [["Cache-Control", "max-age=60"]], undefined, {
    status: 200,
    reason: "OK",
  });
  assert.equal(o.kind, "store");
});
