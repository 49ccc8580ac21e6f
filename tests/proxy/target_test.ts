import { assertEquals } from "../helpers/assert.ts";
import { FieldList } from "../../http/headers.ts";
import type { RequestHead } from "../../http/types.ts";
import { route, type RoutingRules } from "../../proxy/target.ts";

const rules: RoutingRules = {
  upstream: { host: "127.0.0.1", port: 20000 },
  forward: true,
  connectPorts: [443, 20000],
};

function head(
  method: string,
  target: string,
  host: string | null = "proxy.test:12345",
): RequestHead {
  return {
    method,
    target,
    version: host === null ? "HTTP/1.0" : "HTTP/1.1",
    headers: new FieldList(host === null ? [] : [["Host", host]]),
  };
}

Deno.test("route() sends origin-form to the upstream and keeps the client's Host (RFC 9112 §3.2.1)", () => {
  assertEquals(route(head("GET", "/1.txt?x=1"), rules), {
    kind: "reverse",
    host: "127.0.0.1",
    port: 20000,
    path: "/1.txt?x=1",
    authority: "proxy.test:12345",
  });
});

Deno.test("route() sends OPTIONS * to the upstream (RFC 9112 §3.2.4)", () => {
  const r = route(head("OPTIONS", "*"), rules);
  assertEquals(r.kind === "reverse" && r.path, "*");
});

Deno.test("route() forwards absolute-form to the named host with Host from the URL (RFC 9112 §3.2.2)", () => {
  assertEquals(route(head("GET", "http://Example.test:8080/a/../b?q"), rules), {
    kind: "forward",
    host: "Example.test",
    port: 8080,
    path: "/a/../b?q",
    authority: "Example.test:8080",
  });
});

Deno.test("route() uses port 80 and path / for an absolute-form target without them", () => {
  const r = route(head("GET", "http://example.test"), rules);
  assertEquals(r.kind === "forward" && [r.port, r.path], [80, "/"]);
  const q = route(head("GET", "http://example.test?x"), rules);
  assertEquals(q.kind === "forward" && q.path, "/?x");
});

Deno.test("route() forwards OPTIONS for an absolute URI with an empty path and no query as OPTIONS * (RFC 9112 §3.2.4)", () => {
  const cases: [string, string][] = [
    ["http://example.test", "*"],
    ["http://example.test:8080", "*"],
    ["http://example.test/", "/"],
    ["http://example.test?x", "/?x"],
    ["http://example.test/a", "/a"],
  ];
  for (const [target, path] of cases) {
    const r = route(head("OPTIONS", target), rules);
    assertEquals(r.kind === "forward" && r.path, path, target);
  }
  const get = route(head("GET", "http://example.test"), rules);
  assertEquals(get.kind === "forward" && get.path, "/");
});

Deno.test("route() refuses absolute-form with 403 when forwarding is off", () => {
  const r = route(head("GET", "http://example.test/"), {
    ...rules,
    forward: false,
  });
  assertEquals(r.kind === "reject" && r.status, 403);
});

Deno.test("route() refuses https absolute-form with 501 and points to CONNECT", () => {
  const r = route(head("GET", "https://example.test/"), rules);
  assertEquals(r.kind === "reject" && r.status, 501);
});

Deno.test("route() opens tunnels only to allowed ports (RFC 9110 §9.3.6)", () => {
  assertEquals(route(head("CONNECT", "example.test:443"), rules), {
    kind: "tunnel",
    host: "example.test",
    port: 443,
  });
  const denied = route(head("CONNECT", "example.test:25"), rules);
  assertEquals(denied.kind === "reject" && denied.status, 403);
  const bad = route(head("CONNECT", "/path"), rules);
  assertEquals(bad.kind === "reject" && bad.status, 400);
});

Deno.test("route() rejects targets that are neither origin-form nor absolute-form", () => {
  for (const target of ["1.txt", "example.test:80", "http:/x", "*"]) {
    const r = route(head("GET", target), rules);
    assertEquals(r.kind === "reject" && r.status, 400, target);
  }
});

Deno.test("route() gives a request without Host (HTTP/1.0) the upstream's own authority (RFC 9112 §3.2)", () => {
  assertEquals(route(head("GET", "/x", null), rules), {
    kind: "reverse",
    host: "127.0.0.1",
    port: 20000,
    path: "/x",
    authority: "127.0.0.1:20000",
  });
  const v6 = route(head("GET", "/x", null), {
    ...rules,
    upstream: { host: "::1", port: 8080 },
  });
  assertEquals(v6.kind === "reverse" && v6.authority, "[::1]:8080");
});

Deno.test("route() keeps the client's Host exactly as sent, case and port included", () => {
  for (
    const host of ["A.Example", "a.example:80", "[::1]:8080", "a.example:"]
  ) {
    const r = route(head("GET", "/", host), rules);
    assertEquals(r.kind === "reverse" && r.authority, host);
  }
});

Deno.test("route() refuses with 400 a reverse request whose Host is not a valid authority (RFC 9112 §3.2)", () => {
  for (
    const host of [
      "",
      "user@a.example",
      "a.example:x",
      "a.example:0",
      "a b",
      "a/b",
      "[::1",
      "a%zz",
    ]
  ) {
    for (const target of ["/", "*"]) {
      const r = route(head("OPTIONS", target, host), rules);
      assertEquals(r.kind === "reject" && r.status, 400, `${host} ${target}`);
    }
  }
});

Deno.test("route() refuses with 400 a request target with a fragment, origin-form or absolute-form (RFC 9110 §7.1)", () => {
  for (
    const target of [
      "/a#b",
      "/#",
      "/a?q#b",
      "http://a.example/#b",
      "http://a.example#b",
    ]
  ) {
    const r = route(head("GET", target), rules);
    assertEquals(r.kind === "reject" && r.status, 400, target);
  }
});

Deno.test("route() refuses with 400 absolute-form with userinfo (RFC 9110 §4.2.4)", () => {
  for (
    const target of ["http://user@a.example/", "http://u:p@a.example:8080/x"]
  ) {
    const r = route(head("GET", target), rules);
    assertEquals(r.kind === "reject" && [r.status, r.reason], [
      400,
      "userinfo in the request target",
    ], target);
  }
});

Deno.test("route() forwards absolute-form path and query exactly, empty query included (RFC 9110 §7.7)", () => {
  const rows: [string, string][] = [
    ["http://a.example/x?", "/x?"],
    ["HTTP://a.example/%7e/%2F?A=%41", "/%7e/%2F?A=%41"],
    ["http://a.example//x/./../y", "//x/./../y"],
    ["http://a.example?", "/?"],
  ];
  for (const [target, path] of rows) {
    const r = route(head("GET", target), rules);
    assertEquals(r.kind === "forward" && r.path, path, target);
  }
  const v6 = route(head("GET", "http://[::1]:8080/x"), rules);
  assertEquals(
    v6.kind === "forward" && [v6.host, v6.port, v6.authority],
    ["::1", 8080, "[::1]:8080"],
  );
});

Deno.test("route() refuses with 400 the Host fields every server refuses, as head parsing does, for every form of target (RFC 9112 §3.2)", () => {
  const heads: [string, RequestHead][] = [
    ["HTTP/1.1 without Host", {
      ...head("GET", "/"),
      headers: new FieldList(),
    }],
    ["two Host lines", {
      ...head("GET", "http://a.example/"),
      headers: new FieldList([["Host", "a.example"], ["Host", "a.example"]]),
    }],
    [
      "an invalid Host with absolute-form",
      head("GET", "http://a.example/", "[1]"),
    ],
    ["an invalid Host with CONNECT", head("CONNECT", "a.example:443", "a:b")],
  ];
  for (const [what, h] of heads) {
    const r = route(h, rules);
    assertEquals(r.kind === "reject" && r.status, 400, what);
  }
  const empty = route(head("GET", "http://a.example/x", ""), rules);
  assertEquals(empty.kind === "forward" && empty.authority, "a.example");
});
