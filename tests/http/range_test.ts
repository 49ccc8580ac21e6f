import assert from "../helpers/assert.ts";
import {
  contentRange,
  parseContentRange,
  parseRange,
  type RangeRequest,
  unsatisfiedRange,
} from "../../http/range.ts";

const NONE: RangeRequest = { kind: "none" };
const UNSAT: RangeRequest = { kind: "unsatisfiable" };
const single = (start: number, end: number): RangeRequest => ({
  kind: "single",
  start,
  end,
});

/** [name, value, size, expected] */
// deno-fmt-ignore
const CASES: [string, string | undefined, number, RangeRequest][] = [
  ["is none when the field is absent", undefined, 10000, NONE],
  ["reads the first 500 bytes (RFC 9110 §14.1.2)", "bytes=0-499", 10000, single(0, 499)],
  ["reads the second 500 bytes (RFC 9110 §14.1.2)", "bytes=500-999", 10000, single(500, 999)],
  ["reads a suffix range (RFC 9110 §14.1.2)", "bytes=-500", 10000, single(9500, 9999)],
  ["reads an open range to the end (RFC 9110 §14.1.2)", "bytes=9500-", 10000, single(9500, 9999)],
  ["reads one byte (RFC 9110 §14.1.2)", "bytes=0-0", 10000, single(0, 0)],
  ["reads the last byte (RFC 9110 §14.1.2)", "bytes=-1", 10000, single(9999, 9999)],
  ["clamps a last-pos past the end (RFC 9110 §14.1.2)", "bytes=0-99999", 10000, single(0, 9999)],
  ["takes the whole for a suffix longer than the size (RFC 9110 §14.1.2)", "bytes=-20000", 10000, single(0, 9999)],
  ["clamps a huge last-pos (RFC 9110 §14.1.2)", "bytes=5-99999999999999999999999", 10, single(5, 9)],
  ["is unsatisfiable when first-pos is the size (RFC 9110 §14.1.1)", "bytes=10000-", 10000, UNSAT],
  ["is unsatisfiable when first-pos is past the size (RFC 9110 §14.1.1)", "bytes=20000-20010", 10000, UNSAT],
  ["is unsatisfiable for a huge first-pos (RFC 9110 §14.1.1)", "bytes=99999999999999999999999-", 10, UNSAT],
  ["is unsatisfiable for a zero suffix-length (RFC 9110 §14.1.1)", "bytes=-0", 10000, UNSAT],
  ["is unsatisfiable when no range of a set overlaps (RFC 9110 §15.5.17)", "bytes=10000-,20000-", 10000, UNSAT],
  ["keeps the one satisfiable range of a set (RFC 9110 §14.2)", "bytes=0-0,10000-", 10000, single(0, 0)],
  ["is none for two satisfiable ranges (RFC 9110 §14.2: may send the whole)", "bytes=0-0,-1", 10000, NONE],
  ["is none for adjacent ranges (RFC 9110 §14.2)", "bytes=500-600,601-999", 10000, NONE],
  ["is none when last-pos is before first-pos (RFC 9110 §14.1.1)", "bytes=5-4", 10000, NONE],
  ["is none when one spec of a set is invalid (RFC 9110 §14.1.1)", "bytes=0-1,5-4", 10000, NONE],
  ["is none for another unit (RFC 9110 §14.1)", "items=0-1", 10000, NONE],
  ["accepts the unit in any case (RFC 9110 §14.1)", "BYTES=0-1", 10000, single(0, 1)],
  ["is none without '=' (RFC 9110 §14.1.1)", "bytes 0-1", 10000, NONE],
  ["is none for an empty range-set (RFC 9110 §14.1.1)", "bytes=", 10000, NONE],
  ["is none for letters (RFC 9110 §14.1.1)", "bytes=a-b", 10000, NONE],
  ["is none for a lone dash (RFC 9110 §14.1.1)", "bytes=-", 10000, NONE],
  ["is none for a signed number (RFC 9110 §14.1.1)", "bytes=+1-2", 10000, NONE],
  ["is none for a decimal (RFC 9110 §14.1.1)", "bytes=1.5-2", 10000, NONE],
  ["is none for two dashes (RFC 9110 §14.1.1)", "bytes=1-2-3", 10000, NONE],
  ["is none for a negative-looking suffix range (RFC 9110 §14.1.1)", "bytes=--1", 10000, NONE],
  ["tolerates spaces and empty list elements (RFC 9110 §5.6.1)", "bytes= 2-3 , ", 10000, single(2, 3)],
  ["is none for two Range fields joined (RFC 9110 §14.1.1)", "bytes=0-1, bytes=3-4", 10000, NONE],
  ["is unsatisfiable for any int range of an empty representation (RFC 9110 §14.1.1)", "bytes=0-", 0, UNSAT],
  ["is none for a suffix range of an empty representation (RFC 9110 §14.1.1)", "bytes=-5", 0, NONE],
];

for (const [name, value, size, expected] of CASES) {
  Deno.test(`parseRange() ${name}`, () => {
    assert.deepEqual(parseRange(value, size), expected);
  });
}

Deno.test("parseRange() is none when there are more than 100 range-specs (RFC 9110 §14.2)", () => {
  const past = (n: number) => Array.from({ length: n }, () => "20-").join(",");
  assert.deepEqual(parseRange(`bytes=0-0,${past(99)}`, 10), single(0, 0));
  assert.deepEqual(parseRange(`bytes=0-0,${past(100)}`, 10), NONE);
});

Deno.test("contentRange() formats a satisfied range, its complete length known or not (RFC 9110 §14.4)", () => {
  assert.equal(contentRange(0, 499, 1234), "bytes 0-499/1234");
  assert.equal(contentRange(5, 9, null), "bytes 5-9/*");
});

Deno.test("unsatisfiedRange() formats the 416 form (RFC 9110 §14.4)", () => {
  assert.equal(unsatisfiedRange(1234), "bytes */1234");
});

Deno.test("parseContentRange() reads a part's range and complete length, known or not (RFC 9110 §14.4)", () => {
  assert.deepEqual(parseContentRange("bytes 0-499/1234"), {
    start: 0,
    end: 499,
    length: 1234,
  });
  assert.deepEqual(parseContentRange(" bytes 500-999/* "), {
    start: 500,
    end: 999,
    length: null,
  });
  for (
    const invalid of [
      undefined,
      "bytes */1234",
      "items 0-1/2",
      "bytes 5-4/10",
      "bytes 0-10/10",
      "bytes 0-1/0",
      "bytes=0-1/2",
      "bytes 0-1",
      "bytes -1-2/3",
      "bytes 0-99999999999999999999/*",
    ]
  ) {
    assert.equal(parseContentRange(invalid), undefined, String(invalid));
  }
});
