import assert from "../helpers/assert.ts";
import {
  parseSfDictionary,
  type SfValue,
} from "../../cache/structured_fields.ts";

Deno.test("parseSfDictionary() gives each member its Structured Field type (RFC 9651 §3.2, §3.3)", () => {
  const got = parseSfDictionary([
    'a=1, b=2.5, c="x, y", d=tok, e, f=?0, g=(1 2), h=:AQI=:, i=10.0;p=1',
  ]);
  const expected: [string, SfValue][] = [
    ["a", { type: "integer", value: 1 }],
    ["b", { type: "decimal", value: 2.5 }],
    ["c", { type: "string", value: "x, y" }],
    ["d", { type: "token", value: "tok" }],
    ["e", { type: "boolean", value: true }],
    ["f", { type: "boolean", value: false }],
    ["g", { type: "inner-list" }],
    ["h", { type: "other" }],
    ["i", { type: "decimal", value: 10 }],
  ];
  assert.deepEqual(got && [...got], expected);
});

Deno.test("parseSfDictionary() combines field lines with commas and keeps a duplicate key's last value (RFC 9651 §3.2, §4.2)", () => {
  const got = parseSfDictionary(["max-age=1.5", "max-age=60, no-store"]);
  assert.deepEqual(got && [...got], [
    ["max-age", { type: "integer", value: 60 }],
    ["no-store", { type: "boolean", value: true }],
  ]);
  const back = parseSfDictionary(["max-age=60", "max-age=1.5"]);
  assert.deepEqual(back && [...back], [
    ["max-age", { type: "decimal", value: 1.5 }],
  ]);
});

Deno.test("parseSfDictionary() returns undefined when the value is not a Dictionary (RFC 9651 §4.2)", () => {
  const rows: string[] = [
    "max-age=10000, &&&&&",
    "MAX-AGE=60",
    "max-age=60,",
    'max-age="60',
    "max-age=1234567890123456",
    "a=1 b=2",
    "max-age = 60",
  ];
  for (const row of rows) {
    assert.equal(parseSfDictionary([row]), undefined, row);
  }
});

Deno.test("parseSfDictionary() gives an empty map for an empty field (RFC 9651 §4.2)", () => {
  assert.equal(parseSfDictionary([])?.size, 0);
  assert.equal(parseSfDictionary(["", "  "])?.size, 0);
});
