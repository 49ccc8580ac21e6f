import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  parseTargetedField,
  policyOf,
  targetedDirectives,
  targetsFor,
} from "../../cache/targeted.ts";
import { fields } from "./policy_fixtures.ts";

const TARGETS = ["Cachelab-Cache-Control", "CDN-Cache-Control"];

interface Row {
  name: string;
  res: Field[];
  targets?: readonly string[];
  /** The field that decides, lowercase; undefined: Cache-Control. */
  field: string | undefined;
  maxAge?: number | "invalid";
}

function check(rows: Row[]): void {
  for (const row of rows) {
    const policy = policyOf(fields(...row.res), row.targets ?? TARGETS);
    assert.equal(policy.field, row.field, row.name);
    assert.equal(policy.directives.seconds("max-age"), row.maxAge, row.name);
  }
}

Deno.test("policyOf() takes the first targeted field of the list that is present and valid, else Cache-Control (RFC 9213 §2.1)", () => {
  const cc: Field = ["Cache-Control", "max-age=10"];
  check([
    { name: "none present", res: [cc], field: undefined, maxAge: 10 },
    {
      name: "CDN-Cache-Control",
      res: [cc, ["CDN-Cache-Control", "max-age=20"]],
      field: "cdn-cache-control",
      maxAge: 20,
    },
    {
      name: "both: list order wins, not field order",
      res: [
        cc,
        ["CDN-Cache-Control", "max-age=20"],
        ["Cachelab-Cache-Control", "max-age=30"],
      ],
      field: "cachelab-cache-control",
      maxAge: 30,
    },
    {
      name: "field names in any case",
      res: [cc, ["cdn-cache-control", "max-age=20"]],
      field: "cdn-cache-control",
      maxAge: 20,
    },
    {
      name: "a field not on the list changes nothing",
      res: [cc, ["Other-Cache-Control", "max-age=99"]],
      field: undefined,
      maxAge: 10,
    },
    {
      name: "an empty list turns the feature off",
      res: [cc, ["CDN-Cache-Control", "max-age=20"]],
      targets: [],
      field: undefined,
      maxAge: 10,
    },
    {
      name: "a targeted field without max-age decides alone",
      res: [cc, ["CDN-Cache-Control", "no-cache"]],
      field: "cdn-cache-control",
      maxAge: undefined,
    },
  ]);
});

Deno.test("policyOf() ignores a targeted field that is empty or not a Structured Field Dictionary, then tries the next (RFC 9213 §2.2)", () => {
  const cc: Field = ["Cache-Control", "max-age=10"];
  const next: Field = ["CDN-Cache-Control", "max-age=20"];
  check([
    {
      name: "empty",
      res: [cc, ["Cachelab-Cache-Control", ""], next],
      field: "cdn-cache-control",
      maxAge: 20,
    },
    {
      name: "junk after a valid member",
      res: [cc, ["Cachelab-Cache-Control", "max-age=10000, &&&&&"], next],
      field: "cdn-cache-control",
      maxAge: 20,
    },
    {
      name: "uppercase key (keys are lowercase in the syntax)",
      res: [cc, ["Cachelab-Cache-Control", "MAX-AGE=10000"], next],
      field: "cdn-cache-control",
      maxAge: 20,
    },
    {
      name: "both invalid: Cache-Control",
      res: [cc, ["Cachelab-Cache-Control", "&&"], [
        "CDN-Cache-Control",
        "max-age=1, ,",
      ]],
      field: undefined,
      maxAge: 10,
    },
  ]);
});

Deno.test("policyOf() ignores a directive of the wrong type, and a field left without a valid directive (RFC 9213 §2.2)", () => {
  const cc: Field = ["Cache-Control", "max-age=10"];
  check([
    {
      name: 'max-age="10000" alone',
      res: [cc, ["CDN-Cache-Control", 'max-age="10000"']],
      field: undefined,
      maxAge: 10,
    },
    {
      name: "max-age as a decimal",
      res: [cc, ["CDN-Cache-Control", "max-age=10.0"]],
      field: undefined,
      maxAge: 10,
    },
    {
      name: "negative max-age",
      res: [cc, ["CDN-Cache-Control", "max-age=-1"]],
      field: undefined,
      maxAge: 10,
    },
    {
      name: "max-age as a token",
      res: [cc, ["CDN-Cache-Control", "max-age=soon"]],
      field: undefined,
      maxAge: 10,
    },
    {
      name: "only unknown directives",
      res: [cc, ["CDN-Cache-Control", "foo=bar, baz"]],
      field: undefined,
      maxAge: 10,
    },
    {
      name:
        "a wrong max-age beside a valid no-store: the field decides without max-age",
      res: [cc, ["CDN-Cache-Control", 'max-age="10000", no-store']],
      field: "cdn-cache-control",
      maxAge: undefined,
    },
    {
      name: "parameters are ignored",
      res: [cc, ["CDN-Cache-Control", "max-age=20;foo=bar"]],
      field: "cdn-cache-control",
      maxAge: 20,
    },
  ]);
});

Deno.test("parseTargetedField() reads the honoured directives by their types (RFC 9213 §2.2)", () => {
  const d = parseTargetedField([
    'max-age=60, s-maxage=30, stale-while-revalidate=5, stale-if-error=9, no-store, must-revalidate, proxy-revalidate, public, no-cache="Set-Cookie, X-A", private, immutable, extension=1',
  ]);
  assert.ok(d !== undefined);
  assert.deepEqual(d.names(), [
    "max-age",
    "s-maxage",
    "stale-while-revalidate",
    "stale-if-error",
    "no-store",
    "must-revalidate",
    "proxy-revalidate",
    "public",
    "no-cache",
    "private",
    "immutable",
  ]);
  assert.equal(d.seconds("max-age"), 60);
  assert.equal(d.seconds("S-MAXAGE"), 30);
  assert.equal(d.value("max-age"), "60");
  assert.equal(d.has("no-store"), true);
  assert.equal(d.value("no-store"), undefined);
  assert.deepEqual(d.fieldNames("no-cache"), ["set-cookie", "x-a"]);
  assert.equal(d.fieldNames("private"), undefined);
  assert.equal(d.has("extension"), false);
  assert.deepEqual(d.malformed, []);
});

Deno.test("parseTargetedField() drops boolean directives that are not true and field-name directives that are not strings (RFC 9213 §2.2)", () => {
  const d = parseTargetedField([
    "max-age=60, no-store=?0, public=1, private=tok, no-cache=(a b), must-revalidate=?1",
  ]);
  assert.ok(d !== undefined);
  assert.deepEqual(d.names(), ["max-age", "must-revalidate"]);
  assert.deepEqual(d.malformed, ["no-store", "public", "private", "no-cache"]);
});

Deno.test("parseTargetedField() caps delta-seconds at 2^31 (RFC 9111 §1.2.2)", () => {
  const d = parseTargetedField(["max-age=999999999999999"]);
  assert.equal(d?.seconds("max-age"), 2147483648);
});

Deno.test("targetedDirectives() falls back to Cache-Control's directives, parsed as Cache-Control (RFC 9213 §2.1)", () => {
  const d = targetedDirectives(
    fields(["Cache-Control", 'max-age="60", Public'], [
      "CDN-Cache-Control",
      "&",
    ]),
    TARGETS,
  );
  assert.equal(d.seconds("max-age"), 60); // quoted form is fine in Cache-Control
  assert.equal(d.has("public"), true);
  assert.equal(
    targetedDirectives(fields(["Cache-Control", "max-age=5"])).seconds(
      "max-age",
    ),
    5,
  );
});

Deno.test("targetsFor() keeps CDN-Cache-Control, in any case, only for a cache acting for the origin (RFC 9213 §3)", () => {
  assert.deepEqual(targetsFor(TARGETS, "origin"), TARGETS);
  assert.deepEqual(targetsFor(TARGETS, "client"), ["Cachelab-Cache-Control"]);
  assert.deepEqual(
    targetsFor(["cdn-CACHE-control", "Edge-Cache-Control"], "client"),
    ["Edge-Cache-Control"],
  );
  assert.deepEqual(targetsFor([], "origin"), []);
});
