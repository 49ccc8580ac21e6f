import assert from "../helpers/assert.ts";
import {
  FieldList,
  isHopByHop,
  parseDecimal,
  splitList,
  stripHopByHop,
} from "../../http/headers.ts";

function sample(): FieldList {
  return new FieldList([
    ["Host", "a.example"],
    ["Accept", "text/html"],
    ["X-Multi", "one"],
    ["accept", "text/plain"],
    ["X-Multi", "two"],
  ]);
}

Deno.test("FieldList.first() and get() ignore name case (RFC 9110 §5.1)", () => {
  const f = sample();
  assert.equal(f.first("ACCEPT"), "text/html");
  assert.equal(f.get("accept"), "text/html, text/plain");
  assert.equal(f.get("missing"), undefined);
  assert.equal(f.first("missing"), undefined);
  assert.equal(f.has("host"), true);
  assert.equal(f.has("hosts"), false);
});

Deno.test("FieldList.getAll() returns each field separately in wire order", () => {
  assert.deepEqual(sample().getAll("x-multi"), ["one", "two"]);
  assert.deepEqual(sample().getAll("nope"), []);
});

Deno.test("FieldList.entries() keeps original casing and order", () => {
  assert.deepEqual(sample().toArray(), [
    ["Host", "a.example"],
    ["Accept", "text/html"],
    ["X-Multi", "one"],
    ["accept", "text/plain"],
    ["X-Multi", "two"],
  ]);
  assert.equal(sample().size, 5);
});

Deno.test("FieldList.set() replaces every field of a name at the first one's place", () => {
  const f = sample();
  f.set("ACCEPT", "*/*");
  assert.deepEqual(f.toArray(), [
    ["Host", "a.example"],
    ["Accept", "*/*"],
    ["X-Multi", "one"],
    ["X-Multi", "two"],
  ]);
});

Deno.test("FieldList.set() appends when the name is absent", () => {
  const f = sample();
  f.set("Via", "1.1 cachelab");
  assert.deepEqual(f.toArray().at(-1), ["Via", "1.1 cachelab"]);
});

Deno.test("FieldList.delete() removes every field of a name and reports it", () => {
  const f = sample();
  assert.equal(f.delete("x-multi"), true);
  assert.equal(f.delete("x-multi"), false);
  assert.equal(f.size, 3);
  assert.equal(f.has("X-Multi"), false);
});

Deno.test("FieldList.clone() is independent of the original", () => {
  const f = sample();
  const copy = f.clone();
  copy.set("Host", "b.example");
  copy.append("New", "1");
  assert.equal(f.first("host"), "a.example");
  assert.equal(f.has("new"), false);
  assert.equal(copy.first("host"), "b.example");
});

Deno.test("FieldList.deleteWhere() drops fields by lowercase name", () => {
  const f = sample();
  const seen: string[] = [];
  f.deleteWhere((n) => {
    seen.push(n);
    return n.startsWith("x-");
  });
  assert.deepEqual(seen, ["host", "accept", "x-multi", "accept", "x-multi"]);
  assert.deepEqual(f.toArray().map(([n]) => n), ["Host", "Accept", "accept"]);
});

Deno.test("FieldList.list() splits every field's elements (RFC 9110 §5.6.1)", () => {
  const f = new FieldList([
    ["Cache-Control", "no-cache, max-age=5"],
    ["cache-control", ' , private="a, b" ,'],
  ]);
  assert.deepEqual(f.list("cache-control"), [
    "no-cache",
    "max-age=5",
    'private="a, b"',
  ]);
});

const splitCases: [string, string[]][] = [
  ["", []],
  ["a", ["a"]],
  [" a ,b,, c ", ["a", "b", "c"]],
  [",,,", []],
  ['"a,b", c', ['"a,b"', "c"]],
  ['"a\\",b", c', ['"a\\",b"', "c"]],
  ['W/"x", "y"', ['W/"x"', '"y"']],
  ["\ta\t,\tb", ["a", "b"]],
];
for (const [input, expected] of splitCases) {
  Deno.test(`splitList() gives ${JSON.stringify(expected)} when the value is ${JSON.stringify(input)} (RFC 9110 §5.6.1)`, () => {
    assert.deepEqual(splitList(input), expected);
  });
}

Deno.test("stripHopByHop() removes the fixed set and fields named in Connection (RFC 9110 §7.6.1)", () => {
  const f = new FieldList([
    ["Connection", "X-Secret, close"],
    ["Keep-Alive", "timeout=5"],
    ["Transfer-Encoding", "chunked"],
    ["TE", "trailers"],
    ["Trailer", "X-T"],
    ["Upgrade", "h2c"],
    ["Proxy-Connection", "keep-alive"],
    ["Proxy-Authenticate", "Basic"],
    ["Proxy-Authorization", "Basic eA=="],
    ["x-secret", "1"],
    ["Content-Type", "text/plain"],
    ["Authorization", "Bearer t"],
  ]);
  stripHopByHop(f);
  assert.deepEqual(f.toArray(), [
    ["Content-Type", "text/plain"],
    ["Authorization", "Bearer t"],
  ]);
});

Deno.test("stripHopByHop() removes every field RFC 9111 §3.1 says a cache must not store, whatever its case (RFC 9111 §3.1, RFC 9110 §7.6.1)", () => {
  // RFC 9111 §3.1: the Connection field and those it names, the fields
  // RFC 9110 §7.6.1 lists as hop-by-hop (Proxy-Connection, Keep-Alive,
  // TE, Transfer-Encoding, Upgrade), and "Proxy-Authenticate,
  // Proxy-Authentication-Info, and Proxy-Authorization".
  const hopByHop = [
    "Connection",
    "Proxy-Connection",
    "Keep-Alive",
    "TE",
    "Transfer-Encoding",
    "Upgrade",
    "Proxy-Authenticate",
    "Proxy-Authentication-Info",
    "Proxy-Authorization",
  ];
  for (const name of [...hopByHop, ...hopByHop.map((n) => n.toUpperCase())]) {
    const f = new FieldList([[name, "x"], ["ETag", '"a"']]);
    stripHopByHop(f);
    assert.deepEqual(f.toArray(), [["ETag", '"a"']], name);
    assert.ok(isHopByHop(name.toLowerCase()), name);
  }
  for (const kept of ["Authentication-Info", "WWW-Authenticate", "Age"]) {
    assert.ok(!isHopByHop(kept.toLowerCase()), kept); // end-to-end (RFC 9110 §11.6.3, §11.6.1)
  }
});

Deno.test("stripHopByHop() keeps end-to-end fields when there is no Connection", () => {
  const f = new FieldList([["Upgrade", "x"], ["Cache-Control", "max-age=1"]]);
  stripHopByHop(f);
  assert.deepEqual(f.toArray(), [["Cache-Control", "max-age=1"]]);
});

Deno.test("isHopByHop() is true only for the fixed set, in lowercase", () => {
  assert.equal(isHopByHop("connection"), true);
  assert.equal(isHopByHop("transfer-encoding"), true);
  assert.equal(isHopByHop("content-length"), false);
  assert.equal(isHopByHop("cache-control"), false);
});

Deno.test("parseDecimal() reads 1*DIGIT as a number: leading zeros, surrounding whitespace; undefined for anything else (RFC 9110 §7.6.2, §8.6)", () => {
  const cases: [string | undefined, number | undefined][] = [
    ["0", 0],
    ["00", 0],
    [" 007\t", 7],
    ["10", 10],
    ["99999999999999999999", Number.MAX_SAFE_INTEGER],
    [undefined, undefined],
    ["", undefined],
    [" ", undefined],
    ["-1", undefined],
    ["+1", undefined],
    ["1.0", undefined],
    ["1e3", undefined],
    ["0x10", undefined],
    ["1, 2", undefined],
    ["1 2", undefined],
    ["١", undefined], // Arabic-Indic digit one: not DIGIT
  ];
  for (const [value, expected] of cases) {
    assert.equal(parseDecimal(value), expected, JSON.stringify(value));
  }
});
