import assert from "../helpers/assert.ts";
import { isHttpError } from "../../http/errors.ts";
import { FieldList } from "../../http/headers.ts";
import {
  DEFAULT_HEAD_LIMITS,
  parseRequestHead,
  parseResponseHead,
  serializeRequestHead,
  serializeResponseHead,
} from "../../http/head.ts";
import type { HttpErrorKind } from "../../http/errors.ts";

/** A head from its lines, CRLF-terminated, ending with the empty line. */
function head(...lines: string[]): string {
  return lines.map((l) => `${l}\r\n`).join("") + "\r\n";
}

function rejects(fn: () => unknown, kind: HttpErrorKind): void {
  assert.throws(fn, (e) => isHttpError(e, kind));
}

Deno.test("parseRequestHead() reads method, target, version and fields (RFC 9112 §3)", () => {
  const h = parseRequestHead(
    head("GET /a?b=c HTTP/1.1", "Host: example.com", "Accept:  */*  "),
  );
  assert.equal(h.method, "GET");
  assert.equal(h.target, "/a?b=c");
  assert.equal(h.version, "HTTP/1.1");
  assert.deepEqual(h.headers.toArray(), [
    ["Host", "example.com"],
    ["Accept", "*/*"],
  ]);
});

const validRequests: [string, string, string, string][] = [
  [
    "an absolute-form target",
    head("GET http://a.example/x HTTP/1.1", "Host: a.example"),
    "GET",
    "http://a.example/x",
  ],
  [
    "an authority-form target",
    head("CONNECT a.example:443 HTTP/1.1", "Host: a.example:443"),
    "CONNECT",
    "a.example:443",
  ],
  [
    "an asterisk-form target",
    head("OPTIONS * HTTP/1.1", "Host: a"),
    "OPTIONS",
    "*",
  ],
  ["an extension method", head("PURGE /x HTTP/1.1", "Host: a"), "PURGE", "/x"],
  ["HTTP/1.0 without Host", head("GET / HTTP/1.0"), "GET", "/"],
  [
    "leading empty lines (RFC 9112 §2.2)",
    "\r\n\n\r\n" + head("GET / HTTP/1.1", "Host: a"),
    "GET",
    "/",
  ],
  [
    "bare LF line ends (RFC 9112 §2.2)",
    "GET /lf HTTP/1.1\nHost: a\n\n",
    "GET",
    "/lf",
  ],
  [
    "an empty Host with an absolute-form target (RFC 9110 §7.2, RFC 9112 §3.2.2)",
    head("GET http://a.example/ HTTP/1.1", "Host:"),
    "GET",
    "http://a.example/",
  ],
  [
    "an IPv6 Host with port",
    head("GET / HTTP/1.1", "Host: [::1]:8080"),
    "GET",
    "/",
  ],
  ["a field without OWS", head("GET / HTTP/1.1", "Host:a"), "GET", "/"],
  [
    "a field with tabs around the value",
    head("GET / HTTP/1.1", "Host: a", "X:\tb\t"),
    "GET",
    "/",
  ],
  [
    "an empty field value",
    head("GET / HTTP/1.1", "Host: a", "X-Empty:"),
    "GET",
    "/",
  ],
];
for (const [what, input, method, target] of validRequests) {
  Deno.test(`parseRequestHead() accepts ${what}`, () => {
    const h = parseRequestHead(input);
    assert.equal(h.method, method);
    assert.equal(h.target, target);
  });
}

Deno.test("parseRequestHead() reads HTTP/1.x minor versions above 1 as HTTP/1.1 (RFC 9110 §2.5)", () => {
  assert.equal(
    parseRequestHead(head("GET / HTTP/1.2", "Host: a")).version,
    "HTTP/1.1",
  );
  assert.equal(parseRequestHead(head("GET / HTTP/1.0")).version, "HTTP/1.0");
});

const malformedRequests: [string, string][] = [
  [
    "obs-fold (RFC 9112 §5.2)",
    head("GET / HTTP/1.1", "Host: a", "X: one", " two"),
  ],
  [
    "obs-fold with a tab (RFC 9112 §5.2)",
    head("GET / HTTP/1.1", "Host: a", "X: one", "\ttwo"),
  ],
  [
    "whitespace before the first field (RFC 9112 §2.2)",
    head("GET / HTTP/1.1", " Host: a"),
  ],
  [
    "a space before the colon (RFC 9112 §5.1)",
    head("GET / HTTP/1.1", "Host : a"),
  ],
  [
    "a tab before the colon (RFC 9112 §5.1)",
    head("GET / HTTP/1.1", "Host\t: a"),
  ],
  [
    "a field line without a colon",
    head("GET / HTTP/1.1", "Host: a", "NoColon"),
  ],
  ["a field line with an empty name", head("GET / HTTP/1.1", "Host: a", ": v")],
  ["a non-token field name", head("GET / HTTP/1.1", "Host: a", "X(y): v")],
  ["a field name with obs-text", head("GET / HTTP/1.1", "Host: a", "X\xe9: v")],
  [
    "NUL in a field value (RFC 9110 §5.5)",
    head("GET / HTTP/1.1", "Host: a", "X: a\x00b"),
  ],
  [
    "a bare CR in a field value (RFC 9112 §2.2)",
    head("GET / HTTP/1.1", "Host: a", "X: a\rb"),
  ],
  [
    "DEL in a field value (RFC 9110 §5.5)",
    head("GET / HTTP/1.1", "Host: a", "X: a\x7fb"),
  ],
  [
    "a control char in a field value (RFC 9110 §5.5)",
    head("GET / HTTP/1.1", "Host: a", "X: a\x01b"),
  ],
  [
    "ESC in a field value (RFC 9110 §5.5)",
    head("GET / HTTP/1.1", "Host: a", "X: \x1b[31m"),
  ],
  [
    "a double space after the method (RFC 9112 §3)",
    head("GET  / HTTP/1.1", "Host: a"),
  ],
  [
    "a double space before the version (RFC 9112 §3)",
    head("GET /  HTTP/1.1", "Host: a"),
  ],
  ["a leading space in the request line", head(" GET / HTTP/1.1", "Host: a")],
  ["a trailing space in the request line", head("GET / HTTP/1.1 ", "Host: a")],
  ["a tab between the parts", head("GET\t/ HTTP/1.1", "Host: a")],
  ["a missing target", head("GET HTTP/1.1", "Host: a")],
  ["a missing version", head("GET /", "Host: a")],
  ["only a method", head("GET", "Host: a")],
  ["a space inside the target", head("GET /a b HTTP/1.1", "Host: a")],
  ["a control char in the target", head("GET /a\x01 HTTP/1.1", "Host: a")],
  ["a non-token method", head("G(T / HTTP/1.1", "Host: a")],
  ["a lowercase version (RFC 9112 §2.3)", head("GET / http/1.1", "Host: a")],
  ["a version without minor", head("GET / HTTP/1", "Host: a")],
  ["a two-digit major version", head("GET / HTTP/11.1", "Host: a")],
  ["a garbage version", head("GET / HTXP/1.1", "Host: a")],
  ["a bare CR line end on the request line", "GET / HTTP/1.1\rHost: a\r\n\r\n"],
  ["HTTP/1.1 without Host (RFC 9112 §3.2)", head("GET / HTTP/1.1")],
  [
    "HTTP/1.1 with two Host fields (RFC 9112 §3.2)",
    head("GET / HTTP/1.1", "Host: a", "Host: a"),
  ],
  [
    "HTTP/1.0 with two Host fields (RFC 9112 §3.2)",
    head("GET / HTTP/1.0", "Host: a", "host: b"),
  ],
  ["a Host with a space (RFC 9110 §7.2)", head("GET / HTTP/1.1", "Host: a b")],
  ["a Host with a slash (RFC 9110 §7.2)", head("GET / HTTP/1.1", "Host: a/b")],
  ["a Host with userinfo (RFC 9110 §7.2)", head("GET / HTTP/1.1", "Host: u@a")],
  [
    "a Host with obs-text (RFC 9110 §7.2)",
    head("GET / HTTP/1.1", "Host: \xe9"),
  ],
  [
    "an empty Host with an origin-form target (RFC 9110 §4.2.1, §7.2)",
    head("GET / HTTP/1.1", "Host:"),
  ],
  [
    "an invalid Host in HTTP/1.0 (RFC 9112 §3.2)",
    head("GET / HTTP/1.0", "Host: [::1"),
  ],
  [
    "a Host with a bad port (RFC 9112 §3.2)",
    head("GET / HTTP/1.1", "Host: a:b"),
  ],
  ["an empty head", "\r\n"],
];
for (const [what, input] of malformedRequests) {
  Deno.test(`parseRequestHead() throws "malformed" when the head has ${what}`, () => {
    rejects(() => parseRequestHead(input), "malformed");
  });
}

const unsupportedVersions = ["HTTP/2.0", "HTTP/0.9", "HTTP/3.0", "HTTP/9.9"];
for (const version of unsupportedVersions) {
  Deno.test(`parseRequestHead() throws "version" (505) when the version is ${version} (RFC 9110 §15.6.6)`, () => {
    rejects(
      () => parseRequestHead(head(`GET / ${version}`, "Host: a")),
      "version",
    );
  });
}

Deno.test('parseRequestHead() throws "uri-too-long" when the request line exceeds maxLine (RFC 9112 §3)', () => {
  const prefix = "GET /";
  const suffix = " HTTP/1.1";
  const fits = `${prefix}${
    "a".repeat(8192 - prefix.length - suffix.length)
  }${suffix}`;
  assert.equal(fits.length, 8192);
  assert.equal(
    parseRequestHead(head(fits, "Host: a")).target.length,
    8192 - "GET ".length - suffix.length,
  );
  const long = `${prefix}${
    "a".repeat(8193 - prefix.length - suffix.length)
  }${suffix}`;
  rejects(() => parseRequestHead(head(long, "Host: a")), "uri-too-long");
});

Deno.test('parseRequestHead() throws "head-too-large" past maxFields (RFC 6585 §5)', () => {
  const fields = (n: number) =>
    Array.from({ length: n }, (_, i) => `X-${i}: v`);
  const hundred = parseRequestHead(
    head("GET / HTTP/1.1", "Host: a", ...fields(99)),
  );
  assert.equal(hundred.headers.size, DEFAULT_HEAD_LIMITS.maxFields);
  rejects(
    () => parseRequestHead(head("GET / HTTP/1.1", "Host: a", ...fields(100))),
    "head-too-large",
  );
  rejects(
    () =>
      parseRequestHead(head("GET / HTTP/1.0", ...fields(3)), {
        ...DEFAULT_HEAD_LIMITS,
        maxFields: 2,
      }),
    "head-too-large",
  );
});

Deno.test("parseResponseHead() reads version, status, reason and fields (RFC 9112 §4)", () => {
  const h = parseResponseHead(head("HTTP/1.1 200 OK", "Content-Length: 3"));
  assert.equal(h.version, "HTTP/1.1");
  assert.equal(h.status, 200);
  assert.equal(h.reason, "OK");
  assert.deepEqual(h.headers.toArray(), [["Content-Length", "3"]]);
});

const validResponses: [string, string, number, string][] = [
  ["a missing reason phrase", head("HTTP/1.1 204"), 204, ""],
  ["an empty reason phrase after the space", head("HTTP/1.1 204 "), 204, ""],
  [
    "a reason with spaces and tabs",
    head("HTTP/1.1 404 Not\tVery  Found "),
    404,
    "Not\tVery  Found ",
  ],
  [
    "an odd reason phrase",
    head("HTTP/1.1 200 Totally Fine!?"),
    200,
    "Totally Fine!?",
  ],
  [
    "an obs-text reason phrase",
    head("HTTP/1.1 200 D\xe9j\xe0 vu"),
    200,
    "D\xe9j\xe0 vu",
  ],
  ["status 100", head("HTTP/1.1 100 Continue"), 100, "Continue"],
  ["status 999", head("HTTP/1.1 999 Custom"), 999, "Custom"],
  ["status 599 without reason", head("HTTP/1.1 599"), 599, ""],
  ["HTTP/1.0", head("HTTP/1.0 200 OK"), 200, "OK"],
  ["bare LF line ends (RFC 9112 §2.2)", "HTTP/1.1 200 OK\nX: y\n\n", 200, "OK"],
];
for (const [what, input, status, reason] of validResponses) {
  Deno.test(`parseResponseHead() accepts ${what} (RFC 9112 §4)`, () => {
    const h = parseResponseHead(input);
    assert.equal(h.status, status);
    assert.equal(h.reason, reason);
  });
}

const malformedResponses: [string, string][] = [
  ["status 099", head("HTTP/1.1 099 Low")],
  ["status 1000", head("HTTP/1.1 1000 High")],
  ["a two-digit status", head("HTTP/1.1 20 OK")],
  ["a non-numeric status", head("HTTP/1.1 2x0 OK")],
  ["a double space before the status", head("HTTP/1.1  200 OK")],
  ["no space after the version", head("HTTP/1.1")],
  ["a lowercase version", head("http/1.1 200 OK")],
  ["a control char in the reason", head("HTTP/1.1 200 O\x01K")],
  ["obs-fold (RFC 9112 §5.2)", head("HTTP/1.1 200 OK", "X: a", " b")],
  ["a space before a colon (RFC 9112 §5.1)", head("HTTP/1.1 200 OK", "X : a")],
  ["NUL in a value", head("HTTP/1.1 200 OK", "X: \x00")],
  ["an empty head", "\r\n"],
];
for (const [what, input] of malformedResponses) {
  Deno.test(`parseResponseHead() throws "malformed" when the head has ${what} (RFC 9112 §4)`, () => {
    rejects(() => parseResponseHead(input), "malformed");
  });
}

Deno.test('parseResponseHead() throws "version" when the version is HTTP/2.0', () => {
  rejects(() => parseResponseHead(head("HTTP/2.0 200 OK")), "version");
});

Deno.test("parseRequestHead() and serializeRequestHead() keep obs-text byte-exact (RFC 9110 §5.5)", () => {
  const input = head(
    "GET /caf\xe9 HTTP/1.1",
    "Host: a",
    "X-Latin: caf\xe9 \xff\x80",
  );
  const h = parseRequestHead(input);
  assert.equal(h.headers.first("x-latin"), "caf\xe9 \xff\x80");
  assert.equal(serializeRequestHead(h), input);
});

Deno.test("parseResponseHead() and serializeResponseHead() round-trip casing, order and repeats", () => {
  const input = head(
    "HTTP/1.1 200 Fine",
    "set-cookie: a=1",
    "X-B: \xe9",
    "Set-Cookie: b=2",
  );
  assert.equal(serializeResponseHead(parseResponseHead(input)), input);
});

Deno.test("serializeResponseHead() writes the status line with an empty reason as 'SP' (RFC 9112 §4)", () => {
  const text = serializeResponseHead({
    version: "HTTP/1.1",
    status: 599,
    reason: "",
    headers: new FieldList(),
  });
  assert.equal(text, "HTTP/1.1 599 \r\n\r\n");
  assert.equal(parseResponseHead(text).status, 599);
});
