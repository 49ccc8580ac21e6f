/**
 * Wire tests of how serveHttp() frames what a handler returns: no body for
 * HEAD, 204 and 304; chunked or close-delimited bodies of unknown length;
 * and a close, never a complete-looking body, when a body fails mid-way.
 */
import assert from "../helpers/assert.ts";
import { FieldList } from "../../http/headers.ts";
import { FakeBody } from "../helpers/byte_io.ts";
import { exchange, RawClient } from "../helpers/raw_peer.ts";
import {
  echoTarget,
  startTestServer,
  textResponse,
} from "../helpers/test_server.ts";

const GET = (target: string, extra = "") =>
  `GET ${target} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;

Deno.test("serveHttp() writes no body for HEAD but keeps the GET headers (RFC 9110 §9.3.2)", async () => {
  await using t = startTestServer(echoTarget);
  using c = await RawClient.connect(t.addr);
  await c.write(
    "HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n" + GET("/after"),
  );
  const [head, next] = await c.readResponses(2, ["HEAD", "GET"]);
  assert.equal(head!.head.header("content-length"), "7");
  assert.equal(head!.raw.endsWith("\r\n\r\n"), true);
  assert.equal(head!.body.length, 0);
  assert.equal(next!.bodyText, "GET /after");
});

Deno.test("serveHttp() writes no body for 204 and 304 even when the handler gives one (RFC 9110 §15.3.5, §15.4.5)", async () => {
  await using t = startTestServer((req) =>
    Promise.resolve(
      textResponse("must not appear", Number(req.head.target.slice(1)), [
        ["Transfer-Encoding", "chunked"],
      ]),
    )
  );
  using c = await RawClient.connect(t.addr);
  await c.write(GET("/204") + GET("/304") + GET("/200"));
  const [a, b, ok] = await c.readResponses(3);
  assert.equal(a!.status, 204);
  assert.equal(a!.head.header("transfer-encoding"), undefined);
  assert.equal(a!.head.header("content-length"), undefined);
  assert.equal(b!.status, 304);
  assert.equal(ok!.bodyText, "must not appear");
  assert.equal(c.text.split("must not appear").length, 2);
});

Deno.test("serveHttp() sends a reader of unknown length chunked to HTTP/1.1 (RFC 9112 §7.1)", async () => {
  const trailers = new FieldList([["X-Done", "yes"]]);
  await using t = startTestServer(() =>
    Promise.resolve({
      status: 200,
      headers: new FieldList([["Content-Length", "999"]]),
      body: new FakeBody(["ab", "cde"], { trailers }),
    })
  );
  using c = await RawClient.connect(t.addr);
  await c.write(GET("/"));
  const res = await c.readResponse();
  assert.equal(res.head.header("transfer-encoding"), "chunked");
  assert.equal(res.head.header("content-length"), undefined);
  assert.equal(res.bodyText, "abcde");
  assert.deepEqual(res.trailers, [["X-Done", "yes"]]);
  assert.match(
    c.text,
    /\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\nX-Done: yes\r\n\r\n$/,
  );
});

Deno.test("serveHttp() sends a reader of unknown length to HTTP/1.0 until close (RFC 9112 §6.3 rule 8)", async () => {
  await using t = startTestServer(() =>
    Promise.resolve({
      status: 200,
      headers: new FieldList(),
      body: new FakeBody(["ab", "cde"]),
    })
  );
  const { text: got, end } = await exchange(
    t.addr,
    "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
  );
  assert.equal(end, "close");
  assert.match(got, /\r\nConnection: close\r\n\r\nabcde$/);
  assert.doesNotMatch(got, /Transfer-Encoding|Content-Length/i);
});

Deno.test("serveHttp() closes after fewer bytes than Content-Length when the body fails mid-way (RFC 9112 §8)", async () => {
  await using t = startTestServer(() =>
    Promise.resolve({
      status: 200,
      headers: new FieldList(),
      body: new FakeBody(["hello", "world"], { length: 10, failAt: 1 }),
    })
  );
  using c = await RawClient.connect(t.addr);
  await c.write(GET("/") + GET("/second"));
  const { text: got, end } = await c.readUntilClose();
  assert.notEqual(end, "open");
  const [head, body] = got.split("\r\n\r\n") as [string, string];
  assert.match(head, /\r\nContent-Length: 10(\r\n|$)/);
  assert.equal(body, "hello");
  assert.equal(t.events.get("body:error"), 1);
  assert.equal(t.events.get("request"), 1);
});

Deno.test("serveHttp() closes without the last chunk when a chunked body fails mid-way (RFC 9112 §7.1)", async () => {
  await using t = startTestServer(() =>
    Promise.resolve({
      status: 200,
      headers: new FieldList(),
      body: new FakeBody(["hello", "world"], { failAt: 1 }),
    })
  );
  const { text: got, end } = await exchange(t.addr, GET("/"));
  assert.notEqual(end, "open");
  assert.match(got, /\r\n\r\n5\r\nhello\r\n$/);
  assert.equal(got.includes("0\r\n\r\n"), false);
});

Deno.test("serveHttp() closes when a body is longer than its declared length (RFC 9112 §6.2)", async () => {
  await using t = startTestServer(() =>
    Promise.resolve({
      status: 200,
      headers: new FieldList(),
      body: new FakeBody(["hello", "world"], { length: 7 }),
    })
  );
  const { text: got, end } = await exchange(t.addr, GET("/") + GET("/2"));
  assert.notEqual(end, "open");
  assert.match(got, /Content-Length: 7\r\n\r\nhello$/);
  assert.equal(t.events.get("body:framing"), 1);
});

Deno.test("serveHttp() closes after a response whose handler set Connection: close (RFC 9112 §9.6)", async () => {
  await using t = startTestServer((req) =>
    Promise.resolve(
      textResponse(req.head.target, 200, [["Connection", "Close"]]),
    )
  );
  const { responses, end } = await exchange(t.addr, GET("/1") + GET("/2"));
  assert.equal(end, "close");
  assert.equal(responses.length, 1);
  assert.equal(responses[0]!.head.header("connection"), "close");
  assert.equal(t.events.get("request"), 1);
});

Deno.test("serveHttp() sends a body's transfer codings with chunked on top to HTTP/1.1, never a Content-Length (RFC 9112 §7, §6.2)", async () => {
  for (const length of [undefined, 5]) {
    await using t = startTestServer(() =>
      Promise.resolve({
        status: 200,
        headers: new FieldList([["Content-Length", "5"]]),
        body: new FakeBody(["x\x00", "yz!"], { length }),
        transferCodings: ["x-weird"],
      })
    );
    using c = await RawClient.connect(t.addr);
    await c.write(GET("/") + "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n");
    const [res, head] = await c.readResponses(2, ["GET", "HEAD"]);
    assert.equal(res!.head.header("transfer-encoding"), "x-weird, chunked");
    assert.equal(res!.head.header("content-length"), undefined);
    assert.equal(res!.chunked, true);
    assert.equal(res!.bodyText, "x\x00yz!");
    assert.equal(head!.status, 200); // no body: nothing to code
  }
});

Deno.test("serveHttp() answers 502 to an HTTP/1.0 client for a body with transfer codings, and cancels that body (RFC 9112 §6.1)", async () => {
  const body = new FakeBody(["coded"]);
  await using t = startTestServer(() =>
    Promise.resolve({
      status: 200,
      headers: new FieldList(),
      body,
      transferCodings: ["x-weird"],
    })
  );
  const { responses, end } = await exchange(
    t.addr,
    "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
  );
  assert.equal(responses[0]!.status, 502);
  assert.match(
    responses[0]!.bodyText,
    /Cannot relay transfer coding "x-weird" to an HTTP\/1\.0 client/,
  );
  assert.doesNotMatch(responses[0]!.raw, /Transfer-Encoding/i);
  assert.equal(end, "close");
  assert.equal(body.cancelled, true);
});
