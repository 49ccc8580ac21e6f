import assert from "../helpers/assert.ts";
import type { HttpServer } from "../../http/server.ts";
import { originHandler } from "../../origin/handler.ts";
import { startOrigin } from "../../origin/mod.ts";
import { exchange, RawClient } from "../helpers/raw_peer.ts";
import { startTestServer } from "../helpers/test_server.ts";
import { type Fixture, makeFixture } from "./fixtures.ts";

/** An origin from startOrigin on port 0 over a fresh fixture. */
interface WireOrigin extends AsyncDisposable {
  fx: Fixture;
  server: HttpServer;
  port: number;
  logs: string[];
  url(path: string): string;
}

async function startWireOrigin(
  options: { headTimeoutMs?: number; cacheControl?: string } = {},
): Promise<WireOrigin> {
  const fx = await makeFixture();
  const logs: string[] = [];
  const server = await startOrigin({
    host: "127.0.0.1",
    port: 0,
    root: fx.root,
    cacheControl: options.cacheControl ?? "no-cache",
    headTimeoutMs: options.headTimeoutMs ?? 5000,
    idleTimeoutMs: 5000,
    log: (line) => logs.push(line),
  });
  const port = server.addr.port;
  return {
    fx,
    server,
    port,
    logs,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    async [Symbol.asyncDispose]() {
      await server.shutdown(1000);
      await fx[Symbol.asyncDispose]();
    },
  };
}

const HOST = "Host: origin.test\r\n";

Deno.test("startOrigin() serves a file to fetch with its fields and logs it in CLF", async () => {
  await using o = await startWireOrigin({ cacheControl: "max-age=5" });
  const res = await fetch(o.url("/1.txt"));
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "hello\n");
  assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(res.headers.get("content-length"), "6");
  assert.equal(res.headers.get("cache-control"), "max-age=5");
  assert.equal(res.headers.get("accept-ranges"), "bytes");
  assert.match(res.headers.get("etag") ?? "", /^"[0-9a-f]+-[0-9a-f]+"$/);
  assert.ok(res.headers.get("last-modified"));
  assert.ok(res.headers.get("date"));
  assert.match(
    o.logs[0] ?? "",
    /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/1\.txt HTTP\/1\.1" 200 6$/,
  );
});

Deno.test("startOrigin() streams a large file to fetch byte for byte", async () => {
  await using o = await startWireOrigin();
  const res = await fetch(o.url("/big.bin"));
  assert.equal(res.headers.get("content-length"), String(o.fx.big.length));
  assert.deepEqual(new Uint8Array(await res.arrayBuffer()), o.fx.big);
});

Deno.test("startOrigin() answers HEAD with If-Modified-Since 304 and no body bytes", async () => {
  await using o = await startWireOrigin();
  const first = await fetch(o.url("/1.txt"), { method: "HEAD" });
  await first.body?.cancel();
  const lastModified = first.headers.get("last-modified")!;
  const etag = first.headers.get("etag")!;
  const { responses, text, end } = await exchange(
    o.server.addr,
    `HEAD /1.txt HTTP/1.1\r\n${HOST}If-Modified-Since: ${lastModified}\r\n\r\n` +
      `GET /1.txt HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`,
    { methods: ["HEAD", "GET"] },
  );
  assert.equal(end, "close");
  assert.equal(responses.length, 2);
  const [notModified, full] = responses;
  const date = notModified!.head.header("date")!;
  assert.equal(
    notModified!.raw,
    "HTTP/1.1 304 Not Modified\r\n" +
      `Date: ${date}\r\nCache-Control: no-cache\r\n` +
      `Last-Modified: ${lastModified}\r\nETag: ${etag}\r\n\r\n`,
  );
  assert.equal(
    full!.status,
    200,
    "no stray body bytes before the next response",
  );
  assert.equal(full!.bodyText, "hello\n");
  assert.ok(text.endsWith("hello\n"));
});

Deno.test("startOrigin() answers HEAD and GET with If-None-Match 304", async () => {
  await using o = await startWireOrigin();
  const first = await fetch(o.url("/1.txt"));
  await first.body?.cancel();
  const etag = first.headers.get("etag")!;
  const { responses } = await exchange(
    o.server.addr,
    `HEAD /1.txt HTTP/1.1\r\n${HOST}If-None-Match: ${etag}\r\n\r\n` +
      `GET /1.txt HTTP/1.1\r\n${HOST}If-None-Match: W/${etag}\r\nConnection: close\r\n\r\n`,
    { methods: ["HEAD", "GET"] },
  );
  assert.deepEqual(responses.map((r) => r.status), [304, 304]);
  assert.deepEqual(responses.map((r) => r.head.header("etag")), [etag, etag]);
  assert.equal(responses[1]!.body.length, 0);
});

Deno.test("startOrigin() answers a single range 206 with exact bytes", async () => {
  await using o = await startWireOrigin();
  const { responses } = await exchange(
    o.server.addr,
    `GET /1.txt HTTP/1.1\r\n${HOST}Range: bytes=1-3\r\nConnection: close\r\n\r\n`,
  );
  const res = responses[0]!;
  assert.equal(res.head.startLine, "HTTP/1.1 206 Partial Content");
  assert.equal(res.head.header("content-range"), "bytes 1-3/6");
  assert.equal(res.head.header("content-length"), "3");
  assert.ok(res.raw.endsWith("\r\n\r\nell"));
});

Deno.test("startOrigin() answers an unsatisfiable range 416 with bytes */size", async () => {
  await using o = await startWireOrigin();
  const { responses } = await exchange(
    o.server.addr,
    `GET /1.txt HTTP/1.1\r\n${HOST}Range: bytes=100-\r\nConnection: close\r\n\r\n`,
  );
  const res = responses[0]!;
  assert.equal(res.head.startLine, "HTTP/1.1 416 Range Not Satisfiable");
  assert.equal(res.head.header("content-range"), "bytes */6");
  assert.match(res.bodyText, /416 Range Not Satisfiable/);
});

/** [raw target, status] sent byte for byte (fetch would normalise them). */
// deno-fmt-ignore
const TRAVERSALS: [string, number][] = [
  ["/../outside/secret.txt", 404],
  ["/../../../../etc/passwd", 404],
  ["/%2e%2e/outside/secret.txt", 404],
  ["/%2e%2e%2foutside%2fsecret.txt", 404],
  ["/a%2fb", 404],
  ["/..\\outside\\secret.txt", 404],
  ["/1.txt%00", 404],
  ["/link-out", 403],
  ["/linkdir-out/secret.txt", 403],
  ["/%", 400],
];

for (const [target, status] of TRAVERSALS) {
  Deno.test(`startOrigin() answers the traversal attempt ${target} ${status}`, async () => {
    await using o = await startWireOrigin();
    const { responses } = await exchange(
      o.server.addr,
      `GET ${target} HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`,
    );
    assert.equal(responses[0]!.status, status);
    assert.doesNotMatch(responses[0]!.bodyText, /secret|root:/);
  });
}

Deno.test("startOrigin() answers two pipelined requests in one write in order", async () => {
  await using o = await startWireOrigin();
  const { responses, end } = await exchange(
    o.server.addr,
    `GET /data.json HTTP/1.1\r\n${HOST}\r\nGET /1.txt HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`,
  );
  assert.equal(end, "close");
  assert.deepEqual(responses.map((r) => r.bodyText), ['{"a":1}\n', "hello\n"]);
  assert.equal(responses[1]!.head.header("connection"), "close");
});

Deno.test("startOrigin() reuses one keep-alive connection for several requests", async () => {
  await using o = await startWireOrigin();
  using client = await RawClient.connect(o.server.addr);
  for (
    const [path, body] of [["/1.txt", "hello\n"], ["/data.json", '{"a":1}\n'], [
      "/1.txt",
      "hello\n",
    ]]
  ) {
    await client.write(`GET ${path} HTTP/1.1\r\n${HOST}\r\n`);
    const res = await client.readResponse();
    assert.equal(res.bodyText, body);
    assert.equal(res.head.header("connection"), undefined);
  }
  assert.equal(client.end, "open");
  assert.equal(o.server.openConnections, 1);
  assert.equal(o.logs.length, 3);
});

Deno.test("startOrigin() answers POST 405 with Allow", async () => {
  await using o = await startWireOrigin();
  const { responses } = await exchange(
    o.server.addr,
    `POST /1.txt HTTP/1.1\r\n${HOST}Content-Length: 3\r\nConnection: close\r\n\r\nabc`,
  );
  assert.equal(responses[0]!.head.startLine, "HTTP/1.1 405 Method Not Allowed");
  assert.equal(responses[0]!.head.header("allow"), "GET, HEAD");
});

Deno.test("startOrigin() answers an unknown method 501 and keeps the connection for the next request (RFC 9110 §9.1)", async () => {
  await using o = await startWireOrigin();
  using client = await RawClient.connect(o.server.addr);
  await client.write(`BREW /1.txt HTTP/1.1\r\n${HOST}\r\n`);
  await client.write(`GET /1.txt HTTP/1.1\r\n${HOST}\r\n`);
  const [brew, get] = await client.readResponses(2);
  assert.equal(brew!.head.startLine, "HTTP/1.1 501 Not Implemented");
  assert.equal(get!.bodyText, "hello\n");
});

Deno.test("startOrigin() redirects a directory to its slash form and lists it escaped", async () => {
  await using o = await startWireOrigin();
  const redirect = await fetch(o.url("/sub?x=1"), { redirect: "manual" });
  await redirect.body?.cancel();
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.get("location"), "/sub/?x=1");
  const listing = await fetch(o.url("/sub"));
  assert.equal(listing.url, o.url("/sub/"));
  const html = await listing.text();
  assert.match(
    html,
    /<a href="a%20%3Cb%3E%26\.txt">a &lt;b&gt;&amp;\.txt<\/a>/,
  );
  const linked = await fetch(new URL("a%20%3Cb%3E%26.txt", listing.url));
  assert.equal(await linked.text(), "tricky\n");
});

Deno.test("startOrigin() closes an HTTP/1.0 connection after the response", async () => {
  await using o = await startWireOrigin();
  const { responses, end } = await exchange(
    o.server.addr,
    "GET /1.txt HTTP/1.0\r\n\r\n",
  );
  assert.equal(end, "close");
  assert.equal(responses[0]!.head.header("connection"), "close");
  assert.equal(responses[0]!.bodyText, "hello\n");
});

Deno.test("startOrigin() answers a head that trickles past headTimeoutMs 408 and closes", async () => {
  await using o = await startWireOrigin({ headTimeoutMs: 200 });
  using client = await RawClient.connect(o.server.addr);
  await client.write("GET /1.txt HTTP/1.1\r\nHost: or");
  const { text, end } = await client.readUntilClose();
  assert.equal(end, "close");
  assert.match(text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
});

Deno.test("originHandler() over the wire answers 500 and the connection serves on", async () => {
  await using fx = await makeFixture();
  const errors: unknown[] = [];
  await using server = startTestServer(originHandler({
    root: fx.root,
    cacheControl: "no-cache",
    onError: (e) => errors.push(e),
  }));
  using client = await RawClient.connect(server.addr);
  await Deno.rename(fx.root, `${fx.dir}/moved`);
  await client.write(`GET /1.txt HTTP/1.1\r\n${HOST}\r\n`);
  assert.equal((await client.readResponse()).status, 500);
  await Deno.rename(`${fx.dir}/moved`, fx.root);
  await client.write(`GET /1.txt HTTP/1.1\r\n${HOST}\r\n`);
  const back = await client.readResponse();
  assert.equal(back.status, 200);
  assert.equal(back.bodyText, "hello\n");
  assert.equal(errors.length, 1);
  assert.equal(server.events.get("connection"), 1);
});

Deno.test("startOrigin() rejects when the port is taken", async () => {
  await using o = await startWireOrigin();
  await assert.rejects(
    startOrigin({
      host: "127.0.0.1",
      port: o.port,
      root: o.fx.root,
      cacheControl: "no-cache",
      headTimeoutMs: 1000,
      idleTimeoutMs: 1000,
    }),
    Deno.errors.AddrInUse,
  );
});
