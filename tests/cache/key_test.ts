import assert from "../helpers/assert.ts";
import {
  DEFAULT_VARIANT,
  keyParts,
  primaryKey,
  uriKey,
  variantId,
} from "../../cache/key.ts";

/** [Host, request target, key]: the key is the forwarded target URI. */
const keys: [string, string, string][] = [
  ["example.com", "/a", "http://example.com/a"],
  ["Example.COM", "/a", "http://example.com/a"],
  ["example.com:80", "/a", "http://example.com/a"],
  ["example.com:", "/a", "http://example.com/a"],
  ["example.com:080", "/a", "http://example.com/a"],
  ["example.com:8080", "/a", "http://example.com:8080/a"],
  ["example.com:443", "/a", "http://example.com:443/a"],
  ["127.0.0.1:20000", "/1.txt", "http://127.0.0.1:20000/1.txt"],
  ["[::1]:80", "/a", "http://[::1]/a"],
  ["[FE80::1]:8080", "/", "http://[fe80::1]:8080/"],
  ["a.example", "", "http://a.example/"],
  ["a.example", "?q=1", "http://a.example/?q=1"],
  ["a.example", "/a?", "http://a.example/a?"],
  ["a.example", "/a?B=%7e&c=d", "http://a.example/a?B=%7e&c=d"],
  ["a.example", "/%7euser/%2f%41", "http://a.example/%7euser/%2f%41"],
  ["a.example", "/%7Euser", "http://a.example/%7Euser"],
  ["a.example", "/Path/Case", "http://a.example/Path/Case"],
  ["a.example", "/a/../b/./c", "http://a.example/a/../b/./c"],
  ["a.example", "//double", "http://a.example//double"],
  ["a.example", "/caf\xc3\xa9", "http://a.example/caf\xc3\xa9"],
];

for (const [host, target, expected] of keys) {
  Deno.test(`primaryKey() is ${expected} for Host ${host} and target ${target} (RFC 9111 §2, RFC 9110 §4.2.3, §7.7)`, () => {
    assert.equal(primaryKey(host, target), expected);
  });
}

Deno.test("primaryKey() tells apart every target that is forwarded differently", () => {
  const targets = ["/a", "/a?", "/%61", "/A", "/a/", "/a/.", "/b/../a", "/a?x"];
  const built = targets.map((t) => primaryKey("h", t));
  assert.equal(new Set(built).size, targets.length, built.join(" "));
  assert.notEqual(primaryKey("a.example", "/"), primaryKey("b.example", "/"));
  assert.notEqual(primaryKey("h:8080", "/"), primaryKey("h", "/"));
});

Deno.test("primaryKey() is undefined, never a throw, when the request has no http target URI", () => {
  const rows: [string, string][] = [
    ["h", "*"], // asterisk-form: OPTIONS *
    ["h", "a/b"],
    ["h", "/a#frag"],
    ["h", "/a b"],
    ["h", "/a\x00"],
    ["", "/"],
    ["user@h", "/"],
    ["user:pw@h", "/"],
    ["h:x", "/"],
    ["h:0", "/"],
    ["h:65536", "/"],
    ["h:123456", "/"],
    ["h h", "/"],
    ["h/x", "/"],
    ["h%zz", "/"],
    ["[::1", "/"],
    ["::1", "/"],
    ["[]", "/"],
  ];
  for (const [host, target] of rows) {
    assert.equal(primaryKey(host, target), undefined, `${host} ${target}`);
  }
});

const uris: [string, string | undefined][] = [
  ["http://example.com/a", "http://example.com/a"],
  ["HTTP://Example.COM:80/a", "http://example.com/a"],
  ["http://example.com", "http://example.com/"],
  ["http://example.com?q=1", "http://example.com/?q=1"],
  ["http://example.com/a?", "http://example.com/a?"],
  ["http://example.com/a#frag", "http://example.com/a"],
  ["http://example.com/%7e?b#c", "http://example.com/%7e?b"],
  ["http://user:pw@example.com/a", undefined],
  ["https://example.com/a", undefined],
  ["/relative", undefined],
  ["example.com/a", undefined],
  ["http:///a", undefined],
  ["http://[::1/a", undefined],
];

for (const [uri, expected] of uris) {
  Deno.test(`uriKey() of ${uri} is ${expected}`, () => {
    assert.equal(uriKey(uri), expected);
  });
}

Deno.test("variantId() is the default id when the response has no Vary", () => {
  assert.equal(variantId([]), DEFAULT_VARIANT);
});

Deno.test("variantId() is stable and tells different values apart", () => {
  const gzip = variantId([["accept-encoding", "gzip"]]);
  assert.equal(gzip, variantId([["accept-encoding", "gzip"]]));
  assert.match(gzip, /^[0-9a-f]{32}$/);
  const others = [
    variantId([["accept-encoding", "br"]]),
    variantId([["accept-encoding", null]]),
    variantId([["accept-encoding", ""]]),
    variantId([["accept-language", "gzip"]]),
    variantId([["accept-encoding", "gzip"], ["accept", "*/*"]]),
    variantId([["accept", "*/*"], ["accept-encoding", "gzip"]]),
  ];
  assert.equal(new Set([gzip, ...others]).size, others.length + 1);
});

Deno.test("variantId() is safe as a file name whatever the values hold", () => {
  const id = variantId([["x", "../../etc/passwd\u0000/\\:*?"]]);
  assert.match(id, /^[0-9a-f]{32}$/);
});

Deno.test("primaryKey() appends the server the response is fetched from when it is not the URI's own, and keyParts() splits it off (RFC 9111 §2)", () => {
  const key = primaryKey("bank.example", "/a?b", "127.0.0.1:20000");
  assert.equal(key, "http://bank.example/a?b via 127.0.0.1:20000");
  assert.deepEqual(keyParts(key!), {
    uri: "http://bank.example/a?b",
    via: "127.0.0.1:20000",
  });
  assert.deepEqual(keyParts("http://bank.example/a?b"), {
    uri: "http://bank.example/a?b",
  });
  assert.notEqual(key, primaryKey("bank.example", "/a?b"));
});
