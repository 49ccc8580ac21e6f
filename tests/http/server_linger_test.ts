/**
 * Wire tests of the staged close after a response (RFC 9112 §9.6, as
 * nginx's lingering_close): the server half-closes, discards what the
 * client still sends, and closes once the client does or a bound passes,
 * so an error answered while the client is still sending reaches it
 * instead of a reset. A write after the response is the oracle: it fails
 * (broken pipe or reset) when the server closed with unread input.
 */
import assert from "../helpers/assert.ts";
import { readAll } from "../../http/body.ts";
import { withDeadline } from "../helpers/deadline.ts";
import { RawClient } from "../helpers/raw_peer.ts";
import { startTestServer, textResponse } from "../helpers/test_server.ts";

const H = "Host: t\r\n";
/** Long enough that only the client's close or a byte bound ends a linger. */
const PATIENT = { lingerMs: 30_000, lingerBytes: 8 * 1024 * 1024 };

/** Writes `data` while the response is read; resolves to the write's failure, if any. */
function sendInBackground(c: RawClient, data: string): Promise<unknown> {
  return c.write(data).then(() => undefined, (e) => e);
}

Deno.test("serveHttp() answers 431 to a 200 KB head the client keeps sending, and the client reads it before the close (RFC 9112 §9.6)", async () => {
  await using t = startTestServer(() => Promise.resolve(textResponse("no")), {
    linger: PATIENT,
  });
  using c = await RawClient.connect(t.addr);
  const head = `GET / HTTP/1.1\r\n${H}X-Big: ${"b".repeat(200_000)}\r\n\r\n`;
  const sending = sendInBackground(c, head);
  const { text, end } = await c.readUntilClose();
  assert.equal(end, "close");
  assert.match(text, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  assert.match(text, /\r\n\r\n431 Request Header Fields Too Large: /);
  assert.equal(await sending, undefined);
  assert.equal(await sendInBackground(c, "more".repeat(256)), undefined); // still read, not reset
  c.close();
  await t.events.waitFor("linger:eof");
  assert.equal(t.events.get("error:431"), 1);
});

Deno.test("serveHttp() lets the client read a 413 answered without reading its 600 KB body, then closes (RFC 9112 §9.6)", async () => {
  await using t = startTestServer(
    () => Promise.resolve(textResponse("too large", 413)),
    { linger: PATIENT },
  );
  using c = await RawClient.connect(t.addr);
  const size = 600_000;
  const sending = sendInBackground(
    c,
    `POST /upload HTTP/1.1\r\n${H}Content-Length: ${size}\r\n\r\n${
      "u".repeat(size)
    }`,
  );
  const res = await c.readResponse();
  assert.equal(res.status, 413);
  assert.equal(res.head.header("connection"), "close");
  assert.equal(res.bodyText, "too large");
  assert.equal(await sending, undefined); // the whole body went out: no reset
  const { end } = await c.readUntilClose();
  assert.equal(end, "close");
  assert.equal(await sendInBackground(c, "late"), undefined); // still read, not reset
  c.close();
  await t.events.waitFor("linger:eof");
});

Deno.test("serveHttp() lets the client read a 400 for a bad chunk while it keeps sending its body (RFC 9112 §9.6)", async () => {
  await using t = startTestServer(async (req) => {
    await readAll(req.body);
    return textResponse("read");
  }, { linger: PATIENT });
  using c = await RawClient.connect(t.addr);
  await c.write(
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\n`,
  );
  const res = await c.readResponse();
  assert.equal(res.status, 400);
  const rest = "5\r\nabcde\r\n".repeat(20_000); // 200 KB the client had queued
  assert.equal(await sendInBackground(c, rest), undefined);
  const { end } = await c.readUntilClose();
  assert.equal(end, "close");
  assert.equal(await sendInBackground(c, rest), undefined); // still read, not reset
  c.close();
  await t.events.waitFor("linger:eof");
});

Deno.test("serveHttp() lets a client that trickles past the head timeout read its 408 and keep sending (RFC 9112 §9.6)", async () => {
  await using t = startTestServer(() => Promise.resolve(textResponse("no")), {
    headTimeoutMs: 300,
    linger: PATIENT,
  });
  using c = await RawClient.connect(t.addr);
  await c.write("GET / HTTP/1.1\r\nX-Slow: ");
  const { text, end } = await c.readUntilClose();
  assert.equal(end, "close");
  assert.match(text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.equal(await sendInBackground(c, "a".repeat(1000)), undefined);
  c.close();
  await t.events.waitFor("linger:eof");
  assert.equal(t.events.get("timeout:head"), 1);
  assert.equal(t.events.get("error:408"), 1);
});

Deno.test("serveHttp() ends a lingering close at its time bound when the client never closes", async () => {
  await using t = startTestServer(() => Promise.resolve(textResponse("no")), {
    linger: { lingerMs: 200, lingerBytes: 1024 * 1024 },
  });
  using c = await RawClient.connect(t.addr);
  await c.write(`GET / HTTP/1.1\r\nBad Name: x\r\n${H}\r\n`);
  const res = await c.readResponse();
  assert.equal(res.status, 400);
  await t.events.waitFor("linger:timeout");
  assert.equal(t.server.openConnections, 0);
});

Deno.test("serveHttp() ends a lingering close at its byte bound when the client keeps sending", async () => {
  await using t = startTestServer(() => Promise.resolve(textResponse("no")), {
    linger: { lingerMs: 30_000, lingerBytes: 10_000 },
  });
  using c = await RawClient.connect(t.addr);
  await c.write(`GET / HTTP/1.1\r\nBad Name: x\r\n${H}\r\n`);
  assert.equal((await c.readResponse()).status, 400);
  await sendInBackground(c, "z".repeat(50_000)); // may fail once the server gives up
  await t.events.waitFor("linger:bytes");
  assert.equal(t.server.openConnections, 0);
});

Deno.test("serveHttp() closes after Connection: close in stages and ends at the client's close", async () => {
  await using t = startTestServer(() => Promise.resolve(textResponse("bye")));
  using c = await RawClient.connect(t.addr);
  await c.write(`GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
  const { text, end } = await c.readUntilClose();
  assert.equal(end, "close");
  assert.match(text, /\r\n\r\nbye$/);
  c.close();
  await t.events.waitFor("linger:eof");
});

Deno.test("HttpServer.shutdown() does not wait past its grace for a lingering close", async () => {
  const t = startTestServer(() => Promise.resolve(textResponse("no")), {
    linger: PATIENT,
  });
  using c = await RawClient.connect(t.addr);
  await c.write(`GET / HTTP/1.1\r\nBad Name: x\r\n${H}\r\n`);
  assert.equal((await c.readResponse()).status, 400);
  await withDeadline(t.server.shutdown(100), 5000, "shutdown while lingering");
  assert.equal(t.server.openConnections, 0);
  assert.equal(t.events.get("linger:gone"), 1);
});
