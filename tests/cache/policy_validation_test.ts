import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  clientValidators,
  decide,
  freshen,
  headResponseMatches,
  notModifiedMatches,
} from "../../cache/policy.ts";
import {
  evaluatePreconditions,
  ifRangeAllows,
} from "../../http/conditional.ts";
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

Deno.test("headResponseMatches() lets a 200 to HEAD without validators describe a stored GET response without any when the length agrees (RFC 9111 §4.3.5)", () => {
  // RFC 9111 §4.3.5: HEAD updates a stored response "if the more
  // efficient conditional GET request mechanism is not available (due to
  // no validators being present in the stored response)".
  const entry = { ...stored({ headers: [["Date", dateAt(0)]] }), bodySize: 10 };
  const cases: [string, Field[], boolean][] = [
    ["no validator, same length", [["Content-Length", "10"]], true],
    ["no validator, no length", [], true],
    ["no validator, other length", [["Content-Length", "9"]], false],
    ["an ETag the stored response lacks", [["ETag", '"a"']], false],
    [
      "a Last-Modified the stored response lacks",
      [["Last-Modified", LM]],
      false,
    ],
  ];
  for (const [name, got, match] of cases) {
    assert.equal(headResponseMatches(entry, fields(...got)), match, name);
  }
});

Deno.test("freshen() leaves out the fields a qualified private names, also when the 304 brings them (RFC 9111 §5.2.2.7, §4.3.4)", () => {
  const e = stored({
    headers: [["Date", dateAt(0)], [
      "Cache-Control",
      'private="X-User", max-age=1',
    ], ["ETag", '"a"']],
  });
  const next = freshen(
    e,
    fields(["ETag", '"a"'], ["X-User", "bob"], ["Date", dateAt(10)]),
    at(10),
    at(10),
  );
  assert.deepEqual(next.headers, [
    ["Date", dateAt(10)],
    ["Cache-Control", 'private="X-User", max-age=1'],
    ["ETag", '"a"'],
  ]);
});

Deno.test("freshen() reads the policy again from the updated fields with its targets, else the entry's own field (RFC 9213 §2.1, RFC 9111 §4.3.4)", () => {
  const targets = ["CDN-Cache-Control"];
  const plain = stored({
    headers: [["Date", dateAt(0)], ["Cache-Control", "max-age=1"], [
      "ETag",
      '"a"',
    ]],
  });
  const gained = freshen(
    plain,
    fields(["ETag", '"a"'], ["CDN-Cache-Control", "max-age=600"]),
    at(10),
    at(10),
    { targets },
  );
  assert.equal(gained.policyField, "cdn-cache-control");
  assert.equal(gained.freshUntil, at(610));
  const targeted = stored({
    headers: [["Date", dateAt(0)], ["Cache-Control", "max-age=1"], [
      "CDN-Cache-Control",
      "max-age=100",
    ], ["ETag", '"a"']],
    targets,
  });
  const kept = freshen(targeted, fields(["ETag", '"a"']), at(10), at(10));
  assert.equal(kept.policyField, "cdn-cache-control"); // no targets given: its own field
  assert.equal(kept.freshUntil, at(110));
  const lost = freshen(
    targeted,
    fields(["ETag", '"a"'], ["CDN-Cache-Control", "&"]),
    at(10),
    at(10),
    { targets },
  );
  assert.equal("policyField" in lost, false); // invalid now: Cache-Control decides
  assert.equal(lost.freshUntil, at(11));
  const off = freshen(targeted, fields(["ETag", '"a"']), at(10), at(10), {
    targets: [],
  });
  assert.equal("policyField" in off, false);
});

Deno.test("notModifiedMatches() compares Last-Modified dates read leniently (RFC 9111 §4.2, §4.3.4)", () => {
  const e = stored({
    headers: [["Date", dateAt(0)], [
      "Last-Modified",
      "Sun, 06 Nov 1994 08:49:37 GMT",
    ]],
  });
  assert.equal(
    notModifiedMatches(
      e,
      fields(["Last-Modified", "sunday, 06-nov-94 08:49:37 gmt"]),
    ),
    true,
  );
  assert.equal(
    notModifiedMatches(
      e,
      fields(["Last-Modified", "Sun, 06 Nov 1994 08:49:38 GMT"]),
    ),
    false,
  );
});

Deno.test("clientValidators() gives Last-Modified, else Date, else the time received, for a client's conditional (RFC 9111 §4.3.2)", () => {
  const rows: [string, Field[], number | undefined][] = [
    [
      "Last-Modified",
      [["Date", dateAt(0)], ["Last-Modified", dateAt(-100)]],
      at(-100),
    ],
    ["Last-Modified in lowercase", [["Date", dateAt(0)], [
      "Last-Modified",
      dateAt(-100).toLowerCase(),
    ]], at(-100)],
    ["Date without Last-Modified", [["Date", dateAt(-5)]], at(-5)],
    ["Date for an invalid Last-Modified", [["Date", dateAt(-5)], [
      "Last-Modified",
      "x",
    ]], at(-5)],
    ["received time without either", [], at(0)],
  ];
  for (const [name, headers, expected] of rows) {
    const v = clientValidators(stored({ headers }));
    assert.equal(v.lastModified, expected, name);
  }
  const withTag = clientValidators(stored({ headers: [["ETag", '"t"']] }));
  assert.equal(withTag.etag, '"t"');
});

Deno.test("clientValidators() lets a fresh stored response without Last-Modified answer If-Modified-Since with 304 (RFC 9111 §4.3.2)", () => {
  const e = stored({
    headers: [["Date", dateAt(0)], ["Cache-Control", "max-age=600"]],
  });
  const v = clientValidators(e);
  const since = (d: string) =>
    evaluatePreconditions("GET", fields(["If-Modified-Since", d]), v);
  assert.equal(since(dateAt(0)), "304");
  assert.equal(since(dateAt(60)), "304");
  assert.equal(since(dateAt(-1)), "proceed");
  // A Date stand-in is never a strong validator: an If-Range date fails.
  assert.equal(ifRangeAllows(fields(["If-Range", dateAt(0)]), v), false);
  const strong = clientValidators(stored({
    headers: [["Date", dateAt(0)], ["Last-Modified", dateAt(-10)]],
  }));
  assert.equal(ifRangeAllows(fields(["If-Range", dateAt(-10)]), strong), true);
});
