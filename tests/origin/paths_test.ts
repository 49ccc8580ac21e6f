import assert from "../helpers/assert.ts";
import {
  fsRefusal,
  isInside,
  parseTargetPath,
  resolveUnderRoot,
} from "../../origin/paths.ts";
import { makeFixture } from "./fixtures.ts";

/** [name, target, expected kind, expected segments] */
// deno-fmt-ignore
const TARGETS: [string, string, "path" | "bad" | "refused", string[]?][] = [
  ["splits a plain path", "/a/b.txt", "path", ["a", "b.txt"]],
  ["reads the root", "/", "path", []],
  ["decodes percent-escapes as UTF-8", "/%C3%A9.txt", "path", ["é.txt"]],
  ["decodes raw UTF-8 bytes of a binary-string target", "/\xc3\xa9.txt", "path", ["é.txt"]],
  ["keeps a space and a plus as they decode", "/a%20b+c", "path", ["a b+c"]],
  ["drops empty and '.' segments", "//a/./b/", "path", ["a", "b"]],
  ["drops the query", "/a?x=../../y", "path", ["a"]],
  ["uses the path of an absolute-form target (RFC 9112 §3.2.2)", "http://example.test:8080/a/b?q", "path", ["a", "b"]],
  ["reads an absolute-form target without a path as the root", "http://example.test", "path", []],
  ["refuses a '..' segment", "/../etc/passwd", "refused"],
  ["refuses a '..' segment in the middle", "/a/../../etc/passwd", "refused"],
  ["refuses an encoded '..' segment", "/%2e%2e/etc/passwd", "refused"],
  ["refuses a half-encoded '..' segment", "/.%2E/etc/passwd", "refused"],
  ["refuses an encoded slash", "/a%2fb", "refused"],
  ["refuses an encoded slash in capitals", "/a%2Fb", "refused"],
  ["refuses a backslash", "/a\\b", "refused"],
  ["refuses an encoded backslash", "/..%5c..%5cetc", "refused"],
  ["refuses an encoded NUL", "/a%00.txt", "refused"],
  ["refuses an encoded line feed", "/a%0a", "refused"],
  ["is bad for a truncated escape", "/a%2", "bad"],
  ["is bad for a lone percent", "/%", "bad"],
  ["is bad for a non-hex escape", "/%zz", "bad"],
  ["is bad for bytes that are not UTF-8", "/%c3%28", "bad"],
  ["is bad for an asterisk-form target", "*", "bad"],
  ["is bad for an authority-form target", "example.test:443", "bad"],
  ["is bad for a fragment", "/a#b", "bad"],
];

for (const [name, target, kind, segments] of TARGETS) {
  Deno.test(`parseTargetPath() ${name}`, () => {
    const parsed = parseTargetPath(target);
    assert.equal(parsed.kind, kind);
    if (parsed.kind === "path") assert.deepEqual(parsed.segments, segments);
  });
}

Deno.test("parseTargetPath() keeps the query and the trailing slash", () => {
  assert.deepEqual(parseTargetPath("/dir/?a=1&b"), {
    kind: "path",
    segments: ["dir"],
    query: "a=1&b",
    trailingSlash: true,
  });
  const noQuery = parseTargetPath("/dir");
  assert.equal(noQuery.kind === "path" && noQuery.query, undefined);
  assert.equal(noQuery.kind === "path" && noQuery.trailingSlash, false);
});

Deno.test("isInside() accepts the root and paths below it only", () => {
  assert.equal(isInside("/srv/root", "/srv/root"), true);
  assert.equal(isInside("/srv/root", "/srv/root/a"), true);
  assert.equal(isInside("/srv/root", "/srv/rootkit/a"), false);
  assert.equal(isInside("/srv/root", "/srv"), false);
  assert.equal(isInside("/", "/etc/passwd"), true);
});

Deno.test("resolveUnderRoot() finds a file and follows a link inside the root", async () => {
  await using fx = await makeFixture();
  const file = await resolveUnderRoot(fx.root, ["1.txt"]);
  assert.equal(file.kind, "found");
  const link = await resolveUnderRoot(fx.root, ["link-in"]);
  assert.equal(
    link.kind === "found" && link.realPath,
    await Deno.realPath(`${fx.root}/1.txt`),
  );
});

Deno.test("resolveUnderRoot() is forbidden when a link leads outside the root", async () => {
  await using fx = await makeFixture();
  assert.equal(
    (await resolveUnderRoot(fx.root, ["link-out"])).kind,
    "forbidden",
  );
  assert.equal(
    (await resolveUnderRoot(fx.root, ["linkdir-out", "secret.txt"])).kind,
    "forbidden",
  );
});

Deno.test("resolveUnderRoot() is missing for absent names and names below a file", async () => {
  await using fx = await makeFixture();
  assert.equal((await resolveUnderRoot(fx.root, ["nope.txt"])).kind, "missing");
  assert.equal(
    (await resolveUnderRoot(fx.root, ["1.txt", "x"])).kind,
    "missing",
  );
  assert.equal(
    (await resolveUnderRoot(fx.root, ["x".repeat(300)])).kind,
    "missing",
  );
});

Deno.test("resolveUnderRoot() is missing for a link loop", async () => {
  await using fx = await makeFixture();
  await Deno.symlink("loop-b", `${fx.root}/loop-a`);
  await Deno.symlink("loop-a", `${fx.root}/loop-b`);
  assert.equal((await resolveUnderRoot(fx.root, ["loop-a"])).kind, "missing");
});

Deno.test("resolveUnderRoot() throws when the root itself is gone", async () => {
  await using fx = await makeFixture();
  await assert.rejects(
    resolveUnderRoot(`${fx.dir}/gone`, ["1.txt"]),
    Deno.errors.NotFound,
  );
});

Deno.test("fsRefusal() maps permission denied to forbidden and rethrows the unknown", () => {
  assert.equal(
    fsRefusal(new Deno.errors.PermissionDenied("x")).kind,
    "forbidden",
  );
  assert.equal(fsRefusal(new Deno.errors.NotFound("x")).kind, "missing");
  assert.throws(() => fsRefusal(new Error("disk on fire")), /disk on fire/);
});
