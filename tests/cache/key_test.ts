import assert from "../helpers/assert.ts";
import { DEFAULT_VARIANT, primaryKey, variantId } from "../../cache/key.ts";

const keys: [string, string][] = [
  ["http://example.com/a", "http://example.com/a"],
  ["HTTP://Example.COM/a", "http://example.com/a"],
  ["http://example.com", "http://example.com/"],
  ["http://example.com?q=1", "http://example.com/?q=1"],
  ["http://example.com:80/a", "http://example.com/a"],
  ["http://example.com:/a", "http://example.com/a"],
  ["http://example.com:080/a", "http://example.com/a"],
  ["http://example.com:8080/a", "http://example.com:8080/a"],
  ["https://example.com:443/a", "https://example.com/a"],
  ["https://example.com:80/a", "https://example.com:80/a"],
  ["http://example.com:443/a", "http://example.com:443/a"],
  ["http://example.com/a#frag", "http://example.com/a"],
  ["http://example.com/a?b=1#frag", "http://example.com/a?b=1"],
  ["http://example.com/a?B=%7e&c=d e", "http://example.com/a?B=%7e&c=d e"],
  ["http://example.com/a?", "http://example.com/a?"],
  ["http://example.com/%7euser/%2f%41", "http://example.com/~user/%2FA"],
  ["http://example.com/Path/Case", "http://example.com/Path/Case"],
  ["http://example.com/a/../b", "http://example.com/a/../b"],
  ["http://user:pw@example.com/a", "http://example.com/a"],
  ["http://[::1]:80/a", "http://[::1]/a"],
  ["http://[FE80::1]:8080", "http://[fe80::1]:8080/"],
  ["http://127.0.0.1:20000/1.txt", "http://127.0.0.1:20000/1.txt"],
];

for (const [input, expected] of keys) {
  Deno.test(`primaryKey() normalises ${input} (RFC 9111 §2, RFC 9110 §4.2.3)`, () => {
    assert.equal(primaryKey(input), expected);
  });
}

Deno.test("primaryKey() accepts a URL object and drops its fragment", () => {
  assert.equal(
    primaryKey(new URL("HTTP://Example.com:80/x?y#z")),
    "http://example.com/x?y",
  );
});

Deno.test("primaryKey() throws when the input is not an absolute URI with a host", () => {
  for (
    const bad of [
      "/relative",
      "example.com/a",
      "http:///a",
      "http://:80/a",
      "http://[::1/a",
      "http://h:x/",
    ]
  ) {
    assert.throws(() => primaryKey(bad), /Cannot build cache key/, bad);
  }
});

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
