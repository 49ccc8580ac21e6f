import assert from "../helpers/assert.ts";
import { FieldList } from "../../http/headers.ts";
import { ageFieldValue, relayedAge } from "../../cache/age.ts";

Deno.test("ageFieldValue() sends whole seconds, at most 2147483648, when the age passes 2^31 (RFC 9111 §5.1)", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [-3, "0"],
    [12.9, "12"],
    [2147483647, "2147483647"],
    [2147483648, "2147483648"],
    [2147483649, "2147483648"],
    [99999999999 + 10, "2147483648"],
  ];
  for (const [age, sent] of cases) {
    assert.equal(ageFieldValue(age), sent, `${age}`);
  }
});

Deno.test("relayedAge() sends a received Age past 2^31 as 2147483648 and leaves any other Age as received (RFC 9111 §5.1)", () => {
  const cases: [string[], string[]][] = [
    [["99999999999"], ["2147483648"]],
    [["2147483649"], ["2147483648"]],
    [["2147483648"], ["2147483648"]],
    [["60"], ["60"]],
    [["abc"], ["abc"]], // invalid: not ours to fix
    [[], []],
  ];
  for (const [received, sent] of cases) {
    const fields = new FieldList(received.map((v) => ["Age", v]));
    relayedAge(fields);
    assert.deepEqual(fields.getAll("age"), sent, received.join());
  }
});
