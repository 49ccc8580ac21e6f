import assert from "../helpers/assert.ts";
import {
  formatHttpDate,
  parseHttpDate,
  parseHttpDateLenient,
} from "../../http/dates.ts";

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

Deno.test("parseHttpDate() compares a two-digit year with the moment 50 years after now, not just the year (RFC 9110 §5.6.7)", () => {
  const now = Date.UTC(2026, 5, 1);
  assert.equal(
    parseHttpDate("Friday, 31-May-76 00:00:00 GMT", now),
    Date.UTC(2076, 4, 31),
  );
  assert.equal(
    parseHttpDate("Tuesday, 02-Jun-76 00:00:00 GMT", now),
    Date.UTC(1976, 5, 2),
  );
});

const lenient: [string, string, number][] = [
  ["an IMF-fixdate as sent", "Sun, 06 Nov 1994 08:49:37 GMT", NOV_6_1994],
  ["an IMF-fixdate in lowercase", "sun, 06 nov 1994 08:49:37 gmt", NOV_6_1994],
  ["an IMF-fixdate in uppercase", "SUN, 06 NOV 1994 08:49:37 GMT", NOV_6_1994],
  ["an IMF-fixdate in mixed case", "sUn, 06 nOV 1994 08:49:37 Gmt", NOV_6_1994],
  ["an rfc850-date in lowercase", "sunday, 06-nov-94 08:49:37 gmt", NOV_6_1994],
  ["an rfc850-date in uppercase", "SUNDAY, 06-NOV-94 08:49:37 GMT", NOV_6_1994],
  ["an asctime-date in lowercase", "sun nov  6 08:49:37 1994", NOV_6_1994],
  ["an asctime-date in uppercase", "SUN NOV  6 08:49:37 1994", NOV_6_1994],
];
for (const [what, input, expected] of lenient) {
  Deno.test(`parseHttpDateLenient() accepts ${what} (RFC 9111 §4.2, RFC 9110 §5.6.7)`, () => {
    assert.equal(parseHttpDateLenient(input, NOW_2026), expected);
  });
}

const stillInvalid: [string, string][] = [
  ["an empty value", ""],
  ["a number", "0"],
  ["another zone", "Sun, 06 Nov 1994 08:49:37 UTC"],
  ["a numeric offset", "Sun, 06 Nov 1994 08:49:37 +0000"],
  ["an unknown month in any case", "sun, 06 foo 1994 08:49:37 gmt"],
  ["a one-digit day", "sun, 6 nov 1994 08:49:37 gmt"],
  ["a short day name in an rfc850-date", "Sun, 06-Nov-94 08:49:37 GMT"],
  ["a missing comma", "Sun 06 Nov 1994 08:49:37 GMT"],
  ["two spaces between fields", "Sun,  06 Nov 1994 08:49:37 GMT"],
  ["trailing garbage", "Sun, 06 Nov 1994 08:49:37 GMT x"],
  ["an ISO 8601 date", "1994-11-06T08:49:37Z"],
  ["31 Feb", "mon, 31 feb 2020 00:00:00 gmt"],
];
for (const [what, input] of stillInvalid) {
  Deno.test(`parseHttpDateLenient() returns undefined when given ${what} (RFC 9110 §5.6.7)`, () => {
    assert.equal(parseHttpDateLenient(input, NOW_2026), undefined);
  });
}

Deno.test("parseHttpDateLenient() reads a two-digit year more than 50 years after now as the past century (RFC 9110 §5.6.7)", () => {
  const now = Date.UTC(2026, 5, 1);
  const rows: [string, number][] = [
    ["thursday, 01-jan-76 00:00:00 gmt", Date.UTC(2076, 0, 1)],
    ["saturday, 01-jan-77 00:00:00 gmt", Date.UTC(1977, 0, 1)],
    ["monday, 01-jan-99 00:00:00 gmt", Date.UTC(1999, 0, 1)],
    ["friday, 01-jan-27 00:00:00 gmt", Date.UTC(2027, 0, 1)],
    ["saturday, 01-jan-00 00:00:00 gmt", Date.UTC(2000, 0, 1)],
  ];
  for (const [input, expected] of rows) {
    assert.equal(parseHttpDateLenient(input, now), expected, input);
  }
  const later = Date.UTC(2090, 0, 1);
  assert.equal(
    parseHttpDateLenient("Tuesday, 01-Jan-10 00:00:00 GMT", later),
    Date.UTC(2110, 0, 1),
  );
  assert.equal(
    parseHttpDateLenient("Wednesday, 01-Jan-50 00:00:00 GMT", later),
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
