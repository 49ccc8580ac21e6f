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
  [
    "Transfer-Encoding in HTTP/1.0 (§6.1)",
    [["Transfer-Encoding", "chunked"]],
    "HTTP/1.0",
  ],
  ['"gzip, chunked" (§6.1)', [["Transfer-Encoding", "gzip, chunked"]]],
  ['"gzip" alone (§6.3 rule 4)', [["Transfer-Encoding", "gzip"]]],
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
