import assert from "../helpers/assert.ts";
import { type Field, FieldList } from "../../http/headers.ts";
import { hostFieldProblem } from "../../http/host.ts";
import type { HttpVersion } from "../../http/types.ts";

function problem(
  target: string,
  fields: Field[],
  version: HttpVersion = "HTTP/1.1",
): string | undefined {
  const method = /^[/*]|:\/\//.test(target) ? "GET" : "CONNECT";
  const headers = new FieldList(fields);
  return hostFieldProblem({ method, target, version, headers });
}

Deno.test("hostFieldProblem() accepts one valid Host, whatever the form of the target (RFC 9112 §3.2)", () => {
  const valid = [
    "a.example",
    "A.Example:8080",
    "a.example:", // port = *DIGIT: empty is the default port
    "127.0.0.1",
    "[::1]",
    "[::1]:8080",
    "[2001:db8::ffff:192.0.2.1]",
    "a%41.example",
    "a_b~c!$&'()*+,;=",
    "a.example:65535",
  ];
  for (const host of valid) {
    for (const target of ["/", "*", "http://b.example/", "b.example:443"]) {
      assert.equal(problem(target, [["Host", host]]), undefined, host);
    }
  }
});

Deno.test("hostFieldProblem() refuses an invalid Host in any version and whatever the target (RFC 9112 §3.2, RFC 3986 §3.2.2)", () => {
  const invalid = [
    "[::1",
    "a]",
    "a:b",
    "a:-1",
    "a:0",
    "a:65536",
    "[zz]",
    "[1]",
    "[1:2:3:4:5:6:7:8:9]",
    "[1::2::3]",
    "[::1%25eth0]",
    "[v1.x]",
    "%zz",
    "a b",
    "a/b",
    "u@a",
    ":80",
    "\xe9",
  ];
  for (const host of invalid) {
    for (const version of ["HTTP/1.1", "HTTP/1.0"] as const) {
      for (const target of ["/", "*", "http://b.example/"]) {
        assert.equal(
          problem(target, [["Host", host]], version),
          "invalid Host",
          `${host} ${version} ${target}`,
        );
      }
    }
  }
});

Deno.test("hostFieldProblem() refuses a missing Host in HTTP/1.1 only, and two Host lines in any version (RFC 9112 §3.2)", () => {
  assert.equal(problem("/", []), "missing Host");
  assert.equal(problem("http://a.example/", []), "missing Host");
  assert.equal(problem("/", [], "HTTP/1.0"), undefined);
  for (const version of ["HTTP/1.1", "HTTP/1.0"] as const) {
    assert.equal(
      problem("/", [["Host", "a"], ["host", "a"]], version),
      "repeated Host",
    );
  }
});

Deno.test("hostFieldProblem() accepts an empty Host only with an absolute-form target (RFC 9110 §4.2.1, §7.2; RFC 9112 §3.2.2)", () => {
  assert.equal(problem("http://a.example/", [["Host", ""]]), undefined);
  assert.equal(
    hostFieldProblem({
      method: "GET",
      target: "urn:isbn:0451450523",
      version: "HTTP/1.1",
      headers: new FieldList([["Host", ""]]),
    }),
    undefined,
  );
  for (const target of ["/", "*", "a.example:443"]) {
    assert.equal(problem(target, [["Host", ""]]), "empty Host", target);
  }
});
