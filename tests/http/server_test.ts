/**
 * Wire tests of serveHttp(): keep-alive, pipelining, Connection handling,
 * HTTP/1.0, 100-continue, interim responses and failing handlers, with a
 * raw TCP client (exact bytes) and fetch (an independent client).
 */
import assert from "../helpers/assert.ts";
import { readAll } from "../../http/body.ts";
import { FieldList } from "../../http/headers.ts";
import type { Handler } from "../../http/server.ts";
import type { IncomingRequest } from "../../http/types.ts";
import { exchange, RawClient } from "../helpers/raw_peer.ts";
import {
  echoTarget,
  startTestServer,
  textResponse,
} from "../helpers/test_server.ts";
import { text } from "../helpers/wire_text.ts";

const GET = (target: string, extra = "") =>
  `GET ${target} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;

/** Answers with what it read: method, target, body and trailers. */
const echoBody: Handler = async (req: IncomingRequest) => {
  const body = text(await readAll(req.body));
  const trailers = JSON.stringify(req.body.trailers()?.toArray() ?? []);
  return textResponse(
    `${req.head.method} ${req.head.target} [${body}] ${trailers}`,
  );
};

Deno.test("serveHttp() reuses one connection for sequential fetches (RFC 9112 §9.3)", async () => {
  await using t = startTestServer(echoTarget);
  using client = Deno.createHttpClient({});
  for (const path of ["/a", "/b", "/c"]) {
    const res = await fetch(t.url(path), { client });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), `GET ${path}`);
  }
  assert.equal(t.events.get("request"), 3);
  assert.equal(t.events.get("connection"), 1);
  assert.deepEqual(t.errors, []);
});

Deno.test("serveHttp() keeps a raw connection open across requests and frames each with Content-Length", async () => {
  await using t = startTestServer(echoTarget);
  using c = await RawClient.connect(t.addr);
  for (const path of ["/1", "/2"]) {
    await c.write(GET(path));
    const res = await c.readResponse();
    assert.equal(res.status, 200);
    assert.equal(res.reason, "OK");
    assert.equal(
      res.head.header("content-length"),
      String(`GET ${path}`.length),
    );
    assert.equal(res.head.header("connection"), undefined);
    assert.equal(res.bodyText, `GET ${path}`);
  }
  assert.equal(t.events.get("connection"), 1);
});

Deno.test("serveHttp() answers pipelined requests in order (RFC 9112 §9.3.2)", async () => {
  await using t = startTestServer(echoBody);
  using c = await RawClient.connect(t.addr);
  await c.write(
    GET("/1") +
      "POST /2 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello" +
      "POST /3 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n" + GET("/4"),
  );
  const responses = await c.readResponses(4);
  assert.deepEqual(responses.map((r) => r.bodyText), [
    "GET /1 [] []",
    "POST /2 [hello] []",
    'POST /3 [abc] [["X-T","1"]]',
    "GET /4 [] []",
  ]);
  assert.equal(t.events.get("connection"), 1);
});

Deno.test("serveHttp() drains a small unread request body before the next pipelined request", async () => {
  await using t = startTestServer(echoTarget);
  using c = await RawClient.connect(t.addr);
  await c.write(
    "POST /ignored HTTP/1.1\r\nHost: t\r\nContent-Length: 21\r\n\r\n" +
      GET("/smuggled").slice(0, 21) + GET("/next"),
  );
  const responses = await c.readResponses(2);
  assert.deepEqual(responses.map((r) => r.bodyText), [
    "POST /ignored",
    "GET /next",
  ]);
  assert.equal(t.events.get("request"), 2);
});

Deno.test("serveHttp() closes after a request with Connection: close and ignores what follows (RFC 9112 §9.6)", async () => {
  await using t = startTestServer(echoTarget);
  const { responses, end } = await exchange(
    t.addr,
    GET("/1", "Connection: close\r\n") + GET("/2"),
  );
  assert.equal(end, "close");
  assert.equal(responses.length, 1);
  assert.equal(responses[0]!.head.header("connection"), "close");
  assert.equal(t.events.get("request"), 1);
});

Deno.test("serveHttp() closes an HTTP/1.0 connection unless keep-alive is asked (RFC 9112 §9.3)", async () => {
  await using t = startTestServer(echoTarget);
  const plain = await exchange(t.addr, "GET /old HTTP/1.0\r\n\r\n");
  assert.equal(plain.end, "close");
  assert.equal(plain.responses.length, 1);
  assert.equal(plain.responses[0]!.head.header("connection"), "close");
  assert.equal(plain.responses[0]!.version, "HTTP/1.1");

  using c = await RawClient.connect(t.addr);
  for (const path of ["/k1", "/k2"]) {
    await c.write(`GET ${path} HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n`);
    const res = await c.readResponse();
    assert.equal(res.head.header("connection"), "keep-alive");
    assert.equal(res.bodyText, `GET ${path}`);
  }
  await c.write("GET /k3 HTTP/1.0\r\n\r\n");
  const { end } = await c.readUntilClose();
  assert.equal(end, "close");
  assert.equal(t.events.get("connection"), 2); // one plain, one kept alive
});

Deno.test("serveHttp() sends 100 Continue before the handler reads the body (RFC 9110 §10.1.1)", async () => {
  await using t = startTestServer(echoBody);
  using c = await RawClient.connect(t.addr);
  await c.write(
    "PUT /up HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
  );
  const interim = await c.readResponse();
  assert.equal(interim.status, 100);
  assert.equal(c.text, "HTTP/1.1 100 Continue\r\n\r\n");
  await c.write("hello");
  const final = await c.readResponse();
  assert.equal(final.status, 200);
  assert.equal(final.bodyText, "PUT /up [hello] []");
});

Deno.test("serveHttp() skips 100 Continue and closes when the handler answers without reading the body (RFC 9110 §10.1.1)", async () => {
  await using t = startTestServer(() =>
    Promise.resolve(textResponse("no", 401))
  );
  using c = await RawClient.connect(t.addr);
  await c.write(
    "PUT /up HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
  );
  const [res] = await c.readResponses(1);
  assert.equal(res!.status, 401);
  assert.equal(res!.head.header("connection"), "close");
  const { end } = await c.readUntilClose();
  assert.equal(end, "close");
});

Deno.test("serveHttp() never sends 100 Continue to an HTTP/1.0 client (RFC 9110 §15.2)", async () => {
  await using t = startTestServer(echoBody);
  const { text: got } = await exchange(
    t.addr,
    "PUT /up HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
  );
  assert.match(got, /^HTTP\/1.1 200 OK\r\n/);
  assert.match(got, /PUT \/up \[hi\] \[\]$/);
});

Deno.test("serveHttp() answers 500 with close when the handler throws, and keeps serving", async () => {
  let calls = 0;
  await using t = startTestServer(async (req) => {
    calls++;
    if (req.head.target === "/boom") throw new Error("handler bug");
    return await echoTarget(req);
  });
  const { responses, end } = await exchange(
    t.addr,
    GET("/boom") + GET("/never"),
  );
  assert.equal(responses[0]!.status, 500);
  assert.equal(responses[0]!.head.header("connection"), "close");
  assert.equal(end, "close");
  assert.equal(responses.length, 1);
  assert.equal(t.errors.length, 1);
  assert.match(String(t.errors[0]), /handler bug/);
  const again = await exchange(t.addr, GET("/ok", "Connection: close\r\n"));
  assert.equal(again.responses[0]!.bodyText, "GET /ok");
  assert.equal(calls, 2);
});

Deno.test("IncomingRequest.sendInterim() sends 103 before the final response (RFC 9110 §15.2)", async () => {
  await using t = startTestServer(async (req) => {
    await req.sendInterim(
      103,
      new FieldList([["Link", "</a.css>; rel=preload"]]),
    );
    return textResponse("final");
  });
  using c = await RawClient.connect(t.addr);
  await c.write(GET("/"));
  const [early, final] = await c.readResponses(2);
  assert.equal(early!.status, 103);
  assert.equal(early!.head.header("link"), "</a.css>; rel=preload");
  assert.equal(final!.bodyText, "final");
});

Deno.test("serveHttp() gives the handler the peer address and a receive time", async () => {
  let seen: IncomingRequest | undefined;
  await using t = startTestServer((req) => {
    seen = req;
    return Promise.resolve(textResponse("x"));
  });
  const before = Date.now();
  await exchange(t.addr, GET("/", "Connection: close\r\n"));
  assert.equal(seen?.remoteAddr, "127.0.0.1");
  assert.ok(seen!.receivedAt >= before - 1000);
  assert.match(
    t.logs[0]!,
    /^127\.0\.0\.1 - - \[.+\] "GET \/ HTTP\/1\.1" 200 1$/,
  );
});

Deno.test("serveHttp() answers fetch POST bodies and HEAD like any client expects", async () => {
  await using t = startTestServer(echoBody);
  using client = Deno.createHttpClient({});
  const post = await fetch(t.url("/p"), {
    method: "POST",
    body: "payload",
    client,
  });
  assert.equal(await post.text(), "POST /p [payload] []");
  const stream = new ReadableStream({
    start(ctl) {
      ctl.enqueue(new TextEncoder().encode("streamed"));
      ctl.close();
    },
  });
  const chunked = await fetch(t.url("/s"), {
    method: "POST",
    body: stream,
    client,
  });
  assert.equal(await chunked.text(), "POST /s [streamed] []");
  const head = await fetch(t.url("/h"), { method: "HEAD", client });
  assert.equal(
    head.headers.get("content-length"),
    String("HEAD /h [] []".length),
  );
  assert.equal(await head.text(), "");
  assert.equal(t.events.get("connection"), 1);
});
