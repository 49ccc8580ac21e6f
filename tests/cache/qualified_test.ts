/**
 * Table tests of what a qualified private or no-cache may take from a
 * stored response (RFC 9111 §5.2.2.4, §5.2.2.7): the fields the cache
 * judges a response by stay in the stored copy and its decisions do not
 * change, while nothing named is replayed downstream.
 */

import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import { withholdPrivate } from "../../cache/qualified.ts";
import {
  afterResponse,
  decide,
  draftOf,
  type Exchange,
  servedHeaders,
  type StoreOptions,
} from "../../cache/policy.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import { at, dateAt, fields } from "./policy_fixtures.ts";

const OPTIONS: StoreOptions = { maxObjectBytes: 1000, skipBinary: true };
const TARGETS = ["Cachelab-Cache-Control"];

/** A response with every field the cache judges by, and two it does not. */
function response(cacheControl: string): Field[] {
  return [
    ["Date", dateAt(0)],
    ["Age", "5"],
    ["Cache-Control", cacheControl],
    ["Expires", dateAt(3600)],
    ["Last-Modified", dateAt(-30 * 86400)],
    ["ETag", '"v1"'],
    ["Vary", "Accept-Language"],
    ["Content-Type", "text/plain"],
    ["Content-Length", "5"],
    ["X-User", "alice"],
    // stored only when private names it (storability's Set-Cookie rule)
    ...(/set-cookie/i.test(cacheControl) ? [["Set-Cookie", "sid=1"]] : []),
  ] as Field[];
}

function exchange(status: number, res: Field[], req: Field[] = []): Exchange {
  return {
    key: "http://origin.test/x",
    method: "GET",
    requestFields: fields(["Accept-Language", "en"], ...req),
    status,
    reason: "",
    responseFields: fields(...res),
    requestTime: at(0),
    responseTime: at(0),
  };
}

function names(headers: Iterable<Field>): string[] {
  return [...headers].map(([name]) => name.toLowerCase());
}

const JUDGED = [
  "cache-control",
  "expires",
  "date",
  "age",
  "last-modified",
  "etag",
  "vary",
  "content-type",
  "content-length",
];

Deno.test("withholdPrivate() withholds the fields a qualified private names except those the cache judges by (RFC 9111 §5.2.2.7)", () => {
  const all = [...JUDGED, "x-user", "set-cookie"].join(", ");
  const f = fields(...response(`max-age=60, private="${all}"`));
  withholdPrivate(f);
  assert.deepEqual(names(f).sort(), [...JUDGED].sort());
  const targeted = fields(
    [
      "Cachelab-Cache-Control",
      'max-age=60, private="Cachelab-Cache-Control, X-User"',
    ],
    ["X-User", "a"],
  );
  withholdPrivate(targeted, TARGETS); // RFC 9213 §2.1: the deciding field is judged too
  assert.deepEqual(names(targeted), ["cachelab-cache-control"]);
});

Deno.test("draftOf() stores the same freshness, Vary values, validators and policy whatever a qualified private names, and servedHeaders() sends none of the named fields (RFC 9111 §4.1, §4.2, §4.3.1, §5.2.2.7)", () => {
  const plain = draftOf(exchange(200, response("max-age=60")), OPTIONS);
  for (const named of [...JUDGED, "x-user", "set-cookie"]) {
    for (const cc of ["max-age=60", "no-cache", "max-age=0, must-revalidate"]) {
      const base = draftOf(exchange(200, response(cc)), OPTIONS);
      const draft = draftOf(
        exchange(200, response(`${cc}, private="${named}"`)),
        OPTIONS,
      );
      const what = `${cc}, private="${named}"`;
      assert.equal(draft.freshUntil, base.freshUntil, what);
      assert.equal(draft.keepUntil, base.keepUntil, what);
      assert.equal(draft.correctedInitialAge, base.correctedInitialAge, what);
      assert.deepEqual(draft.vary, base.vary, what);
      const entry: EntryMeta = { ...draft, bodySize: 5, bodyFile: "b.body" };
      const baseEntry: EntryMeta = { ...base, bodySize: 5, bodyFile: "b.body" };
      for (const t of [10, 100, 7200]) {
        const req = fields(["Accept-Language", "en"]);
        const got = decide("GET", req, [entry], at(t));
        const want = decide("GET", req, [baseEntry], at(t));
        assert.equal(got.kind, want.kind, `${what} at ${t} s`);
        if ("conditional" in got && "conditional" in want) {
          assert.deepEqual(
            got.conditional,
            want.conditional,
            `${what} at ${t} s`,
          );
        }
      }
      const served = names(servedHeaders(entry, 10));
      if (named !== "age" && named !== "content-length") {
        assert.ok(!served.includes(named), `${what}: served ${served}`);
      }
    }
  }
  assert.ok(plain.freshUntil > at(0));
});

Deno.test("afterResponse() freshens a response whose qualified private names Vary, Cache-Control or ETag with the same Vary values and policy (RFC 9111 §4.1, §4.3.4, §5.2.2.7)", () => {
  for (
    const named of [
      "Vary",
      "Cache-Control",
      "ETag",
      "Vary, Cache-Control, ETag",
    ]
  ) {
    const res = response(`max-age=600, private="${named}"`);
    const draft = draftOf(exchange(200, res), OPTIONS);
    const entry: EntryMeta = { ...draft, bodySize: 5, bodyFile: "b.body" };
    const notModified = res.filter(([n]) =>
      !["Content-Length", "Set-Cookie"].includes(n)
    );
    const o = afterResponse(
      exchange(304, notModified, [["If-None-Match", '"v1"']]),
      { revalidated: entry, options: OPTIONS },
    );
    assert.equal(o.kind, "freshen", named);
    if (o.kind !== "freshen") continue;
    assert.equal(o.rekeyed, false, named);
    assert.deepEqual(o.entry.vary, [["accept-language", "en"]], named);
    assert.equal(o.entry.freshUntil, at(600 - 5), named); // Age 5
    assert.ok(names(o.entry.headers).includes("x-user"), named); // not named
    const served = names(servedHeaders(o.entry, 0, { revalidated: true }));
    for (const field of named.toLowerCase().split(", ")) {
      assert.ok(!served.includes(field), `${named}: served ${served}`);
    }
  }
});
