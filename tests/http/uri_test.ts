import { assertEquals } from "../helpers/assert.ts";
import {
  isIPv6Address,
  parseAuthority,
  parseUriReference,
  removeDotSegments,
  resolveReference,
  type UriReference,
} from "../../http/uri.ts";

Deno.test("parseAuthority() accepts hosts, IPv6 literals and ports; refuses userinfo and bad ports (RFC 3986 §3.2)", () => {
  assertEquals(parseAuthority("a.test:81", 80), { host: "a.test", port: 81 });
  assertEquals(parseAuthority("[::1]:8080", 80), { host: "::1", port: 8080 });
  assertEquals(parseAuthority("a.test", 80), { host: "a.test", port: 80 });
  assertEquals(parseAuthority("a.test:", 80), { host: "a.test", port: 80 });
  assertEquals(parseAuthority("A.Test", 80), { host: "A.Test", port: 80 });
  assertEquals(parseAuthority("a%2Db", 80), { host: "a%2Db", port: 80 });
  assertEquals(parseAuthority("a.test", undefined), undefined);
  assertEquals(parseAuthority("a.test:", undefined), undefined);
  assertEquals(parseAuthority("user@a.test", 80), undefined);
  assertEquals(parseAuthority("a.test:0", 80), undefined);
  assertEquals(parseAuthority("a.test:70000", 80), undefined);
  assertEquals(parseAuthority("a.test:000080", 80), undefined);
  assertEquals(parseAuthority("", 80), undefined);
  assertEquals(parseAuthority(":80", 80), undefined);
  assertEquals(parseAuthority("a%zz", 80), undefined);
  assertEquals(parseAuthority("a b", 80), undefined);
  assertEquals(parseAuthority("[::1]x", 80), undefined);
});

Deno.test("isIPv6Address() follows the IPv6address rule of RFC 3986 §3.2.2", () => {
  const valid = [
    "::",
    "::1",
    "1::",
    "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6::8",
    "1::8",
    "fe80::1:2",
    "FFFF::abcd",
    "::ffff:192.0.2.1",
    "1:2:3:4:5:6:192.0.2.1",
    "::192.0.2.1",
  ];
  for (const text of valid) assertEquals(isIPv6Address(text), true, text);
  const invalid = [
    "",
    "1",
    ":",
    ":1",
    "1:",
    ":1::",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7::8",
    "1::2::3",
    "12345::",
    "g::",
    "::1.2.3",
    "::256.0.0.1",
    "::01.2.3.4",
    "1.2.3.4",
    "1:2:3:4:5:6:7:1.2.3.4",
    "::1.2.3.4:5",
    "::1%eth0",
  ];
  for (const text of invalid) assertEquals(isIPv6Address(text), false, text);
});

Deno.test("parseAuthority() refuses an IP literal that is not an IPv6 address (RFC 3986 §3.2.2)", () => {
  for (const text of ["[1]", "[::1::]", "[v1.a]", "[::1%25eth0]", "[...]"]) {
    assertEquals(parseAuthority(text, 80), undefined, text);
  }
  assertEquals(parseAuthority("[::ffff:1.2.3.4]", 80), {
    host: "::ffff:1.2.3.4",
    port: 80,
  });
});

Deno.test("parseUriReference() splits the five components, keeping an empty query apart from none (RFC 3986 Appendix B)", () => {
  assertEquals(parseUriReference("HTTP://h:1/p/q?x=1#f"), {
    scheme: "HTTP",
    authority: "h:1",
    path: "/p/q",
    query: "x=1",
    fragment: "f",
  });
  assertEquals(parseUriReference("/a?"), {
    scheme: undefined,
    authority: undefined,
    path: "/a",
    query: "",
    fragment: undefined,
  });
  assertEquals(parseUriReference("//h").authority, "h");
  assertEquals(parseUriReference("").path, "");
});

const BASE = parseUriReference("http://a/b/c/d;p?q");

/** RFC 3986 §5.4.1 and §5.4.2, the strict parser's results. */
const resolutions: [string, string][] = [
  ["g:h", "g:h"],
  ["g", "http://a/b/c/g"],
  ["./g", "http://a/b/c/g"],
  ["g/", "http://a/b/c/g/"],
  ["/g", "http://a/g"],
  ["//g", "http://g"],
  ["?y", "http://a/b/c/d;p?y"],
  ["g?y", "http://a/b/c/g?y"],
  ["#s", "http://a/b/c/d;p?q#s"],
  ["g#s", "http://a/b/c/g#s"],
  [";x", "http://a/b/c/;x"],
  ["", "http://a/b/c/d;p?q"],
  [".", "http://a/b/c/"],
  ["./", "http://a/b/c/"],
  ["..", "http://a/b/"],
  ["../g", "http://a/b/g"],
  ["../..", "http://a/"],
  ["../../g", "http://a/g"],
  ["../../../g", "http://a/g"],
  ["/./g", "http://a/g"],
  ["/../g", "http://a/g"],
  ["g.", "http://a/b/c/g."],
  ["..g", "http://a/b/c/..g"],
  ["./../g", "http://a/b/g"],
  ["g/./h", "http://a/b/c/g/h"],
  ["g/../h", "http://a/b/c/h"],
  ["g;x=1/../y", "http://a/b/c/y"],
  ["g?y/./x", "http://a/b/c/g?y/./x"],
  ["g#s/../x", "http://a/b/c/g#s/../x"],
  ["http:g", "http:g"],
  ["%7e/%2F", "http://a/b/c/%7e/%2F"],
];

for (const [reference, expected] of resolutions) {
  Deno.test(`resolveReference() resolves "${reference}" to ${expected} (RFC 3986 §5.4)`, () => {
    assertEquals(
      serialise(resolveReference(BASE, parseUriReference(reference))),
      expected,
    );
  });
}

Deno.test("removeDotSegments() follows RFC 3986 §5.2.4", () => {
  assertEquals(removeDotSegments("/a/b/c/./../../g"), "/a/g");
  assertEquals(removeDotSegments("mid/content=5/../6"), "mid/6");
  assertEquals(removeDotSegments("/.."), "/");
  assertEquals(removeDotSegments("/a/%2E%2E/b"), "/a/%2E%2E/b");
});

/** RFC 3986 §5.3, for the comparison only. */
function serialise(uri: UriReference): string {
  let out = "";
  if (uri.scheme !== undefined) out += `${uri.scheme}:`;
  if (uri.authority !== undefined) out += `//${uri.authority}`;
  out += uri.path;
  if (uri.query !== undefined) out += `?${uri.query}`;
  if (uri.fragment !== undefined) out += `#${uri.fragment}`;
  return out;
}
