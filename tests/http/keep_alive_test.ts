import assert from "../helpers/assert.ts";
import { FieldList } from "../../http/headers.ts";
import { type KeepAliveHint, parseKeepAlive } from "../../http/keep_alive.ts";

// deno-fmt-ignore
const CASES: [string, string[], KeepAliveHint][] = [
  ["no field", [], {}],
  ["Node.js's default", ["timeout=5"], { timeoutSeconds: 5 }],
  ["timeout and max", ["timeout=5, max=100"], { timeoutSeconds: 5, max: 100 }],
  ["Apache's spelling", ["timeout=5, max=99"], { timeoutSeconds: 5, max: 99 }],
  ["any case and spaces around =", ["Timeout = 7 ,MAX=3"], { timeoutSeconds: 7, max: 3 }],
  ["quoted values", ['timeout="4", max="2"'], { timeoutSeconds: 4, max: 2 }],
  ["zero", ["timeout=0, max=0"], { timeoutSeconds: 0, max: 0 }],
  ["the smallest of repeated values", ["timeout=9, timeout=3", "timeout=5"], { timeoutSeconds: 3 }],
  ["unknown parameters ignored", ["foo=1, timeout=2, bar"], { timeoutSeconds: 2 }],
  ["negative, decimal and empty values ignored", ["timeout=-1, timeout=1.5, max="], {}],
  ["a bare word ignored", ["timeout"], {}],
  ["a value too large ignored", ["timeout=99999999999999999999"], {}],
];

for (const [what, values, expected] of CASES) {
  Deno.test(`parseKeepAlive() reads ${what}`, () => {
    const fields = new FieldList(values.map((v) => ["Keep-Alive", v]));
    assert.deepEqual(parseKeepAlive(fields), expected);
  });
}
