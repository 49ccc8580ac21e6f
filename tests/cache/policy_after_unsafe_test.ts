/**
 * Table tests of the decision after an unsafe method's response (RFC 9111
 * §4.4) and of storing a POST response that is a cacheable representation
 * of its own target (RFC 9110 §9.3.3, §8.7).
 */

import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  afterResponse,
  type Exchange,
  postResponseDraft,
  type StoreOptions,
} from "../../cache/policy.ts";
import { at, dateAt, fields } from "./policy_fixtures.ts";

const OPTIONS: StoreOptions = { maxObjectBytes: 1_000_000, skipBinary: false };
const KEY = "http://origin.test/form";

function post(
  response: Field[],
  extra: { status?: number; request?: Field[]; method?: string } = {},
): Exchange {
  return {
    key: KEY,
    method: extra.method ?? "POST",
    requestFields: fields(...(extra.request ?? [])),
    status: extra.status ?? 200,
    reason: "OK",
    responseFields: fields(["Date", dateAt(0)], ...response),
    requestTime: at(0),
    responseTime: at(0),
  };
}

const CACHEABLE: Field[] = [
  ["Cache-Control", "max-age=60"],
  ["Content-Location", "/form"],
];

Deno.test("afterResponse() invalidates the POST's target, then stores a response with explicit freshness whose Content-Location is the target URI (RFC 9110 §9.3.3, RFC 9111 §4.4)", () => {
  const o = afterResponse(post(CACHEABLE), { options: OPTIONS });
  assert.equal(o.kind, "invalidate");
  if (o.kind !== "invalidate") return;
  assert.deepEqual(o.keys, [KEY]);
  assert.equal(o.store?.key, KEY);
  assert.equal(o.store?.status, 200);
  assert.equal(o.store?.freshUntil, at(60));
});

const STORED: [string, Field[], { status?: number; request?: Field[] }][] = [
  ["a relative Content-Location", CACHEABLE, {}],
  ["an absolute Content-Location", [
    ["Cache-Control", "max-age=60"],
    ["Content-Location", "http://origin.test/form"],
  ], {}],
  ["the default port in Content-Location", [
    ["Expires", dateAt(60)],
    ["Content-Location", "http://ORIGIN.test:80/form"],
  ], {}],
  ["s-maxage", [["Cache-Control", "s-maxage=60"], [
    "Content-Location",
    "/form",
  ]], {}],
  ["a 203", CACHEABLE, { status: 203 }],
];

for (const [name, response, extra] of STORED) {
  Deno.test(`postResponseDraft() stores a POST response with ${name} (RFC 9110 §9.3.3)`, () => {
    assert.notEqual(
      postResponseDraft(post(response, extra), { options: OPTIONS }),
      undefined,
    );
  });
}

const NOT_STORED: [
  string,
  Field[],
  { status?: number; request?: Field[]; method?: string },
][] = [
  ["no Content-Location", [["Cache-Control", "max-age=60"]], {}],
  ["a Content-Location naming another URI", [
    ["Cache-Control", "max-age=60"],
    ["Content-Location", "/form/1"],
  ], {}],
  ["a Content-Location with another query", [
    ["Cache-Control", "max-age=60"],
    ["Content-Location", "/form?x"],
  ], {}],
  ["a Content-Location of another origin", [
    ["Cache-Control", "max-age=60"],
    ["Content-Location", "http://other.test/form"],
  ], {}],
  ["two Content-Location fields", [
    ...CACHEABLE,
    ["Content-Location", "/form"],
  ], {}],
  ["only heuristic freshness", [
    ["Last-Modified", dateAt(-3600)],
    ["Content-Location", "/form"],
  ], {}],
  ["only public", [["Cache-Control", "public"], [
    "Content-Location",
    "/form",
  ]], {}],
  ["no-store", [["Cache-Control", "max-age=60, no-store"], [
    "Content-Location",
    "/form",
  ]], {}],
  ["private", [["Cache-Control", "max-age=60, private"], [
    "Content-Location",
    "/form",
  ]], {}],
  ["Set-Cookie", [...CACHEABLE, ["Set-Cookie", "s=1"]], {}],
  ["an Authorization in the request", CACHEABLE, {
    request: [["Authorization", "Basic eDp5"]],
  }],
  ["a 201", CACHEABLE, { status: 201 }],
  ["a 204", CACHEABLE, { status: 204 }],
  ["a PUT", CACHEABLE, { method: "PUT" }],
];

for (const [name, response, extra] of NOT_STORED) {
  Deno.test(`postResponseDraft() does not store a POST response with ${name} (RFC 9110 §9.3.3, RFC 9111 §3)`, () => {
    assert.equal(
      postResponseDraft(post(response, extra), { options: OPTIONS }),
      undefined,
    );
  });
}

Deno.test("afterResponse() only invalidates after a POST whose response may not be stored, and passes a failed one (RFC 9111 §4.4)", () => {
  const o = afterResponse(post([["Content-Location", "/form"]]), {
    options: OPTIONS,
  });
  assert.deepEqual(o, { kind: "invalidate", keys: [KEY] });
  const failed = afterResponse(post(CACHEABLE, { status: 500 }), {
    options: OPTIONS,
  });
  assert.deepEqual(failed, { kind: "pass", detail: "method" });
});

Deno.test("postResponseDraft() reads freshness from the route's targeted field (RFC 9213 §2.1)", () => {
  const response: Field[] = [
    ["Cache-Control", "no-store"],
    ["CDN-Cache-Control", "max-age=60"],
    ["Content-Location", "/form"],
  ];
  const targets = ["CDN-Cache-Control"];
  const draft = postResponseDraft(post(response), {
    options: { ...OPTIONS, targets },
  });
  assert.equal(draft?.freshUntil, at(60));
  assert.equal(draft?.policyField, "cdn-cache-control");
  assert.equal(
    postResponseDraft(post(response), { options: OPTIONS }),
    undefined,
  );
});
