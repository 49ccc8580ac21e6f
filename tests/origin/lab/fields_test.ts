import assert from "../../helpers/assert.ts";
import { fieldRefusal, parseLabParams } from "../../../origin/lab/fields.ts";

Deno.test("parseLabParams() keeps fields in order with repeated names when the query asks for them", () => {
  assert.deepEqual(
    parseLabParams(
      "Cache-Control=max-age%3D10&Vary=Accept-Language&Vary=B&X-Empty=",
    ),
    {
      kind: "ok",
      params: {
        fields: [["Cache-Control", "max-age=10"], ["Vary", "Accept-Language"], [
          "Vary",
          "B",
        ], ["X-Empty", ""]],
      },
    },
  );
  assert.deepEqual(parseLabParams(undefined), {
    kind: "ok",
    params: { fields: [] },
  });
  assert.deepEqual(parseLabParams("A=1+2"), {
    kind: "ok",
    params: { fields: [["A", "1+2"]] },
  }, "a + stays a +");
});

Deno.test("parseLabParams() reads status and fail-after when they are given in lower case", () => {
  assert.deepEqual(parseLabParams("status=404&fail-after=0&ETag=%22x%22"), {
    kind: "ok",
    params: { fields: [["ETag", '"x"']], status: 404, failAfter: 0 },
  });
  assert.deepEqual(parseLabParams("Status=201"), {
    kind: "ok",
    params: { fields: [["Status", "201"]] },
  }, "only the lower-case names are reserved");
});

Deno.test("parseLabParams() reads close-after beside fail-after", () => {
  assert.deepEqual(parseLabParams("close-after=2&fail-after=1"), {
    kind: "ok",
    params: { fields: [], closeAfter: 2, failAfter: 1 },
  });
});

Deno.test("parseLabParams() refuses a reserved parameter given twice with different values, with one line naming it", () => {
  assert.deepEqual(parseLabParams("status=500&fail-after=1&status=200"), {
    kind: "bad",
    reason: "status is given twice with different values",
  });
  assert.deepEqual(parseLabParams("fail-after=0&fail-after=5"), {
    kind: "bad",
    reason: "fail-after is given twice with different values",
  });
  assert.deepEqual(parseLabParams("close-after=5&close-after=0"), {
    kind: "bad",
    reason: "close-after is given twice with different values",
  });
});

Deno.test("parseLabParams() accepts a reserved parameter given twice with the same value", () => {
  assert.deepEqual(
    parseLabParams(
      "status=404&status=404&fail-after=3&fail-after=03&close-after=1&close-after=1",
    ),
    {
      kind: "ok",
      params: { fields: [], status: 404, failAfter: 3, closeAfter: 1 },
    },
  );
});

Deno.test("parseLabParams() accepts HTAB, SP and obs-text (U+0080 to U+00FF) in a value", () => {
  assert.deepEqual(parseLabParams("X=a%09b%20%C3%A9%C2%80%C3%BF"), {
    kind: "ok",
    params: { fields: [["X", "a\tb \u00e9\u0080\u00ff"]] },
  });
});

const REFUSED: [string, string][] = [
  ["status=199", "status must be an integer from 200 to 599"],
  ["status=600", "status must be an integer from 200 to 599"],
  ["status=2000", "status must be an integer from 200 to 599"],
  ["status=", "status must be an integer from 200 to 599"],
  ["fail-after=-1", "fail-after must be an integer from 0 to 999999999"],
  ["fail-after=1.5", "fail-after must be an integer from 0 to 999999999"],
  ["fail-after=", "fail-after must be an integer from 0 to 999999999"],
  ["close-after=x", "close-after must be an integer from 0 to 999999999"],
  ["close-after=-0", "close-after must be an integer from 0 to 999999999"],
  [
    "Content-Length=3",
    "field Content-Length is set by the server, not by a parameter",
  ],
  [
    "transfer-encoding=chunked",
    "field transfer-encoding is set by the server, not by a parameter",
  ],
  [
    "Connection=close",
    "field Connection is set by the server, not by a parameter",
  ],
  ["Keep-Alive=5", "field Keep-Alive is set by the server, not by a parameter"],
  [
    "Proxy-Connection=x",
    "field Proxy-Connection is set by the server, not by a parameter",
  ],
  ["TE=trailers", "field TE is set by the server, not by a parameter"],
  ["Trailer=X", "field Trailer is set by the server, not by a parameter"],
  ["Upgrade=h2c", "field Upgrade is set by the server, not by a parameter"],
  ["Host=x", "field Host is set by the server, not by a parameter"],
  ["Date=x", "field Date is set by the server, not by a parameter"],
  ["X=a%0Db", "field X has CR, LF or NUL in its value"],
  ["X=a%0Ab", "field X has CR, LF or NUL in its value"],
  ["X=a%00b", "field X has CR, LF or NUL in its value"],
  ["X=a%01b", "field X has the control character U+0001 in its value"],
  ["X=a%1Bb", "field X has the control character U+001B in its value"],
  ["X=a%7Fb", "field X has the control character U+007F in its value"],
  [
    "X=%C4%8A",
    "field X has U+010A in its value, which is not one byte (obs-text is U+0080 to U+00FF)",
  ],
  [
    "X=%E2%82%AC",
    "field X has U+20AC in its value, which is not one byte (obs-text is U+0080 to U+00FF)",
  ],
  [
    "X=%F0%9F%98%80",
    "field X has U+1F600 in its value, which is not one byte (obs-text is U+0080 to U+00FF)",
  ],
  ["X%20Y=1", 'field name "X Y" is not a token'],
  ["X%3AY=1", 'field name "X:Y" is not a token'],
  ["=1", 'field name "" is not a token'],
  ["X=%E0%A4%A", 'parameter "X=%E0%A4%A" is not percent-encoded properly'],
];

for (const [query, reason] of REFUSED) {
  Deno.test(`parseLabParams() refuses ${query} with one line`, () => {
    assert.deepEqual(parseLabParams(query), { kind: "bad", reason });
  });
}

Deno.test("fieldRefusal() accepts a token name and a value with tabs and spaces", () => {
  assert.equal(fieldRefusal("Cache-Control", "max-age=5, \tpublic"), undefined);
  assert.equal(fieldRefusal("x!#$%&'*+-.^_`|~9", "v"), undefined);
});
