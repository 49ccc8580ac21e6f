import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  normalizeVaryValue,
  selectVariant,
  varyOf,
} from "../../cache/policy.ts";
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
    // Accept keeps its case: media-type parameter values may be case-sensitive
    [[["Accept", "Text/HTML;level=A"]], "accept", "Text/HTML;level=A"],
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
