import { assertEquals } from "../helpers/assert.ts";
import { FieldList } from "../../http/headers.ts";
import type { RequestHead } from "../../http/types.ts";
import {
  parseAuthority,
  route,
  type RoutingRules,
} from "../../proxy/target.ts";

const rules: RoutingRules = {
  upstream: { host: "127.0.0.1", port: 20000 },
  forward: true,
  connectPorts: [443, 20000],
};

function head(
  method: string,
  target: string,
  host = "proxy.test:12345",
): RequestHead {
  return {
    method,
    target,
    version: "HTTP/1.1",
    headers: new FieldList([["Host", host]]),
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

Deno.test("parseAuthority() accepts hosts, IPv6 literals and ports; refuses userinfo and bad ports", () => {
  assertEquals(parseAuthority("a.test:81", 80), { host: "a.test", port: 81 });
  assertEquals(parseAuthority("[::1]:8080", 80), { host: "::1", port: 8080 });
  assertEquals(parseAuthority("a.test", 80), { host: "a.test", port: 80 });
  assertEquals(parseAuthority("a.test", undefined), undefined);
  assertEquals(parseAuthority("user@a.test", 80), undefined);
  assertEquals(parseAuthority("a.test:0", 80), undefined);
  assertEquals(parseAuthority("a.test:70000", 80), undefined);
  assertEquals(parseAuthority("", 80), undefined);
});
