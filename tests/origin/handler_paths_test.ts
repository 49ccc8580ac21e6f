import assert from "../helpers/assert.ts";
import { originHandler } from "../../origin/handler.ts";
import { bodyText, makeFixture, request } from "./fixtures.ts";

Deno.test("originHandler() answers the other methods it recognizes 405 with Allow: GET, HEAD (RFC 9110 §9.1, §15.5.6)", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  for (
    const method of [
      "POST",
      "PUT",
      "DELETE",
      "OPTIONS",
      "PATCH",
      "TRACE",
      "CONNECT",
    ]
  ) {
    const res = await handler(request("/1.txt", { method }));
    assert.equal(res.status, 405, method);
    assert.equal(res.headers.get("allow"), "GET, HEAD");
    assert.equal(res.headers.get("cache-control"), "no-cache");
    assert.match(await bodyText(res), /405 Method Not Allowed/);
  }
});

Deno.test("originHandler() answers a method it does not recognize 501, methods being case-sensitive (RFC 9110 §9.1, §15.6.2)", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  for (const method of ["BREW", "PURGE", "PROPFIND", "get", "Head", "QUERY"]) {
    const res = await handler(request("/1.txt", { method }));
    assert.equal(res.status, 501, method);
    assert.equal(res.headers.get("allow"), undefined, method);
    assert.equal(res.headers.get("cache-control"), "no-cache");
    assert.match(await bodyText(res), /501 Not Implemented/);
  }
});

Deno.test("originHandler() answers a missing file 404 with a short HTML body", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const res = await handler(request("/nope.txt"));
  assert.equal(res.status, 404);
  assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
  assert.equal(res.headers.get("cache-control"), "no-cache");
  assert.ok(res.headers.has("date"));
  const html = await bodyText(res);
  assert.match(html, /<h1>404 Not Found<\/h1>/);
  assert.equal(
    res.headers.get("content-length"),
    String(new TextEncoder().encode(html).length),
  );
  assert.equal((await handler(request("/1.txt/x"))).status, 404);
  assert.equal((await handler(request("/1.txt/"))).status, 404);
});

/** [target, status]: none of these may ever serve outside/secret.txt. */
// deno-fmt-ignore
const ESCAPES: [string, number][] = [
  ["/../outside/secret.txt", 404],
  ["/%2e%2e/outside/secret.txt", 404],
  ["/%2E%2E/%2E%2E/etc/passwd", 404],
  ["/sub/..%2f..%2foutside/secret.txt", 404],
  ["/..%5coutside%5csecret.txt", 404],
  ["/..\\outside\\secret.txt", 404],
  ["/1.txt%00.html", 404],
  ["/a%2fb", 404],
  ["/link-out", 403],
  ["/linkdir-out/secret.txt", 403],
  ["/linkdir-out/", 403],
  ["/%zz", 400],
  ["/%c3%28", 400],
  ["http://evil.test/../outside/secret.txt", 404],
];

for (const [target, status] of ESCAPES) {
  Deno.test(`originHandler() answers ${JSON.stringify(target)} ${status} and never serves outside the root`, async () => {
    await using fx = await makeFixture();
    const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
    const res = await handler(request(target));
    assert.equal(res.status, status);
    assert.doesNotMatch(await bodyText(res), /secret/);
  });
}

Deno.test("originHandler() uses the path of an absolute-form target", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const res = await handler(request("http://origin.test/1.txt"));
  assert.equal(res.status, 200);
  assert.equal(await bodyText(res), "hello\n");
});

Deno.test("originHandler() redirects a directory without its slash 301, keeping the query", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const res = await handler(request("/sub?sort=name&x=%20"));
  assert.equal(res.status, 301);
  assert.equal(res.headers.get("location"), "/sub/?sort=name&x=%20");
  assert.equal(res.headers.get("cache-control"), "no-cache");
  assert.match(await bodyText(res), /href="\/sub\/\?sort=name&amp;x=%20"/);
  const bare = await handler(request("/withindex"));
  assert.equal(bare.headers.get("location"), "/withindex/");
});

Deno.test("originHandler() redirects '//evil' to a path, never to another host", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const res = await handler(request("//evil"));
  assert.equal(res.status, 301);
  assert.equal(res.headers.get("location"), "/evil/");
});

Deno.test("originHandler() serves a directory's index.html", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const res = await handler(request("/withindex/"));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
  assert.ok(res.headers.has("etag"));
  assert.equal(await bodyText(res), "<p>index</p>\n");
});

Deno.test("originHandler() lists a directory with escaped names and encoded links", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const res = await handler(request("/sub/"));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
  const html = await bodyText(res);
  assert.match(html, /<title>Index of \/sub\/<\/title>/);
  assert.match(html, /<a href="\.\.\/">\.\.\/<\/a>/);
  assert.match(html, /<a href="dir2\/">dir2\/<\/a>/);
  assert.match(
    html,
    /<a href="a%20%3Cb%3E%26\.txt">a &lt;b&gt;&amp;\.txt<\/a>/,
  );
  assert.match(html, /<a href="q%22uote\.txt">q&quot;uote\.txt<\/a>/);
  assert.doesNotMatch(html, /<b>/);
  assert.ok(html.indexOf("dir2/") < html.indexOf("a%20"), "directories first");
});

Deno.test("originHandler() lists the root without a parent link", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const html = await bodyText(await handler(request("/")));
  assert.doesNotMatch(html, /href="\.\.\/"/);
  assert.match(html, /<a href="%C3%A9\.txt">é\.txt<\/a>/);
  assert.match(html, /<a href="1\.txt">1\.txt<\/a>/);
});

Deno.test("originHandler() answers HEAD of a listing with its fields and no body", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const get = await handler(request("/sub/"));
  const head = await handler(request("/sub/", { method: "HEAD" }));
  assert.equal(head.status, 200);
  assert.equal(
    head.headers.get("content-length"),
    get.headers.get("content-length"),
  );
});

Deno.test("originHandler() answers 403 for a FIFO instead of blocking on it", async () => {
  await using fx = await makeFixture();
  const made = await new Deno.Command("mkfifo", { args: [`${fx.root}/pipe`] })
    .output();
  assert.ok(made.success);
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const res = await handler(request("/pipe"));
  assert.equal(res.status, 403);
  assert.match(await bodyText(res), /403 Forbidden/);
});

Deno.test("originHandler() answers 403 exactly when the file system refuses to open the file", async () => {
  await using fx = await makeFixture();
  const path = `${fx.root}/1.txt`;
  await Deno.chmod(path, 0o000);
  // root (as in CI containers) opens it anyway: then the answer must be 200.
  const refused = await Deno.open(path).then((file) => {
    file.close();
    return false;
  }, (e) => {
    if (e instanceof Deno.errors.PermissionDenied) return true;
    throw e;
  });
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const res = await handler(request("/1.txt"));
  assert.equal(res.status, refused ? 403 : 200);
  if (refused) assert.match(await bodyText(res), /403 Forbidden/);
  else assert.equal(await bodyText(res), "hello\n");
});

Deno.test("originHandler() answers 500 when the root vanishes and serves again once it is back", async () => {
  await using fx = await makeFixture();
  const errors: unknown[] = [];
  const handler = originHandler({
    root: fx.root,
    cacheControl: "no-cache",
    onError: (e) => errors.push(e),
  });
  await Deno.rename(fx.root, `${fx.dir}/moved`);
  const failed = await handler(request("/1.txt"));
  assert.equal(failed.status, 500);
  assert.equal(failed.headers.get("cache-control"), "no-cache");
  assert.match(await bodyText(failed), /500 Internal Server Error/);
  assert.equal(errors.length, 1);
  await Deno.rename(`${fx.dir}/moved`, fx.root);
  const back = await handler(request("/1.txt"));
  assert.equal(back.status, 200);
  assert.equal(await bodyText(back), "hello\n");
});
