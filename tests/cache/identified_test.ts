/**
 * Table tests of which stored responses a 304 to a revalidation
 * identifies for update among every response stored for the key (RFC
 * 9111 §4.3.4): identifiedOnRevalidation().
 */

import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import { identifiedOnRevalidation } from "../../cache/policy.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import { dateAt, fields, stored } from "./policy_fixtures.ts";

const LM = "Mon, 01 Jan 2024 10:00:00 GMT";

/** A stored variant for `language` with these validators, received `seconds` after T0. */
function variant(
  language: string,
  validators: Field[],
  seconds = 0,
): EntryMeta {
  return stored({
    headers: [
      ["Date", dateAt(seconds)],
      ["Cache-Control", "max-age=60"],
      ["Vary", "Accept-Language"],
      ...validators,
    ],
    request: [["Accept-Language", language]],
    requestAt: seconds,
  });
}

const EN = variant("en", [["ETag", '"v"']]);
const FR = variant("fr", [["ETag", '"v"']]);
const DE = variant("de", [["ETag", '"d"']]);
const PARTIAL_FR: EntryMeta = {
  ...FR,
  partial: {
    pieces: [{ start: 0, end: 9, file: "p.body" }],
    validator: '"v"',
    length: 100,
  },
};
const WEAK_EN_OLD = variant("en", [["ETag", 'W/"w"']], 0);
const WEAK_FR_NEW = variant("fr", [["ETag", 'W/"w"']], 5);
const WEAK_EN_NEW = variant("en", [["ETag", 'W/"w"']], 5);
const WEAK_FR_OLD = variant("fr", [["ETag", 'W/"w"']], 0);
const LM_EN = variant("en", [["Last-Modified", LM]], 5);
const LM_FR = variant("fr", [["Last-Modified", LM]], 0);
const BARE_EN = variant("en", []);
const BARE_FR = variant("fr", []);
/** The store's own copy of EN's variant, received later (an update the request did not see). */
const EN_AS_STORED = variant("en", [["ETag", '"v"']], 3);

const CASES: [
  name: string,
  revalidated: EntryMeta,
  stored: EntryMeta[],
  response: Field[],
  expected: EntryMeta[],
][] = [
  [
    "a strong ETag identifies every stored response with that same strong ETag",
    EN,
    [EN, FR, DE],
    [["ETag", '"v"']],
    [EN, FR],
  ],
  [
    "a strong ETag identifies a partial stored response with it too",
    EN,
    [EN, PARTIAL_FR],
    [["ETag", '"v"']],
    [EN, PARTIAL_FR],
  ],
  [
    "a strong ETag of another stored response identifies only it, not the revalidated one",
    EN,
    [EN, FR, DE],
    [["ETag", '"d"']],
    [DE],
  ],
  [
    "a strong ETag no stored response has identifies nothing",
    EN,
    [EN, FR],
    [["ETag", '"z"']],
    [],
  ],
  [
    "a weak ETag identifies only the most recent weak match: the revalidated one",
    WEAK_EN_NEW,
    [WEAK_EN_NEW, WEAK_FR_OLD],
    [["ETag", 'W/"w"']],
    [WEAK_EN_NEW],
  ],
  [
    "a weak ETag identifies only the most recent weak match: another one",
    WEAK_EN_OLD,
    [WEAK_EN_OLD, WEAK_FR_NEW],
    [["ETag", 'W/"w"']],
    [WEAK_FR_NEW],
  ],
  [
    "a Last-Modified identifies only the most recent stored response with it",
    LM_EN,
    [LM_EN, LM_FR],
    [["Last-Modified", LM]],
    [LM_EN],
  ],
  [
    "no validator identifies the revalidated response when it is the only one stored",
    BARE_EN,
    [BARE_EN],
    [],
    [BARE_EN],
  ],
  [
    "no validator identifies nothing when more than one response is stored",
    BARE_EN,
    [BARE_EN, BARE_FR],
    [],
    [],
  ],
  [
    "the revalidated response stands for the store's copy of its variant",
    EN,
    [EN_AS_STORED, FR],
    [["ETag", '"v"']],
    [EN, FR],
  ],
  [
    "the revalidated response counts when the store no longer holds it",
    EN,
    [FR],
    [["ETag", '"v"']],
    [EN, FR],
  ],
];

for (const [name, revalidated, all, response, expected] of CASES) {
  Deno.test(`identifiedOnRevalidation(): ${name} (RFC 9111 §4.3.4)`, () => {
    assert.deepEqual(
      identifiedOnRevalidation(revalidated, all, fields(...response)),
      expected,
    );
  });
}
