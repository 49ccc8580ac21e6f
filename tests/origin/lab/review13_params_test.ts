/**
 * Review 13 (hostile input): the lab's parameters and script files must
 * refuse what is ambiguous or of the wrong type with one line, never pick
 * a value silently. Pure tests of origin/lab/fields.ts and script.ts.
 */

import assert from "../../helpers/assert.ts";
import { parseLabParams } from "../../../origin/lab/fields.ts";
import { parseLabScript } from "../../../origin/lab/script.ts";

Deno.test("parseLabParams() refuses a reserved parameter given twice when its values differ", () => {
  for (
    const query of [
      "status=200&status=500",
      "status=500&status=200",
      "fail-after=0&fail-after=5",
      "close-after=0&close-after=5",
    ]
  ) {
    const result = parseLabParams(query);
    assert.equal(result.kind, "bad", query);
  }
});

Deno.test("parseLabScript() refuses null for status, body and delay (a wrong type, not the default)", () => {
  for (const key of ["status", "body", "delay"]) {
    const text = JSON.stringify({
      rules: [{ path: "/a", responses: [{ [key]: null }] }],
    });
    const result = parseLabScript(text);
    assert.equal(result.kind, "bad", key);
  }
});

Deno.test("parseLabScript() gives a one-line reason when a field name with a line feed has a value of the wrong type", () => {
  const text = JSON.stringify({
    rules: [{ path: "/a", responses: [{ fields: { "X\nY": 5 } }] }],
  });
  const result = parseLabScript(text);
  assert.equal(result.kind, "bad");
  if (result.kind === "bad") {
    assert.ok(!/[\r\n]/.test(result.reason), JSON.stringify(result.reason));
  }
});

Deno.test("parseLabScript() refuses a rule path with a control character, which no request-target can hold", () => {
  const text = JSON.stringify({
    rules: [{ path: "/a\u0000b", responses: [{}] }],
  });
  assert.equal(parseLabScript(text).kind, "bad");
});
