import assert from "../helpers/assert.ts";
import { formatHttpDate, parseHttpDate } from "../../http/dates.ts";

const NOV_6_1994 = Date.UTC(1994, 10, 6, 8, 49, 37);
const NOW_2026 = Date.UTC(2026, 0, 1);

const valid: [string, string, number][] = [
  ["IMF-fixdate", "Sun, 06 Nov 1994 08:49:37 GMT", NOV_6_1994],
  ["rfc850-date", "Sunday, 06-Nov-94 08:49:37 GMT", NOV_6_1994],
  ["asctime-date", "Sun Nov  6 08:49:37 1994", NOV_6_1994],
  [
    "asctime-date with two-digit day",
    "Thu Nov 10 08:49:37 1994",
    Date.UTC(1994, 10, 10, 8, 49, 37),
  ],
  [
    "IMF-fixdate with surrounding OWS",
    "  Sun, 06 Nov 1994 08:49:37 GMT ",
    NOV_6_1994,
  ],
  [
    "IMF-fixdate on 29 Feb of a leap year",
    "Thu, 29 Feb 2024 00:00:00 GMT",
    Date.UTC(2024, 1, 29),
  ],
  [
    "IMF-fixdate with a leap second",
    "Wed, 31 Dec 2008 23:59:60 GMT",
    Date.UTC(2008, 11, 31, 23, 59, 59),
  ],
  ["IMF-fixdate at the epoch", "Thu, 01 Jan 1970 00:00:00 GMT", 0],
];
for (const [what, input, expected] of valid) {
  Deno.test(`parseHttpDate() accepts an ${what} (RFC 9110 §5.6.7)`, () => {
    assert.equal(parseHttpDate(input, NOW_2026), expected);
  });
}

const invalid: [string, string][] = [
  ["an empty value", ""],
  ["a number", "1234567890"],
  ["a lowercase month", "Sun, 06 nov 1994 08:49:37 GMT"],
  ["an unknown month", "Sun, 06 Foo 1994 08:49:37 GMT"],
  ["a lowercase GMT", "Sun, 06 Nov 1994 08:49:37 gmt"],
  ["another zone", "Sun, 06 Nov 1994 08:49:37 UTC"],
  ["a numeric offset", "Sun, 06 Nov 1994 08:49:37 +0000"],
  ["a one-digit day", "Sun, 6 Nov 1994 08:49:37 GMT"],
  ["31 Feb", "Mon, 31 Feb 2020 00:00:00 GMT"],
  ["29 Feb of a common year", "Tue, 29 Feb 2022 00:00:00 GMT"],
  ["day 0", "Sun, 00 Nov 1994 08:49:37 GMT"],
  ["hour 24", "Sun, 06 Nov 1994 24:00:00 GMT"],
  ["minute 60", "Sun, 06 Nov 1994 08:60:00 GMT"],
  ["second 61", "Sun, 06 Nov 1994 08:49:61 GMT"],
  ["a missing comma", "Sun 06 Nov 1994 08:49:37 GMT"],
  ["trailing garbage", "Sun, 06 Nov 1994 08:49:37 GMT x"],
  ["an ISO 8601 date", "1994-11-06T08:49:37Z"],
  ["an rfc850 date with a four-digit year", "Sunday, 06-Nov-1994 08:49:37 GMT"],
];
for (const [what, input] of invalid) {
  Deno.test(`parseHttpDate() returns undefined when given ${what} (RFC 9110 §5.6.7)`, () => {
    assert.equal(parseHttpDate(input, NOW_2026), undefined);
  });
}

Deno.test("parseHttpDate() reads a two-digit year more than 50 years ahead as the past century (RFC 9110 §5.6.7)", () => {
  const now = Date.UTC(2026, 5, 1);
  assert.equal(
    parseHttpDate("Thursday, 01-Jan-76 00:00:00 GMT", now),
    Date.UTC(2076, 0, 1),
  );
  assert.equal(
    parseHttpDate("Saturday, 01-Jan-77 00:00:00 GMT", now),
    Date.UTC(1977, 0, 1),
  );
  assert.equal(
    parseHttpDate("Tuesday, 01-Jan-30 00:00:00 GMT", now),
    Date.UTC(2030, 0, 1),
  );
});

Deno.test("parseHttpDate() reads a two-digit year into the next century when that is the nearer reading (RFC 9110 §5.6.7)", () => {
  const now = Date.UTC(2090, 0, 1);
  assert.equal(
    parseHttpDate("Tuesday, 01-Jan-10 00:00:00 GMT", now),
    Date.UTC(2110, 0, 1),
  );
  assert.equal(
    parseHttpDate("Wednesday, 01-Jan-50 00:00:00 GMT", now),
    Date.UTC(2050, 0, 1),
  );
});

Deno.test("parseHttpDate() keeps a four-digit year below 100 as written", () => {
  const ms = parseHttpDate("Sat, 01 Jan 0050 00:00:00 GMT", NOW_2026);
  assert.notEqual(ms, undefined);
  assert.equal(new Date(ms!).getUTCFullYear(), 50);
});

Deno.test("formatHttpDate() writes an IMF-fixdate (RFC 9110 §5.6.7)", () => {
  assert.equal(formatHttpDate(NOV_6_1994), "Sun, 06 Nov 1994 08:49:37 GMT");
  assert.equal(formatHttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
});

Deno.test("formatHttpDate() truncates milliseconds to the second", () => {
  assert.equal(
    formatHttpDate(NOV_6_1994 + 999),
    "Sun, 06 Nov 1994 08:49:37 GMT",
  );
  assert.equal(
    formatHttpDate(NOV_6_1994 + 1000),
    "Sun, 06 Nov 1994 08:49:38 GMT",
  );
});

Deno.test("formatHttpDate() and parseHttpDate() round-trip whole seconds", () => {
  for (
    let ms = Date.UTC(1999, 11, 31, 23, 59, 58);
    ms < Date.UTC(2000, 0, 2);
    ms += 3607_000
  ) {
    assert.equal(parseHttpDate(formatHttpDate(ms)), ms);
  }
});
