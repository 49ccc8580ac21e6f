import assert from "../../helpers/assert.ts";
import { FieldList } from "../../../http/headers.ts";
import {
  labCondition,
  type LabValidators,
} from "../../../origin/lab/conditional.ts";

const LM = Date.UTC(2015, 9, 21, 7, 28, 0); // Wed, 21 Oct 2015 07:28:00 GMT
const BOTH: LabValidators = { etag: '"v1"', lastModified: LM };

const CASES: [string, string, [string, string][], LabValidators, string][] = [
  ["no conditional field", "GET", [], BOTH, "200"],
  [
    "If-None-Match with the same strong tag",
    "GET",
    [["If-None-Match", '"v1"']],
    BOTH,
    "304",
  ],
  [
    "If-None-Match with the same tag marked weak (weak comparison, RFC 9110 §13.1.2)",
    "GET",
    [["If-None-Match", 'W/"v1"']],
    BOTH,
    "304",
  ],
  [
    "If-None-Match with another tag",
    "GET",
    [["If-None-Match", '"v2"']],
    BOTH,
    "200",
  ],
  [
    "If-None-Match listing the tag among others",
    "HEAD",
    [["If-None-Match", '"a", "v1"']],
    BOTH,
    "304",
  ],
  ["If-None-Match: *", "GET", [["If-None-Match", "*"]], BOTH, "304"],
  [
    "If-Modified-Since at Last-Modified",
    "GET",
    [["If-Modified-Since", "Wed, 21 Oct 2015 07:28:00 GMT"]],
    BOTH,
    "304",
  ],
  [
    "If-Modified-Since after Last-Modified",
    "HEAD",
    [["If-Modified-Since", "Thu, 22 Oct 2015 07:28:00 GMT"]],
    BOTH,
    "304",
  ],
  [
    "If-Modified-Since one second before Last-Modified",
    "GET",
    [["If-Modified-Since", "Wed, 21 Oct 2015 07:27:59 GMT"]],
    BOTH,
    "200",
  ],
  [
    "If-Modified-Since that is not a date",
    "GET",
    [["If-Modified-Since", "yesterday"]],
    BOTH,
    "200",
  ],
  [
    "a failing If-None-Match and a matching If-Modified-Since (RFC 9110 §13.1.3: ignored)",
    "GET",
    [["If-None-Match", '"v2"'], [
      "If-Modified-Since",
      "Thu, 22 Oct 2015 07:28:00 GMT",
    ]],
    BOTH,
    "200",
  ],
  [
    "If-Modified-Since without Last-Modified",
    "GET",
    [["If-Modified-Since", "Thu, 22 Oct 2015 07:28:00 GMT"]],
    { etag: '"v1"' },
    "200",
  ],
  ["If-None-Match without an ETag", "GET", [["If-None-Match", '"v1"']], {
    lastModified: LM,
  }, "200"],
  [
    "If-Match with another tag (RFC 9110 §13.1.1)",
    "GET",
    [["If-Match", '"v2"']],
    BOTH,
    "412",
  ],
  [
    "If-Match with the weak tag (strong comparison)",
    "GET",
    [["If-Match", 'W/"v1"']],
    BOTH,
    "412",
  ],
  [
    "If-Unmodified-Since before Last-Modified (RFC 9110 §13.1.4)",
    "GET",
    [["If-Unmodified-Since", "Tue, 20 Oct 2015 07:28:00 GMT"]],
    BOTH,
    "412",
  ],
];

for (const [when, method, fields, validators, expected] of CASES) {
  Deno.test(`labCondition() answers ${expected} to ${method} when it has ${when}`, () => {
    assert.equal(
      labCondition(method, new FieldList(fields), validators),
      expected,
    );
  });
}
