/**
 * Wire tests of how serveHttp() answers requests it must refuse: bad
 * heads (400), smuggling-shaped framing (400), too-long request lines
 * (414), too-large heads (431), unsupported versions (505), and bad
 * request bodies. Every refusal closes the connection.
 */
import assert from "../helpers/assert.ts";
import { readAll } from "../../http/body.ts";
import { exchange, RawClient } from "../helpers/raw_peer.ts";
import { FieldList } from "../../http/headers.ts";
import {
  echoTarget,
  startTestServer,
  textResponse,
} from "../helpers/test_server.ts";

const H = "Host: t\r\n";

const refusals: [string, string, number][] = [
  [
    "Transfer-Encoding with Content-Length (RFC 9112 §6.1)",
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n`,
    400,
  ],
  [
    "Content-Length with Transfer-Encoding (RFC 9112 §6.1)",
    `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    400,
  ],
  [
    "Transfer-Encoding in HTTP/1.0 (RFC 9112 §6.1)",
    `POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    400,
  ],
  [
    'Transfer-Encoding "gzip, chunked" (RFC 9112 §6.1)',
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`,
    400,
  ],
  [
    'Transfer-Encoding "chunked, chunked" (RFC 9112 §6.1)',
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n`,
    400,
  ],
  [
    'Transfer-Encoding "identity" (RFC 9112 §6.1)',
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: identity\r\n\r\n`,
    400,
  ],
  [
    "differing Content-Length fields (RFC 9112 §6.3)",
    `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`,
    400,
  ],
  [
    'Content-Length "-1" (RFC 9112 §6.3)',
    `POST / HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`,
    400,
  ],
  [
    'Content-Length "+5" (RFC 9112 §6.3)',
    `POST / HTTP/1.1\r\n${H}Content-Length: +5\r\n\r\nabcde`,
    400,
  ],
  [
    'Content-Length "1e3" (RFC 9112 §6.3)',
    `POST / HTTP/1.1\r\n${H}Content-Length: 1e3\r\n\r\n`,
    400,
  ],
  ["obs-fold (RFC 9112 §5.2)", `GET / HTTP/1.1\r\n${H}X: a\r\n b\r\n\r\n`, 400],
  [
    "a space before the colon (RFC 9112 §5.1)",
    `GET / HTTP/1.1\r\nHost : t\r\n\r\n`,
    400,
  ],
  [
    "NUL in a field value (RFC 9110 §5.5)",
    `GET / HTTP/1.1\r\n${H}X: a\x00b\r\n\r\n`,
    400,
  ],
  [
    "a double space in the request line (RFC 9112 §3)",
    `GET  / HTTP/1.1\r\n${H}\r\n`,
    400,
  ],
  ["a lowercase version (RFC 9112 §2.3)", `GET / http/1.1\r\n${H}\r\n`, 400],
  ["no Host in HTTP/1.1 (RFC 9112 §3.2)", `GET / HTTP/1.1\r\n\r\n`, 400],
  ["two Host fields (RFC 9112 §3.2)", `GET / HTTP/1.1\r\n${H}${H}\r\n`, 400],
  [
    "an invalid Host (RFC 9112 §3.2)",
    `GET / HTTP/1.1\r\nHost: a b\r\n\r\n`,
    400,
  ],
  ["HTTP/2.0 (RFC 9110 §15.6.6)", `GET / HTTP/2.0\r\n${H}\r\n`, 505],
  ["HTTP/0.9 (RFC 9110 §15.6.6)", `GET / HTTP/0.9\r\n${H}\r\n`, 505],
  [
    "the HTTP/2 preface (RFC 9113 §3.4)",
    "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    505,
  ],
  [
    "a request line over 8 KiB (RFC 9112 §3)",
    `GET /${"a".repeat(9000)} HTTP/1.1\r\n${H}\r\n`,
    414,
  ],
  [
    "101 header fields (RFC 6585 §5)",
    `GET / HTTP/1.1\r\n${H}${"X: y\r\n".repeat(100)}\r\n`,
    431,
  ],
  [
    "a head over 64 KiB (RFC 6585 §5)",
    `GET / HTTP/1.1\r\n${H}${`X: ${"v".repeat(1000)}\r\n`.repeat(66)}\r\n`,
    431,
  ],
];
for (const [what, request, status] of refusals) {
  Deno.test(`serveHttp() answers ${status} and closes when a request has ${what}`, async () => {
    let handled = 0;
    await using t = startTestServer((req) => {
      handled++;
      return echoTarget(req);
    });
    const { responses, end } = await exchange(
      t.addr,
      request + `GET /next HTTP/1.1\r\n${H}\r\n`,
    );
    assert.equal(end, "close");
    assert.equal(responses.length, 1);
    assert.equal(responses[0]!.status, status);
    assert.equal(responses[0]!.head.header("connection"), "close");
    assert.equal(handled, 0);
    assert.equal(t.events.get(`error:${status}`), 1);
    assert.match(t.logs.join("\n"), new RegExp(`" ${status} -$`));
    assert.deepEqual(t.errors, []);
  });
}

Deno.test("serveHttp() accepts a request line of exactly 8 KiB (RFC 9112 §3)", async () => {
  await using t = startTestServer(() => Promise.resolve(textResponse("ok")));
  const line = `GET /${"a".repeat(8192 - 14)} HTTP/1.1`;
  assert.equal(line.length, 8192);
  const { responses } = await exchange(t.addr, `${line}\r\n${H}\r\n`, {
    responses: 1,
  });
  assert.equal(responses[0]!.status, 200);
});

Deno.test("serveHttp() answers 400 when a chunked request body is malformed (RFC 9112 §7.1)", async () => {
  await using t = startTestServer(async (req) => {
    await readAll(req.body);
    return textResponse("read");
  });
  const { responses, end } = await exchange(
    t.addr,
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`,
  );
  assert.equal(end, "close");
  assert.equal(responses[0]!.status, 400);
  assert.equal(t.events.get("error:400"), 1);
  assert.deepEqual(t.errors, []);
});

Deno.test("serveHttp() answers nothing and closes when the client ends inside the request body", async () => {
  await using t = startTestServer(async (req) => {
    await readAll(req.body);
    return textResponse("read");
  });
  using c = await RawClient.connect(t.addr);
  await c.write(`POST / HTTP/1.1\r\n${H}Content-Length: 10\r\n\r\nabc`);
  await c.closeWrite();
  const { text, end } = await c.readUntilClose();
  assert.equal(end, "close");
  assert.equal(text, "");
  assert.equal(t.events.get("error:truncated"), 1);
  assert.deepEqual(t.errors, []);
});

Deno.test("serveHttp() closes quietly when the client ends inside a head", async () => {
  await using t = startTestServer(echoTarget);
  using c = await RawClient.connect(t.addr);
  await c.write(`GET / HTTP/1.1\r\nHo`);
  await c.closeWrite();
  const { text, end } = await c.readUntilClose();
  assert.equal(end, "close");
  assert.equal(text, "");
  assert.equal(t.events.get("error:truncated"), 1);
  assert.equal(t.events.get("request"), 0);
});

Deno.test("serveHttp() answers 400 to a bad second request after serving the first", async () => {
  await using t = startTestServer(echoTarget);
  const { responses, end } = await exchange(
    t.addr,
    `GET /good HTTP/1.1\r\n${H}\r\nGET /bad HTTP/1.1\r\n${H}X : y\r\n\r\n`,
  );
  assert.equal(end, "close");
  assert.deepEqual(responses.map((r) => r.status), [200, 400]);
  assert.equal(responses[0]!.bodyText, "GET /good");
});

Deno.test("serveHttp() announces Connection: close when it will not drain a large unread body (RFC 9112 §9.6)", async () => {
  await using t = startTestServer(() =>
    Promise.resolve(textResponse("too big", 413))
  );
  using c = await RawClient.connect(t.addr);
  await c.write(`POST / HTTP/1.1\r\n${H}Content-Length: 1000000\r\n\r\n`);
  const writing = c.write(new Uint8Array(100_000)).catch(() => {});
  const res = await c.readResponse();
  assert.equal(res.status, 413);
  assert.equal(res.head.header("connection"), "close");
  const { end } = await c.readUntilClose();
  assert.notEqual(end, "open");
  await writing;
});

Deno.test("serveHttp() keeps the connection when a small unread body can be drained", async () => {
  await using t = startTestServer(echoTarget);
  using c = await RawClient.connect(t.addr);
  await c.write(
    `POST /a HTTP/1.1\r\n${H}Content-Length: 1000\r\n\r\n${"x".repeat(1000)}`,
  );
  const res = await c.readResponse();
  assert.equal(res.head.header("connection"), undefined);
  await c.write(`GET /b HTTP/1.1\r\n${H}\r\n`);
  assert.equal((await c.readResponse()).bodyText, "GET /b");
  assert.equal(t.events.get("connection"), 1);
});

Deno.test("serveHttp() dates its own 400 and its 500 for a handler bug by the now option, and logs the real time", async () => {
  const at = Date.UTC(2031, 0, 2, 3, 4, 5);
  await using server = startTestServer(() => {
    throw new Error("a handler bug");
  }, { now: () => at });
  const bad = await exchange(
    server.addr,
    "GET / HTTP/1.1\r\nHost: t\r\nHost: u\r\n\r\n",
  );
  assert.equal(bad.responses[0]!.status, 400);
  assert.equal(
    bad.responses[0]!.head.header("date"),
    "Thu, 02 Jan 2031 03:04:05 GMT",
  );
  const bug = await exchange(server.addr, "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  assert.equal(bug.responses[0]!.status, 500);
  assert.equal(
    bug.responses[0]!.head.header("date"),
    "Thu, 02 Jan 2031 03:04:05 GMT",
  );
  assert.equal(server.errors.length, 1);
  assert.ok(
    server.logs.every((line) => !line.includes("2031")),
    server.logs.join("\n"),
  );
});

Deno.test("serveHttp() answers 500, never a split head, when a handler's field holds a char above U+00FF", async () => {
  await using t = startTestServer(() =>
    Promise.resolve({
      status: 200,
      headers: new FieldList([["X-Note", "a\u010aX-Evil: 1"]]),
      body: new TextEncoder().encode("no"),
    })
  );
  const { responses } = await exchange(t.addr, `GET / HTTP/1.1\r\n${H}\r\n`);
  assert.equal(responses.length, 1);
  assert.equal(responses[0]!.status, 500);
  assert.equal(responses[0]!.head.header("x-evil"), undefined);
  assert.equal(responses[0]!.head.header("x-note"), undefined);
  assert.equal(t.errors.length, 1);
  assert.match(String(t.errors[0]), /U\+010A/);
});
