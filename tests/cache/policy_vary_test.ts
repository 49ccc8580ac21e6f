import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  normalizeVaryValue,
  selectVariant,
  varyOf,
} from "../../cache/policy.ts";
import { normalizeFieldValue } from "../../cache/vary.ts";
import { dateAt, fields, stored } from "./policy_fixtures.ts";

Deno.test("varyOf() records the request's values for each Vary name, lowercase and de-duplicated (RFC 9111 §4.1)", () => {
  const res = fields(["Vary", "Accept-Encoding, accept-language"], [
    "Vary",
    "ACCEPT-ENCODING, X-Mode",
  ]);
  const req = fields(["Accept-Encoding", "gzip"], ["Accept-Language", "en"]);
  assert.deepEqual(varyOf(res, req), [
    ["accept-encoding", "gzip"],
    ["accept-language", "en"],
    ["x-mode", null],
  ]);
  assert.deepEqual(varyOf(fields(), req), []);
});

Deno.test("normalizeVaryValue() combines field lines and collapses whitespace around commas (RFC 9111 §4.1, RFC 9110 §5.3)", () => {
  const cases: [Field[], string, string | null][] = [
    [
      [["Accept-Encoding", "gzip ,  br"], ["Accept-Encoding", "deflate"]],
      "accept-encoding",
      "gzip, br, deflate",
    ],
    [[["Accept-Encoding", "gzip,br"]], "accept-encoding", "gzip, br"],
    [[["Accept-Encoding", "GZIP, Br"]], "accept-encoding", "gzip, br"],
    [
      [["Accept-Language", "EN-us,fr;q=0.5"]],
      "accept-language",
      "en-us, fr;q=0.5",
    ],
    // Accept: type/subtype lowercase; parameter values may be case-sensitive
    [[["Accept", "Text/HTML;level=A"]], "accept", "text/html;level=A"],
    [[["X-Token", "AbC"]], "x-token", "AbC"],
    // quoted commas are not list separators
    [[["X-Q", '"a ,b" , c']], "x-q", '"a ,b", c'],
    [[["X-Empty", ""]], "x-empty", ""],
    [[], "accept-encoding", null],
  ];
  for (const [req, name, expected] of cases) {
    assert.equal(
      normalizeVaryValue(name, fields(...req)),
      expected,
      JSON.stringify(req),
    );
  }
});

const GZIP = stored({
  headers: [["Vary", "Accept-Encoding"], ["Content-Encoding", "gzip"]],
  request: [["Accept-Encoding", "gzip, br"]],
});
const IDENTITY = stored({
  headers: [["Vary", "Accept-Encoding"]],
  request: [["Accept-Encoding", "identity"]],
});
const ABSENT = stored({ headers: [["Vary", "Accept-Encoding"]], request: [] });

Deno.test("selectVariant() picks the variant whose Vary values match, side by side (RFC 9111 §4.1)", () => {
  const variants = [GZIP, IDENTITY, ABSENT];
  assert.equal(
    selectVariant(variants, fields(["Accept-Encoding", "gzip, br"])),
    GZIP,
  );
  assert.equal(
    selectVariant(variants, fields(["Accept-Encoding", "GZIP,br"])),
    GZIP,
  );
  assert.equal(
    selectVariant(
      variants,
      fields(["accept-encoding", "gzip"], ["Accept-Encoding", " br"]),
    ),
    GZIP,
  );
  assert.equal(
    selectVariant(variants, fields(["Accept-Encoding", "identity"])),
    IDENTITY,
  );
  assert.equal(selectVariant(variants, fields()), ABSENT);
  assert.equal(
    selectVariant(variants, fields(["Accept-Encoding", "br"])),
    undefined,
  );
});

Deno.test("selectVariant() matches an absent field only with an absent field (RFC 9111 §4.1)", () => {
  assert.equal(
    selectVariant([ABSENT], fields(["Accept-Encoding", ""])),
    undefined,
  );
  assert.equal(selectVariant([GZIP], fields()), undefined);
});

Deno.test("selectVariant() never matches a stored Vary: * (RFC 9111 §4.1)", () => {
  const star = stored({ headers: [["Vary", "*"]] });
  assert.equal(selectVariant([star], fields()), undefined);
});

Deno.test("selectVariant() matches any request when the response has no Vary (RFC 9111 §4.1)", () => {
  const plain = stored({ headers: [] });
  assert.equal(
    selectVariant([plain], fields(["Accept-Encoding", "br"])),
    plain,
  );
});

Deno.test("selectVariant() chooses the most recent match by Date, then by response time (RFC 9111 §4.1)", () => {
  const older = stored({ headers: [["Date", dateAt(-100)]], responseAt: 50 });
  const newer = stored({ headers: [["Date", dateAt(-10)]], responseAt: 5 });
  assert.equal(selectVariant([older, newer], fields()), newer);
  assert.equal(selectVariant([newer, older], fields()), newer);
  const sameDateEarly = stored({
    headers: [["Date", dateAt(0)]],
    responseAt: 1,
  });
  const sameDateLate = stored({
    headers: [["Date", dateAt(0)]],
    responseAt: 2,
  });
  assert.equal(
    selectVariant([sameDateLate, sameDateEarly], fields()),
    sameDateLate,
  );
  assert.equal(
    selectVariant([sameDateEarly, sameDateLate], fields()),
    sameDateLate,
  );
});

const SAME: [string, string, string][] = [
  ["accept-encoding", "gzip, br", "GZIP , Br"],
  ["accept-encoding", "gzip, br", "gzip;q=1, br;Q=1.000"],
  ["accept-encoding", "gzip;q=0.5, br", "GZIP ; q=0.500,br"],
  ["accept-encoding", "gzip;q=0, br", "gzip;q=0.000, br"],
  ["accept-language", "en-US, fr;q=0.5", "en-us,FR ;q=0.5"],
  ["accept-language", "de", "de;q=1.0"],
  ["accept-charset", "utf-8, iso-8859-1;q=0.5", "UTF-8, ISO-8859-1; q=0.5"],
  ["accept", "text/html, */*;q=0.1", "Text/HTML;q=1,*/*; q=0.100"],
  ["accept", "text/html;level=1", "text/html; LEVEL=1"],
  ["accept", 'text/html;level="1"', "text/html;level=1"],
];

for (const [name, a, b] of SAME) {
  Deno.test(`normalizeVaryValue() matches ${name} "${a}" with "${b}" (RFC 9111 §4.1)`, () => {
    assert.equal(
      normalizeVaryValue(name, fields([name, a])),
      normalizeVaryValue(name, fields([name, b])),
    );
  });
}

const DIFFERENT: [string, string, string][] = [
  ["accept-language", "en, fr", "fr, en"], // order is significant
  ["accept-encoding", "gzip, br", "br, gzip"], // order kept (servers may break ties by it)
  ["accept-encoding", "gzip;q=0.5", "gzip"],
  ["accept-encoding", "gzip;q=0", "gzip"],
  ["accept", "text/html;level=A", "text/html;level=a"], // parameter values may be case-sensitive
  ["accept", 'text/html;x="a b"', 'text/html;x="A B"'],
  ["accept", "text/html", "text/plain"],
  ["x-custom", "abc", "ABC"], // unknown fields: no case folding
];

for (const [name, a, b] of DIFFERENT) {
  Deno.test(`normalizeVaryValue() tells ${name} "${a}" from "${b}" (RFC 9111 §4.1)`, () => {
    assert.notEqual(
      normalizeVaryValue(name, fields([name, a])),
      normalizeVaryValue(name, fields([name, b])),
    );
  });
}

Deno.test("normalizeFieldValue() writes weights canonically and keeps what it cannot read (RFC 9111 §4.1, RFC 9110 §12.4.2)", () => {
  const rows: [string, string, string][] = [
    ["accept-encoding", "GZIP;Q=0.50 , br;q=1", "gzip;q=0.5, br"],
    ["accept-encoding", "gzip;q=2", "gzip;q=2"], // not a qvalue: kept
    ["accept-encoding", "gzip;;q=1", "gzip;;q=1"], // not parameters: kept
    [
      "accept",
      'Text/HTML ; Charset="utf-8" ; q=0.8',
      "text/html;charset=utf-8;q=0.8",
    ],
    ["accept", 'text/plain;x="a,b"', 'text/plain;x="a,b"'],
    ["x-other", "A ,B", "A, B"],
  ];
  for (const [name, value, expected] of rows) {
    assert.equal(normalizeFieldValue(name, value), expected, value);
    assert.equal(
      normalizeFieldValue(name, expected),
      expected,
      `${value} again`,
    );
  }
});

Deno.test("selectVariant() matches entries whose Vary values were stored under an earlier normalisation (RFC 9111 §4.1)", () => {
  const old = stored({ headers: [["Vary", "Accept-Encoding, Accept"]] });
  const legacy = {
    ...old,
    vary: [["accept-encoding", "gzip;q=1.0, br"], [
      "accept",
      "Text/HTML, */*; q=0.1",
    ]] as [string, string | null][],
  };
  assert.equal(
    selectVariant(
      [legacy],
      fields(["Accept-Encoding", "gzip, br"], [
        "Accept",
        "text/html,*/*;q=0.1",
      ]),
    ),
    legacy,
  );
  assert.equal(
    selectVariant(
      [legacy],
      fields(["Accept-Encoding", "br, gzip"], [
        "Accept",
        "text/html,*/*;q=0.1",
      ]),
    ),
    undefined,
  );
});
