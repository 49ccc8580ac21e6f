import assert from "../helpers/assert.ts";
import {
  parseCacheControl,
  requestDirectives,
} from "../../cache/cache_control.ts";
import { fields } from "./policy_fixtures.ts";

Deno.test("parseCacheControl() compares directive names case-insensitively (RFC 9111 §5.2)", () => {
  const cc = parseCacheControl(["Max-Age=60, NO-CACHE"]);
  assert.equal(cc.seconds("max-age"), 60);
  assert.equal(cc.has("no-cache"), true);
  assert.equal(cc.has("No-Cache"), true);
  assert.deepEqual(cc.names(), ["max-age", "no-cache"]);
});

Deno.test("parseCacheControl() accepts token and quoted-string arguments alike (RFC 9111 §5.2)", () => {
  assert.equal(parseCacheControl(['max-age="60"']).seconds("max-age"), 60);
  assert.equal(parseCacheControl(["max-age=60"]).seconds("max-age"), 60);
  assert.equal(parseCacheControl(['x="a\\"b"']).value("x"), 'a"b');
});

Deno.test("parseCacheControl() combines every field line into one list (RFC 9110 §5.3)", () => {
  const cc = parseCacheControl(["public", "max-age=5", " , s-maxage=7 "]);
  assert.equal(cc.has("public"), true);
  assert.equal(cc.seconds("max-age"), 5);
  assert.equal(cc.seconds("s-maxage"), 7);
});

Deno.test("parseCacheControl() reads bad delta-seconds as invalid (RFC 9111 §1.2.2)", () => {
  const cases: [string, number | "invalid" | undefined][] = [
    ["max-age=10", 10],
    ["max-age=0", 0],
    ["max-age", "invalid"],
    ["max-age=", "invalid"],
    ["max-age=-1", "invalid"],
    ["max-age=1.5", "invalid"],
    ["max-age=abc", "invalid"],
    ['max-age="12', "invalid"],
    ["max-age=1 2", "invalid"],
    ["public", undefined],
  ];
  for (const [value, expected] of cases) {
    assert.equal(
      parseCacheControl([value]).seconds("max-age"),
      expected,
      value,
    );
  }
});

Deno.test("parseCacheControl() caps huge delta-seconds at 2^31 (RFC 9111 §1.2.2)", () => {
  const cc = parseCacheControl(["max-age=99999999999999999999"]);
  assert.equal(cc.seconds("max-age"), 2147483648);
});

Deno.test("parseCacheControl() reads a repeated directive with different values as invalid (RFC 9111 §4.2.1)", () => {
  assert.equal(
    parseCacheControl(["max-age=5", "max-age=10"]).seconds("max-age"),
    "invalid",
  );
  assert.equal(
    parseCacheControl(["max-age=5, max-age=5"]).seconds("max-age"),
    5,
  );
});

Deno.test("parseCacheControl() keeps malformed elements as markers and never throws (RFC 9111 §5.2)", () => {
  const inputs = [
    "",
    ",,,",
    "=5",
    '"quoted"',
    "a b",
    'no-cache="unterminated',
    "max-age==5",
    "\u00ff",
  ];
  for (const input of inputs) {
    const cc = parseCacheControl([input]);
    assert.equal(cc.has("max-age") && cc.seconds("max-age") === 5, false);
  }
  const cc = parseCacheControl(["=5, public, a b"]);
  assert.equal(cc.has("public"), true);
  assert.deepEqual(cc.malformed, ["=5", "a b"]);
});

Deno.test("parseCacheControl() lists the field names of qualified no-cache and private (RFC 9111 §5.2.2.4, §5.2.2.7)", () => {
  const cc = parseCacheControl([
    'no-cache="Set-Cookie, X-Trace", private=X-Only, max-age=5',
  ]);
  assert.deepEqual(cc.fieldNames("no-cache"), ["set-cookie", "x-trace"]);
  assert.deepEqual(cc.fieldNames("private"), ["x-only"]);
  assert.equal(cc.has("x-trace"), false); // the comma inside quotes is not a list separator
  assert.equal(cc.seconds("max-age"), 5);
  assert.equal(
    parseCacheControl(["no-cache"]).fieldNames("no-cache"),
    undefined,
  );
  assert.equal(parseCacheControl(["public"]).fieldNames("no-cache"), undefined);
});

Deno.test("requestDirectives() reads Pragma: no-cache as no-cache when there is no Cache-Control (RFC 9111 §5.4)", () => {
  assert.equal(
    requestDirectives(fields(["Pragma", "no-cache"])).has("no-cache"),
    true,
  );
  assert.equal(
    requestDirectives(fields(["Pragma", "foo, No-Cache"])).has("no-cache"),
    true,
  );
  assert.equal(
    requestDirectives(fields(["Pragma", "foo"])).has("no-cache"),
    false,
  );
});

Deno.test("requestDirectives() ignores Pragma when Cache-Control is present (RFC 9111 §5.4)", () => {
  const req = fields(["Pragma", "no-cache"], ["Cache-Control", "max-age=30"]);
  const cc = requestDirectives(req);
  assert.equal(cc.has("no-cache"), false);
  assert.equal(cc.seconds("max-age"), 30);
});

Deno.test("parseCacheControl() gives no field names when an unqualified form is present or the list is empty (RFC 9111 §5.2.2.4, §5.2.2.7)", () => {
  assert.equal(
    parseCacheControl(['no-cache="X-A", no-cache']).fieldNames("no-cache"),
    undefined,
  );
  assert.equal(
    parseCacheControl(["private", 'private="X-A"']).fieldNames("private"),
    undefined,
  );
  assert.equal(
    parseCacheControl(['no-cache=""']).fieldNames("no-cache"),
    undefined,
  );
  assert.deepEqual(
    parseCacheControl(['no-cache="X-A"', "no-cache=X-B"]).fieldNames(
      "no-cache",
    ),
    ["x-a", "x-b"],
  );
});
