/**
 * Wire tests of the proxy's request path: a scripted raw-TCP upstream
 * records the exact bytes the proxy sent; a raw client sends exact bytes
 * and reads exact responses. Counters are the oracle.
 */

import { assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import {
  exchange,
  RawClient,
  respondInOrder,
  ScriptedServer,
} from "../helpers/raw_peer.ts";
import { startTestProxy } from "../helpers/proxy.ts";

const OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

Deno.test("proxy sends the upstream exactly the request minus hop-by-hop fields, plus Via and X-Forwarded-For", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([OK]));
  await using proxy = await startTestProxy(upstream.port);
  const { responses } = await exchange(
    proxy.addr,
    "GET /1.txt?a=b HTTP/1.1\r\nHost: example.test\r\nConnection: keep-alive, X-Drop\r\n" +
      "X-Drop: 1\r\nKeep-Alive: timeout=5\r\nACCEPT: */*\r\nTE: trailers\r\n\r\n",
    { responses: 1 },
  );
  assertEquals(responses[0]!.status, 200);
  assertEquals(
    upstream.peers[0]!.receivedText,
    "GET /1.txt?a=b HTTP/1.1\r\nHost: example.test\r\nACCEPT: */*\r\n" +
      `Via: 1.1 ${proxy.viaName}\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n`,
  );
});

Deno.test("proxy relays any status and reason verbatim and strips hop-by-hop response fields", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([
    "HTTP/1.1 299 Quite Unusual\r\nContent-Length: 3\r\nConnection: X-Hop\r\nX-Hop: 1\r\nX-Keep: 2\r\nDate: Wed, 25 Nov 2026 07:00:00 GMT\r\n\r\nabc",
    "HTTP/1.1 999\r\nContent-Length: 0\r\nDate: Wed, 25 Nov 2026 07:00:00 GMT\r\n\r\n",
  ]));
  await using proxy = await startTestProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  await client.write("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
  const first = await client.readResponse();
  assertEquals([first.status, first.reason, first.bodyText], [
    299,
    "Quite Unusual",
    "abc",
  ]);
  assertEquals(first.head.fields, [
    ["Content-Length", "3"],
    ["X-Keep", "2"],
    ["Date", "Wed, 25 Nov 2026 07:00:00 GMT"],
    ["Via", `1.1 ${proxy.viaName}`],
    ["Cache-Status", "cachelab; fwd=bypass"],
  ]);
  await client.write("GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
  const second = await client.readResponse();
  assertEquals([second.status, second.reason], [999, ""]);
  assertEquals(proxy.stats.get("upstream.connects"), 1);
  assertEquals(proxy.stats.get("upstream.reuses"), 1);
});

Deno.test("proxy streams a chunked request body upstream with its trailers", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([OK]));
  await using proxy = await startTestProxy(upstream.port);
  await exchange(
    proxy.addr,
    "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 42\r\n\r\n",
    { responses: 1 },
  );
  const got = upstream.requests[0]!;
  assertEquals(got.bodyText, "hello world");
  assertEquals(got.chunked, true);
  assertEquals(got.trailers, [["X-Sum", "42"]]);
  assertEquals(got.head.header("transfer-encoding"), "chunked");
});

Deno.test("proxy passes a Content-Length request body with its length", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([OK]));
  await using proxy = await startTestProxy(upstream.port);
  await exchange(
    proxy.addr,
    "PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabcde",
    { responses: 1 },
  );
  assertStringIncludes(
    upstream.peers[0]!.receivedText,
    "Content-Length: 5\r\n",
  );
  assertEquals(upstream.requests[0]!.bodyText, "abcde");
});

Deno.test("proxy relays a chunked response with trailers to an HTTP/1.1 client", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Check\r\n\r\n3\r\nabc\r\n0\r\nX-Check: 1\r\n\r\n",
  ]));
  await using proxy = await startTestProxy(upstream.port);
  const { responses } = await exchange(
    proxy.addr,
    "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
    {
      responses: 1,
    },
  );
  const res = responses[0]!;
  assertEquals([res.bodyText, res.chunked, res.trailers], ["abc", true, [[
    "X-Check",
    "1",
  ]]]);
});

Deno.test("proxy relays 1xx interim responses before the final one (RFC 9110 §15.2)", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([
    "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n" +
    OK,
  ]));
  await using proxy = await startTestProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  await client.write("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  const [hints, processing, final] = await client.readResponses(3);
  assertEquals([hints!.status, hints!.head.header("link")], [
    103,
    "</s.css>; rel=preload",
  ]);
  assertEquals([processing!.status, final!.status, final!.bodyText], [
    102,
    200,
    "ok",
  ]);
});

Deno.test("proxy waits for the upstream's 100 Continue before sending the body (RFC 9110 §10.1.1)", async () => {
  let viaName = ""; // the proxy's, once it runs
  const expected = () =>
    "POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n" +
    `Via: 1.1 ${viaName}\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n`;
  await using upstream = ScriptedServer.start(async (peer) => {
    const expectedHead = expected();
    assertEquals(await peer.readExactly(expectedHead.length), expectedHead); // the head alone
    await peer.write("HTTP/1.1 100 Continue\r\n\r\n");
    const body = await peer.readExactly(4);
    await peer.write(
      `HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\n${body}`,
    );
  });
  await using proxy = await startTestProxy(upstream.port);
  viaName = proxy.viaName;
  using client = await RawClient.connect(proxy.addr);
  await client.write(
    "POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n",
  );
  const interim = await client.readResponse();
  assertEquals(interim.status, 100);
  await client.write("data");
  const final = await client.readResponse();
  assertEquals([final.status, final.bodyText], [201, "data"]);
});

Deno.test("proxy sends no body for HEAD even when the upstream declares a length", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([
    "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
    OK,
  ]));
  await using proxy = await startTestProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  await client.write(
    "HEAD /h HTTP/1.1\r\nHost: h\r\n\r\nGET /g HTTP/1.1\r\nHost: h\r\n\r\n",
  );
  const [head, get] = await client.readResponses(2, ["HEAD", "GET"]);
  assertEquals([head!.head.header("content-length"), head!.bodyText], [
    "1234",
    "",
  ]);
  assertEquals(get!.bodyText, "ok");
  assertEquals(proxy.stats.get("upstream.connects"), 1);
});

Deno.test("proxy answers pipelined requests in order over one pooled upstream connection", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1",
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2",
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n3",
  ]));
  await using proxy = await startTestProxy(upstream.port);
  const { responses } = await exchange(
    proxy.addr,
    "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\nGET /3 HTTP/1.1\r\nHost: h\r\n\r\n",
    { responses: 3 },
  );
  assertEquals(responses.map((r) => r.bodyText), ["1", "2", "3"]);
  assertEquals(upstream.requests.map((r) => r.head.startLine), [
    "GET /1 HTTP/1.1",
    "GET /2 HTTP/1.1",
    "GET /3 HTTP/1.1",
  ]);
  assertEquals([
    proxy.stats.get("upstream.connects"),
    proxy.stats.get("upstream.reuses"),
  ], [1, 2]);
  assertEquals(proxy.stats.get("downstream.connection"), 1);
});

/** Connection 0 answers one request, then reads the next and closes unanswered; later ones answer. */
function losesSecondRequest(): ScriptedServer {
  return ScriptedServer.start(async (peer) => {
    if (peer.index > 0) return await respondInOrder([OK])(peer);
    if (await peer.readRequest()) await peer.write(OK);
    await peer.readRequest(); // then the script ends: the connection closes
  });
}

Deno.test("proxy retries an idempotent request once on a fresh connection when a pooled connection closes after it was sent", async () => {
  await using upstream = losesSecondRequest();
  await using proxy = await startTestProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  await client.write("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
  assertEquals((await client.readResponse()).status, 200);
  await client.write(
    "PUT /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
  );
  const res = await client.readResponse();
  assertEquals([res.status, res.bodyText], [200, "ok"]);
  assertEquals(
    upstream.requests.map((r) => `${r.head.startLine} ${r.bodyText}`),
    ["GET /1 HTTP/1.1 ", "PUT /2 HTTP/1.1 abc", "PUT /2 HTTP/1.1 abc"],
  );
  assertEquals(upstream.connections, 2);
  assertEquals(proxy.stats.get("upstream.reuses"), 1);
  assertEquals(proxy.stats.get("upstream.connects"), 2);
  assertEquals(proxy.stats.get("upstream.retries"), 1);
});

Deno.test("proxy does not retry a POST a pooled connection lost after it was sent: 502 saying why", async () => {
  await using upstream = losesSecondRequest();
  await using proxy = await startTestProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  await client.write("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
  await client.readResponse();
  await client.write(
    "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx",
  );
  const res = await client.readResponse();
  assertEquals(res.status, 502);
  assertStringIncludes(
    res.bodyText,
    "upstream closed the connection after the request was sent; POST is not idempotent, so it is not retried",
  );
  assertEquals(upstream.requests.map((r) => r.head.startLine), [
    "GET /1 HTTP/1.1",
    "POST /2 HTTP/1.1",
  ]);
  assertEquals(upstream.connections, 1);
  assertEquals(proxy.stats.get("upstream.not_retried"), 1);
  assertEquals(proxy.stats.get("upstream.retries"), 0);
});

Deno.test("proxy closes the client connection when the upstream body is cut short", async () => {
  await using upstream = ScriptedServer.start(async (peer) => {
    await peer.readRequest();
    await peer.write(
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b",
    );
  });
  await using proxy = await startTestProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  await client.write("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  const { text, end } = await client.readUntilClose();
  assertEquals(end === "close" || end === "reset", true);
  assertStringIncludes(text, "Content-Length: 100\r\n");
  assertEquals(text.endsWith("only ten b"), true);
  assertEquals(proxy.stats.get("downstream.body:truncated"), 1);
});

Deno.test("proxy closes the client connection when a chunked upstream body breaks, never sending the last chunk", async () => {
  await using upstream = ScriptedServer.start(async (peer) => {
    await peer.readRequest();
    await peer.write(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nZZ\r\n",
    );
  });
  await using proxy = await startTestProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  await client.write("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  const { text } = await client.readUntilClose();
  assertEquals(text.includes("\r\n0\r\n"), false);
  assertStringIncludes(text, "3\r\nabc\r\n");
});

Deno.test("proxy relays a final response that comes before the upstream's 100 and never sends the body (RFC 9110 §10.1.1)", async () => {
  await using upstream = ScriptedServer.start(async (peer) => {
    await peer.readExactly(1); // the head has started to arrive
    await peer.write(
      "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 6\r\n\r\nno way",
    );
    await peer.readUntilClose();
  });
  await using proxy = await startTestProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  await client.write(
    "PUT /big HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n",
  );
  const res = await client.readResponse();
  assertEquals([res.status, res.bodyText, res.head.header("connection")], [
    417,
    "no way",
    "close",
  ]);
  assertEquals(upstream.peers[0]!.receivedText.includes("\r\n\r\n"), true);
  assertEquals(upstream.peers[0]!.receivedText.endsWith("\r\n\r\n"), true); // head only, no body byte
});
