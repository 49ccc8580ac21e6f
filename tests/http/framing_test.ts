import assert from "../helpers/assert.ts";
import { isHttpError } from "../../http/errors.ts";
import {
  type Framing,
  requestFraming,
  responseFraming,
} from "../../http/framing.ts";
import { type Field, FieldList } from "../../http/headers.ts";
import type {
  HttpVersion,
  RequestHead,
  ResponseHead,
} from "../../http/types.ts";

function request(
  fields: Field[],
  version: HttpVersion = "HTTP/1.1",
): RequestHead {
  return {
    method: "POST",
    target: "/",
    version,
    headers: new FieldList([["Host", "a"], ...fields]),
  };
}

function response(
  status: number,
  fields: Field[],
  version: HttpVersion = "HTTP/1.1",
): ResponseHead {
  return { version, status, reason: "", headers: new FieldList(fields) };
}

const NONE: Framing = { kind: "none" };
const CHUNKED: Framing = { kind: "chunked" };
const UNTIL_CLOSE: Framing = { kind: "until-close" };
const length = (n: number): Framing => ({ kind: "length", length: n });

const requestCases: [string, Field[], Framing][] = [
  ["neither Content-Length nor Transfer-Encoding (rule 7)", [], NONE],
  ["Content-Length: 0 (rule 6)", [["Content-Length", "0"]], length(0)],
  ["Content-Length: 42 (rule 6)", [["Content-Length", "42"]], length(42)],
  [
    "Content-Length with leading zeros (rule 6)",
    [["Content-Length", "007"]],
    length(7),
  ],
  [
    "Content-Length of 15 digits",
    [["Content-Length", "999999999999999"]],
    length(999999999999999),
  ],
  ["a Content-Length list of identical values (rule 5)", [[
    "Content-Length",
    "5, 5",
  ]], length(5)],
  ["two identical Content-Length fields (rule 5)", [["Content-Length", "5"], [
    "content-length",
    "5",
  ]], length(5)],
  [
    "Transfer-Encoding: chunked (rule 4)",
    [["Transfer-Encoding", "chunked"]],
    CHUNKED,
  ],
  ["Transfer-Encoding: Chunked in any case (rule 4)", [[
    "Transfer-Encoding",
    "ChUnKeD",
  ]], CHUNKED],
];
for (const [what, fields, expected] of requestCases) {
  Deno.test(`requestFraming() gives ${expected.kind} when the request has ${what} (RFC 9112 §6.3)`, () => {
    assert.deepEqual(requestFraming(request(fields)), expected);
  });
}

const rejectedRequests: [string, Field[], HttpVersion?][] = [
  ["Transfer-Encoding and Content-Length (§6.1, §11.2)", [[
    "Transfer-Encoding",
    "chunked",
  ], ["Content-Length", "5"]]],
  ["Content-Length before Transfer-Encoding (§6.1)", [["Content-Length", "5"], [
    "Transfer-Encoding",
    "chunked",
  ]]],
  [
    "Transfer-Encoding in HTTP/1.0 (§6.1)",
    [["Transfer-Encoding", "chunked"]],
    "HTTP/1.0",
  ],
  ['"gzip, chunked" (§6.1: unknown coding)', [[
    "Transfer-Encoding",
    "gzip, chunked",
  ]]],
  ['"chunked, chunked" (§6.1)', [["Transfer-Encoding", "chunked, chunked"]]],
  ["two chunked Transfer-Encoding fields (§6.1)", [[
    "Transfer-Encoding",
    "chunked",
  ], ["Transfer-Encoding", "chunked"]]],
  ['"identity" (§6.1)', [["Transfer-Encoding", "identity"]]],
  ['"chunked, gzip" (§6.3 rule 4)', [["Transfer-Encoding", "chunked, gzip"]]],
  ['"gzip" alone (§6.3 rule 4: chunked not final)', [[
    "Transfer-Encoding",
    "gzip",
  ]]],
  ['"gzip" then a "chunked" field (§6.1: unknown coding)', [
    ["Transfer-Encoding", "gzip"],
    ["Transfer-Encoding", "chunked"],
  ]],
  ["a coding that is not a token (§6.1)", [[
    "Transfer-Encoding",
    "chun ked",
  ]]],
  ["an empty Transfer-Encoding", [["Transfer-Encoding", ""]]],
  ['"chunked;q=1"', [["Transfer-Encoding", "chunked;q=1"]]],
  ["differing Content-Length values (rule 5)", [["Content-Length", "5, 6"]]],
  ["differing Content-Length fields (rule 5)", [["Content-Length", "5"], [
    "Content-Length",
    "6",
  ]]],
  ['Content-Length "-1" (rule 5)', [["Content-Length", "-1"]]],
  ['Content-Length "1e3" (rule 5)', [["Content-Length", "1e3"]]],
  ['Content-Length "+5" (rule 5)', [["Content-Length", "+5"]]],
  ['Content-Length "0x10" (rule 5)', [["Content-Length", "0x10"]]],
  ['Content-Length "5.0" (rule 5)', [["Content-Length", "5.0"]]],
  ['Content-Length " " (rule 5)', [["Content-Length", " "]]],
  ["an empty Content-Length (rule 5)", [["Content-Length", ""]]],
  ['Content-Length "5 5" (rule 5)', [["Content-Length", "5 5"]]],
  ['Content-Length "5, " and a bad element (rule 5)', [[
    "Content-Length",
    "5, x",
  ]]],
  ["a huge Content-Length (rule 5)", [[
    "Content-Length",
    "99999999999999999999",
  ]]],
  ["a 16-digit Content-Length (rule 5)", [[
    "Content-Length",
    "1000000000000000",
  ]]],
];
for (const [what, fields, version] of rejectedRequests) {
  Deno.test(`requestFraming() throws "framing" when the request has ${what} (RFC 9112)`, () => {
    assert.throws(
      () => requestFraming(request(fields, version)),
      (e) => isHttpError(e, "framing"),
    );
  });
}

Deno.test("requestFraming() reads Content-Length in HTTP/1.0 (RFC 9112 §6.3 rule 6)", () => {
  assert.deepEqual(
    requestFraming(request([["Content-Length", "3"]], "HTTP/1.0")),
    length(3),
  );
});

const responseCases: [string, number, string, Field[], Framing][] = [
  ["a response to HEAD, even with Content-Length (rule 1)", 200, "HEAD", [[
    "Content-Length",
    "10",
  ]], NONE],
  ["a response to HEAD with chunked (rule 1)", 200, "HEAD", [[
    "Transfer-Encoding",
    "chunked",
  ]], NONE],
  ["a 100 (rule 1)", 100, "GET", [], NONE],
  [
    "a 103 with Content-Length (rule 1)",
    103,
    "GET",
    [["Content-Length", "4"]],
    NONE,
  ],
  [
    "a 204 with Content-Length (rule 1)",
    204,
    "GET",
    [["Content-Length", "4"]],
    NONE,
  ],
  [
    "a 304 with Content-Length (rule 1)",
    304,
    "GET",
    [["Content-Length", "4"]],
    NONE,
  ],
  [
    "a 2xx to CONNECT (rule 2)",
    200,
    "CONNECT",
    [["Content-Length", "4"]],
    NONE,
  ],
  ["a 299 to CONNECT (rule 2)", 299, "CONNECT", [], NONE],
  ["a 407 to CONNECT with Content-Length (rule 6)", 407, "CONNECT", [[
    "Content-Length",
    "4",
  ]], length(4)],
  ["chunked (rule 4)", 200, "GET", [["Transfer-Encoding", "chunked"]], CHUNKED],
  [
    "Content-Length (rule 6)",
    200,
    "GET",
    [["Content-Length", "12"]],
    length(12),
  ],
  ["identical Content-Length values (rule 5)", 404, "GET", [[
    "Content-Length",
    "3,3",
  ]], length(3)],
  ["neither header (rule 8)", 200, "GET", [], UNTIL_CLOSE],
  ["neither header to POST (rule 8)", 500, "POST", [], UNTIL_CLOSE],
  ["a 205 without headers (rule 8)", 205, "GET", [], UNTIL_CLOSE],
  ['"gzip, chunked" (rule 4: chunked final)', 200, "GET", [[
    "Transfer-Encoding",
    "gzip, chunked",
  ]], { kind: "chunked", codings: ["gzip"] }],
  ['"gzip" and "chunked" fields, in any case (rule 4)', 200, "GET", [
    ["Transfer-Encoding", "GZip"],
    ["transfer-encoding", "Chunked"],
  ], { kind: "chunked", codings: ["gzip"] }],
  ['"deflate, gzip, chunked" (rule 4)', 200, "GET", [[
    "Transfer-Encoding",
    "deflate, gzip, chunked",
  ]], { kind: "chunked", codings: ["deflate", "gzip"] }],
  ['"gzip" alone (rule 4: chunked not final)', 200, "GET", [[
    "Transfer-Encoding",
    "gzip",
  ]], { kind: "until-close", codings: ["gzip"] }],
  ['"gzip;level=9" (rule 4, parameters dropped)', 200, "GET", [[
    "Transfer-Encoding",
    "gzip;level=9",
  ]], { kind: "until-close", codings: ["gzip"] }],
  ['"chunked, gzip" (rule 4: chunked not final)', 200, "GET", [[
    "Transfer-Encoding",
    "chunked, gzip",
  ]], { kind: "until-close", codings: ["chunked", "gzip"] }],
  ['"compress" (rule 4: a coding we cannot decode still frames)', 404, "GET", [[
    "Transfer-Encoding",
    "compress",
  ]], { kind: "until-close", codings: ["compress"] }],
  ["gzip to HEAD (rule 1 before rule 4)", 200, "HEAD", [[
    "Transfer-Encoding",
    "gzip",
  ]], NONE],
  ["gzip on a 304 (rule 1 before rule 4)", 304, "GET", [[
    "Transfer-Encoding",
    "gzip",
  ]], NONE],
];
for (const [what, status, method, fields, expected] of responseCases) {
  Deno.test(`responseFraming() gives ${expected.kind} for ${what} (RFC 9112 §6.3)`, () => {
    assert.deepEqual(
      responseFraming(response(status, fields), method),
      expected,
    );
  });
}

Deno.test("responseFraming() reads an HTTP/1.0 response without length until close (RFC 9112 §6.3 rule 8)", () => {
  assert.deepEqual(
    responseFraming(response(200, [], "HTTP/1.0"), "GET"),
    UNTIL_CLOSE,
  );
});

const rejectedResponses: [string, Field[], HttpVersion?][] = [
  ["Transfer-Encoding and Content-Length (§6.1)", [[
    "Transfer-Encoding",
    "chunked",
  ], ["Content-Length", "3"]]],
  ["gzip Transfer-Encoding and Content-Length (§6.1)", [[
    "Transfer-Encoding",
    "gzip",
  ], ["Content-Length", "3"]]],
  [
    "Transfer-Encoding in HTTP/1.0 (§6.1)",
    [["Transfer-Encoding", "chunked"]],
    "HTTP/1.0",
  ],
  [
    "gzip Transfer-Encoding in HTTP/1.0 (§6.1)",
    [["Transfer-Encoding", "gzip"]],
    "HTTP/1.0",
  ],
  ['"chunked, chunked" (§6.1: chunked once)', [[
    "Transfer-Encoding",
    "chunked, chunked",
  ]]],
  ['"chunked, gzip, chunked" (§6.1: chunked once)', [[
    "Transfer-Encoding",
    "chunked, gzip, chunked",
  ]]],
  ["an empty Transfer-Encoding (§6.1)", [["Transfer-Encoding", " , "]]],
  ['"chunked;x=1" (§7.1: no parameters)', [[
    "Transfer-Encoding",
    "chunked;x=1",
  ]]],
  ["a coding that is not a token (§6.1)", [["Transfer-Encoding", "g zip"]]],
  ["differing Content-Length (rule 5)", [["Content-Length", "3"], [
    "Content-Length",
    "4",
  ]]],
  ['Content-Length "abc" (rule 5)', [["Content-Length", "abc"]]],
];
for (const [what, fields, version] of rejectedResponses) {
  Deno.test(`responseFraming() throws "framing" when a response has ${what} (RFC 9112)`, () => {
    assert.throws(
      () => responseFraming(response(200, fields, version), "GET"),
      (e) => isHttpError(e, "framing"),
    );
  });
}
