/**
 * Tests of the scripted raw-TCP peers themselves, so wire tests built on
 * them (http/, origin/, proxy/) can trust what they report.
 */
import assert from "./assert.ts";
import { exchange, RawClient, ScriptedServer } from "./raw_peer.ts";
import { parseResponses } from "./wire_text.ts";

Deno.test("ScriptedServer records exact request bytes and cuts requests by their framing", async () => {
  await using origin = ScriptedServer.start(async (peer) => {
    const first = await peer.readRequest();
    const second = await peer.readRequest();
    const raw = await peer.readExactly(4);
    await peer.write(
      `HTTP/1.1 200 OK\r\nContent-Length: ${raw.length}\r\n\r\n${raw}`,
    );
    assert.equal(first?.bodyText, "hello");
    assert.equal(second?.bodyText, "abcdef");
    assert.deepEqual(second?.trailers, [["X-T", "1"]]);
    assert.equal(await peer.readUntilClose(), "tail");
  });
  const request =
    "POST /a HTTP/1.1\r\nHost: o\r\nContent-Length: 5\r\n\r\nhello" +
    "POST /b HTTP/1.1\r\nHost: o\r\nTransfer-Encoding: chunked\r\n\r\n" +
    "3;x\r\nabc\r\n3\r\ndef\r\n0\r\nX-T: 1\r\n\r\n" + "RAW!tail";
  using c = await RawClient.connect(origin.addr);
  await c.write(request);
  const res = await c.readResponse();
  assert.equal(res.bodyText, "RAW!");
  c.close();
  await origin.close();
  assert.equal(origin.peers[0]!.receivedText, request);
  assert.deepEqual(origin.requests.map((r) => r.head.startLine), [
    "POST /a HTTP/1.1",
    "POST /b HTTP/1.1",
  ]);
});

Deno.test("ScriptedServer.close() rethrows an assertion a script failed", async () => {
  const origin = ScriptedServer.start(async (peer) => {
    await peer.readRequest();
    assert.fail("scripted failure");
  });
  await exchange(origin.addr, "GET / HTTP/1.1\r\nHost: o\r\n\r\n");
  await assert.rejects(origin.close(), /scripted failure/);
});

Deno.test("RawClient.readResponses() fails at its deadline when the peer stays silent", async () => {
  await using origin = ScriptedServer.start(async (peer) => {
    await peer.readUntilClose();
  });
  using c = await RawClient.connect(origin.addr, { deadlineMs: 200 });
  await c.write("GET / HTTP/1.1\r\nHost: o\r\n\r\n");
  await assert.rejects(c.readResponse(), /no bytes within/);
});

Deno.test("RawClient.readResponses() cuts HEAD, 1xx, chunked and close-delimited responses", async () => {
  await using origin = ScriptedServer.start(async (peer) => {
    await peer.write(
      "HTTP/1.1 100 Continue\r\n\r\n" +
        "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n" +
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n" +
        "HTTP/1.0 200 OK\r\n\r\nuntil close",
    );
  });
  using c = await RawClient.connect(origin.addr);
  const [cont, head, chunked] = await c.readResponses(3, ["HEAD", "GET"]);
  assert.equal(cont!.status, 100);
  assert.equal(head!.body.length, 0);
  assert.equal(chunked!.bodyText, "ab");
  const last = await c.readResponse(["HEAD", "GET", "GET"]);
  assert.equal(last.bodyText, "until close");
  assert.equal(c.end, "close");
  assert.throws(() => parseResponses("HTTP/1.1 2xx\r\n\r\n"), /Cannot parse/);
});
