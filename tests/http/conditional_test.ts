import assert from "../helpers/assert.ts";
import {
  evaluatePreconditions,
  ifRangeAllows,
  parseEntityTag,
  parseEntityTags,
  type PreconditionResult,
  strongMatch,
  type Validators,
  weakMatch,
} from "../../http/conditional.ts";
import { formatHttpDate } from "../../http/dates.ts";
import { type Field, FieldList } from "../../http/headers.ts";

/** The representation's mtime: 500 ms into a second, to catch a missing truncation. */
const MODIFIED = Date.UTC(2024, 0, 2, 3, 4, 5) + 500;
const MODIFIED_DATE = formatHttpDate(MODIFIED); // the second of MODIFIED
const SECOND_BEFORE = formatHttpDate(MODIFIED - 1000);
const SECOND_AFTER = formatHttpDate(MODIFIED + 1000);
const CURRENT: Validators = {
  etag: '"abc"',
  lastModified: MODIFIED,
  date: MODIFIED + 60_000,
};

Deno.test("parseEntityTags() reads a list of strong and weak tags (RFC 9110 §8.8.3)", () => {
  assert.deepEqual(parseEntityTags(' "a", W/"b" ,"c,d"'), {
    kind: "tags",
    tags: [
      { weak: false, opaque: '"a"' },
      { weak: true, opaque: '"b"' },
      { weak: false, opaque: '"c,d"' },
    ],
  });
});

Deno.test("parseEntityTags() reads '*' as any (RFC 9110 §13.1.1)", () => {
  assert.deepEqual(parseEntityTags(" * "), { kind: "any" });
});

Deno.test("parseEntityTags() drops elements that are not entity-tags (RFC 9110 §8.8.3)", () => {
  assert.deepEqual(parseEntityTags('abc, w/"x", "ok", "open, *'), {
    kind: "tags",
    tags: [{ weak: false, opaque: '"ok"' }],
  });
});

Deno.test("parseEntityTag() rejects what is not exactly one entity-tag (RFC 9110 §8.8.3)", () => {
  assert.deepEqual(parseEntityTag(' W/"x" '), { weak: true, opaque: '"x"' });
  assert.equal(parseEntityTag('"a" "b"'), undefined);
  assert.equal(parseEntityTag('"a"b'), undefined);
  assert.equal(parseEntityTag("abc"), undefined);
  assert.equal(parseEntityTag('"a\x01"'), undefined);
  assert.equal(parseEntityTag('"a'), undefined);
});

/** RFC 9110 §8.8.3.2 example table: [a, b, strong, weak]. */
// deno-fmt-ignore
const COMPARISONS: [string, string, boolean, boolean][] = [
  ['W/"1"', 'W/"1"', false, true],
  ['W/"1"', 'W/"2"', false, false],
  ['W/"1"', '"1"', false, true],
  ['"1"', '"1"', true, true],
];
for (const [a, b, strong, weak] of COMPARISONS) {
  Deno.test(`strongMatch() and weakMatch() compare ${a} with ${b} as the RFC 9110 §8.8.3.2 table says`, () => {
    const ta = parseEntityTag(a)!;
    const tb = parseEntityTag(b)!;
    assert.equal(strongMatch(ta, tb), strong);
    assert.equal(weakMatch(ta, tb), weak);
  });
}

/** [name, method, request fields, validators, expected] */
// deno-fmt-ignore
const PRECONDITIONS: [string, string, Field[], Validators, PreconditionResult][] = [
  ["proceeds without conditional fields (RFC 9110 §13.2.2 step 6)", "GET", [], CURRENT, "proceed"],
  ["proceeds when If-Match matches strongly (RFC 9110 §13.1.1)", "GET", [["If-Match", '"abc"']], CURRENT, "proceed"],
  ["proceeds when any If-Match member matches (RFC 9110 §13.1.1)", "GET", [["If-Match", '"x", "abc"']], CURRENT, "proceed"],
  ["is 412 when If-Match does not match (RFC 9110 §13.2.2 step 1)", "GET", [["If-Match", '"xyz"']], CURRENT, "412"],
  ["is 412 when If-Match matches only weakly (RFC 9110 §13.1.1)", "GET", [["If-Match", 'W/"abc"']], CURRENT, "412"],
  ["is 412 when If-Match holds a strong tag and the current one is weak (RFC 9110 §13.1.1)", "GET", [["If-Match", '"abc"']], { ...CURRENT, etag: 'W/"abc"' }, "412"],
  ["proceeds when If-Match is * and a representation exists (RFC 9110 §13.1.1)", "GET", [["If-Match", "*"]], {}, "proceed"],
  ["is 412 when If-Match names a tag and there is no ETag (RFC 9110 §13.1.1)", "GET", [["If-Match", '"abc"']], { lastModified: MODIFIED }, "412"],
  ["is 412 when If-Match is not an entity-tag (RFC 9110 §13.1.1)", "GET", [["If-Match", "abc"]], CURRENT, "412"],
  ["combines two If-Match fields (RFC 9110 §5.3)", "PUT", [["If-Match", '"x"'], ["If-Match", '"abc"']], CURRENT, "proceed"],
  ["proceeds when If-Unmodified-Since is the modification second (RFC 9110 §13.1.4)", "GET", [["If-Unmodified-Since", MODIFIED_DATE]], CURRENT, "proceed"],
  ["is 412 when modified after If-Unmodified-Since (RFC 9110 §13.2.2 step 2)", "GET", [["If-Unmodified-Since", SECOND_BEFORE]], CURRENT, "412"],
  ["ignores an invalid If-Unmodified-Since (RFC 9110 §13.1.4)", "GET", [["If-Unmodified-Since", "yesterday"]], CURRENT, "proceed"],
  ["ignores If-Unmodified-Since without a modification date (RFC 9110 §13.1.4)", "GET", [["If-Unmodified-Since", SECOND_BEFORE]], { etag: '"abc"' }, "proceed"],
  ["ignores If-Unmodified-Since when If-Match is present (RFC 9110 §13.1.4)", "GET", [["If-Match", '"abc"'], ["If-Unmodified-Since", SECOND_BEFORE]], CURRENT, "proceed"],
  ["ignores two If-Unmodified-Since fields (RFC 9110 §13.1.4)", "GET", [["If-Unmodified-Since", SECOND_BEFORE], ["If-Unmodified-Since", SECOND_BEFORE]], CURRENT, "proceed"],
  ["is 304 for GET when If-None-Match matches (RFC 9110 §13.2.2 step 3)", "GET", [["If-None-Match", '"abc"']], CURRENT, "304"],
  ["is 304 for HEAD when If-None-Match matches (RFC 9110 §13.2.2 step 3)", "HEAD", [["If-None-Match", '"abc"']], CURRENT, "304"],
  ["is 412 for POST when If-None-Match matches (RFC 9110 §13.2.2 step 3)", "POST", [["If-None-Match", '"abc"']], CURRENT, "412"],
  ["is 304 when If-None-Match matches weakly (RFC 9110 §13.1.2)", "GET", [["If-None-Match", 'W/"abc"']], CURRENT, "304"],
  ["is 304 when a weak current ETag matches (RFC 9110 §13.1.2)", "GET", [["If-None-Match", '"abc"']], { ...CURRENT, etag: 'W/"abc"' }, "304"],
  ["is 304 when If-None-Match is * and a representation exists (RFC 9110 §13.1.2)", "GET", [["If-None-Match", "*"]], CURRENT, "304"],
  ["proceeds when If-None-Match does not match (RFC 9110 §13.1.2)", "GET", [["If-None-Match", '"x", W/"y"']], CURRENT, "proceed"],
  ["proceeds when If-None-Match names tags and there is no ETag (RFC 9110 §13.1.2)", "GET", [["If-None-Match", '"abc"']], { lastModified: MODIFIED }, "proceed"],
  ["ignores If-Modified-Since when If-None-Match is present (RFC 9110 §13.1.3)", "GET", [["If-None-Match", '"x"'], ["If-Modified-Since", SECOND_AFTER]], CURRENT, "proceed"],
  ["is 304 for GET when not modified since the modification second (RFC 9110 §13.2.2 step 4)", "GET", [["If-Modified-Since", MODIFIED_DATE]], CURRENT, "304"],
  ["is 304 for HEAD when not modified since (RFC 9110 §13.2.2 step 4)", "HEAD", [["If-Modified-Since", MODIFIED_DATE]], CURRENT, "304"],
  ["is 304 for a later If-Modified-Since (RFC 9110 §13.1.3)", "GET", [["If-Modified-Since", SECOND_AFTER]], CURRENT, "304"],
  ["proceeds when modified after If-Modified-Since (RFC 9110 §13.1.3)", "GET", [["If-Modified-Since", SECOND_BEFORE]], CURRENT, "proceed"],
  ["ignores If-Modified-Since for POST (RFC 9110 §13.1.3)", "POST", [["If-Modified-Since", SECOND_AFTER]], CURRENT, "proceed"],
  ["ignores an invalid If-Modified-Since (RFC 9110 §13.1.3)", "GET", [["If-Modified-Since", "0"]], CURRENT, "proceed"],
  ["ignores two If-Modified-Since fields (RFC 9110 §13.1.3)", "GET", [["If-Modified-Since", SECOND_AFTER], ["If-Modified-Since", SECOND_AFTER]], CURRENT, "proceed"],
  ["ignores If-Modified-Since without a modification date (RFC 9110 §13.1.3)", "GET", [["If-Modified-Since", SECOND_AFTER]], { etag: '"abc"' }, "proceed"],
  ["accepts an obsolete date form in If-Modified-Since (RFC 9110 §5.6.7)", "GET", [["If-Modified-Since", "Tue Jan  2 03:04:05 2024"]], CURRENT, "304"],
  ["checks If-Match before If-None-Match (RFC 9110 §13.2.2)", "GET", [["If-Match", '"x"'], ["If-None-Match", '"abc"']], CURRENT, "412"],
  ["checks If-Unmodified-Since before If-None-Match (RFC 9110 §13.2.2)", "GET", [["If-Unmodified-Since", SECOND_BEFORE], ["If-None-Match", '"abc"']], CURRENT, "412"],
  ["checks If-Unmodified-Since before If-Modified-Since (RFC 9110 §13.2.2)", "GET", [["If-Unmodified-Since", SECOND_BEFORE], ["If-Modified-Since", SECOND_AFTER]], CURRENT, "412"],
];

for (const [name, method, fields, validators, expected] of PRECONDITIONS) {
  Deno.test(`evaluatePreconditions() ${name}`, () => {
    assert.equal(
      evaluatePreconditions(method, new FieldList(fields), validators),
      expected,
    );
  });
}

/** [name, request fields, validators, expected] */
// deno-fmt-ignore
const IF_RANGE: [string, Field[], Validators, boolean][] = [
  ["allows the range without If-Range (RFC 9110 §13.2.2 step 5)", [], CURRENT, true],
  ["allows the range when the entity-tag matches strongly (RFC 9110 §13.1.5)", [["If-Range", '"abc"']], CURRENT, true],
  ["refuses the range when the entity-tag differs (RFC 9110 §13.1.5)", [["If-Range", '"xyz"']], CURRENT, false],
  ["refuses the range for a weak entity-tag (RFC 9110 §13.1.5)", [["If-Range", 'W/"abc"']], CURRENT, false],
  ["refuses the range when the current ETag is weak (RFC 9110 §13.1.5)", [["If-Range", '"abc"']], { ...CURRENT, etag: 'W/"abc"' }, false],
  ["refuses the range for an entity-tag when there is no ETag (RFC 9110 §13.1.5)", [["If-Range", '"abc"']], { lastModified: MODIFIED }, false],
  ["allows the range when the date is exactly Last-Modified and strong (RFC 9110 §13.1.5)", [["If-Range", MODIFIED_DATE]], CURRENT, true],
  ["refuses the range for a later date (RFC 9110 §13.1.5: exact match only)", [["If-Range", SECOND_AFTER]], CURRENT, false],
  ["refuses the range for an earlier date (RFC 9110 §13.1.5)", [["If-Range", SECOND_BEFORE]], CURRENT, false],
  ["refuses the range when Last-Modified is within the second of Date (RFC 9110 §8.8.2.2)", [["If-Range", MODIFIED_DATE]], { ...CURRENT, date: MODIFIED + 400 }, false],
  ["refuses the range for a date when the Date is unknown (RFC 9110 §8.8.2.2)", [["If-Range", MODIFIED_DATE]], { etag: '"abc"', lastModified: MODIFIED }, false],
  ["refuses the range for a date when there is no Last-Modified (RFC 9110 §13.1.5)", [["If-Range", MODIFIED_DATE]], { etag: '"abc"', date: MODIFIED + 60_000 }, false],
  ["refuses the range for a value that is neither (RFC 9110 §13.1.5)", [["If-Range", "abc"]], CURRENT, false],
  ["refuses the range for two If-Range fields (RFC 9110 §13.1.5)", [["If-Range", '"abc"'], ["If-Range", '"abc"']], CURRENT, false],
];

for (const [name, fields, validators, expected] of IF_RANGE) {
  Deno.test(`ifRangeAllows() ${name}`, () => {
    assert.equal(ifRangeAllows(new FieldList(fields), validators), expected);
  });
}
