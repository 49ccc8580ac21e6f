import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  decide,
  freshen,
  headResponseMatches,
  notModifiedMatches,
} from "../../cache/policy.ts";
import { at, dateAt, fields, stored } from "./policy_fixtures.ts";

const LM = dateAt(-3600);

Deno.test("freshen() replaces stored fields with the 304's and recomputes the times (RFC 9111 §4.3.4)", () => {
  const e = stored({
    headers: [
      ["Date", dateAt(0)],
      ["Cache-Control", "no-cache"],
      ["Content-Type", "text/plain"],
      ["Last-Modified", LM],
      ["X-Old", "1"],
    ],
  });
  const notModified = fields(["Date", dateAt(100)], [
    "Cache-Control",
    "max-age=60",
  ], ["X-New", "2"]);
  const next = freshen(e, notModified, at(99), at(100));
  assert.deepEqual(next.headers, [
    ["Date", dateAt(100)],
    ["Cache-Control", "max-age=60"],
    ["Content-Type", "text/plain"],
    ["Last-Modified", LM],
    ["X-Old", "1"],
    ["X-New", "2"],
  ]);
  assert.equal(next.requestTime, at(99));
  assert.equal(next.responseTime, at(100));
  assert.equal(next.correctedInitialAge, 1); // response_delay 1 s
  assert.equal(next.freshUntil, at(100 + 60 - 1));
  assert.equal(next.keepUntil, null);
  assert.equal(e.responseTime, at(0)); // the input is not modified
});

Deno.test("freshen() keeps Content-Length and body-describing fields and drops hop-by-hop ones (RFC 9111 §3.1, §3.2)", () => {
  const e = stored({
    headers: [["Content-Length", "5"], ["Content-Encoding", "gzip"], [
      "ETag",
      '"a"',
    ]],
  });
  const notModified = fields(
    ["Content-Length", "0"],
    ["Content-Encoding", "br"],
    ["Connection", "X-Hop"],
    ["X-Hop", "1"],
    ["Keep-Alive", "timeout=5"],
    ["ETag", '"a"'],
    ["Date", dateAt(10)],
  );
  const next = freshen(e, notModified, at(10), at(10));
  assert.deepEqual(next.headers, [
    ["Content-Length", "5"],
    ["Content-Encoding", "gzip"],
    ["ETag", '"a"'],
    ["Date", dateAt(10)],
  ]);
});

Deno.test("freshen() drops the stored Age and supplies a Date when the 304 has none (RFC 9111 §4.3.4, RFC 9110 §6.6.1)", () => {
  const e = stored({
    headers: [["Date", dateAt(-500)], ["Age", "400"], [
      "Cache-Control",
      "max-age=600",
    ], ["ETag", '"a"']],
  });
  const next = freshen(e, fields(["ETag", '"a"']), at(1000), at(1000));
  assert.deepEqual(next.headers, [["Date", dateAt(1000)], [
    "Cache-Control",
    "max-age=600",
  ], ["ETag", '"a"']]);
  assert.equal(next.correctedInitialAge, 0);
  assert.equal(next.freshUntil, at(1600));
  const withAge = freshen(
    e,
    fields(["Age", "20"], ["Date", dateAt(1000)]),
    at(1000),
    at(1000),
  );
  assert.equal(withAge.correctedInitialAge, 20);
});

Deno.test("freshen() turns the assignment's revalidation into a stored response that is revalidated again (RFC 9111 §4.3.4, §5.2.2.4)", () => {
  const e = stored({
    headers: [["Date", dateAt(0)], ["Cache-Control", "no-cache"], [
      "Last-Modified",
      LM,
    ]],
  });
  const next = freshen(
    e,
    fields(["Date", dateAt(30)], ["Last-Modified", LM]),
    at(30),
    at(30),
  );
  const d = decide("GET", fields(), [next], at(31));
  assert.equal(d.kind, "revalidate");
  assert.deepEqual(d.kind === "revalidate" && d.conditional, [[
    "If-Modified-Since",
    LM,
  ]]);
});

Deno.test("notModifiedMatches() identifies the stored entry by the 304's validators (RFC 9111 §4.3.4)", () => {
  const cases: {
    name: string;
    stored: Field[];
    got: Field[];
    match: boolean;
  }[] = [
    {
      name: "same strong ETag",
      stored: [["ETag", '"a"']],
      got: [["ETag", '"a"']],
      match: true,
    },
    {
      name: "other ETag",
      stored: [["ETag", '"a"']],
      got: [["ETag", '"b"']],
      match: false,
    },
    {
      name: "strong vs stored weak",
      stored: [["ETag", 'W/"a"']],
      got: [["ETag", '"a"']],
      match: false,
    },
    {
      name: "weak vs stored strong",
      stored: [["ETag", '"a"']],
      got: [["ETag", 'W/"a"']],
      match: true,
    },
    {
      name: "weak vs weak",
      stored: [["ETag", 'W/"a"']],
      got: [["ETag", 'W/"a"']],
      match: true,
    },
    {
      name: "ETag but none stored",
      stored: [["Last-Modified", LM]],
      got: [["ETag", '"a"']],
      match: false,
    },
    {
      name: "same Last-Modified",
      stored: [["Last-Modified", LM]],
      got: [["Last-Modified", LM]],
      match: true,
    },
    {
      name: "newer Last-Modified",
      stored: [["Last-Modified", LM]],
      got: [["Last-Modified", dateAt(0)]],
      match: false,
    },
    {
      name: "no validator in the 304",
      stored: [["Last-Modified", LM]],
      got: [["Date", dateAt(0)]],
      match: true,
    },
  ];
  for (const c of cases) {
    assert.equal(
      notModifiedMatches(stored({ headers: c.stored }), fields(...c.got)),
      c.match,
      c.name,
    );
  }
});

Deno.test("headResponseMatches() lets a 200 to HEAD freshen the stored GET response only when it describes it (RFC 9111 §4.3.5)", () => {
  const entry = {
    ...stored({ headers: [["ETag", '"a"'], ["Last-Modified", LM]] }),
    bodySize: 10,
  };
  const cases: [string, Field[], boolean][] = [
    ["same ETag and length", [["ETag", '"a"'], ["Content-Length", "10"]], true],
    ["same Last-Modified, no length", [["Last-Modified", LM]], true],
    ["same ETag, other Last-Modified", [["ETag", '"a"'], [
      "Last-Modified",
      dateAt(0),
    ]], false],
    ["other ETag", [["ETag", '"b"']], false],
    [
      "same ETag, other length",
      [["ETag", '"a"'], ["Content-Length", "11"]],
      false,
    ],
    ["no validator at all", [["Content-Length", "10"]], false],
    [
      "same ETag, the same length with leading zeros",
      [["ETag", '"a"'], ["Content-Length", "010"]],
      true,
    ],
    [
      "same ETag, a length that is not a number",
      [["ETag", '"a"'], ["Content-Length", "1e1"]],
      false,
    ],
    ["weak form of the same tag", [["ETag", 'W/"a"']], true],
  ];
  for (const [name, got, match] of cases) {
    assert.equal(headResponseMatches(entry, fields(...got)), match, name);
  }
});
