/**
 * Failing wire tests found by the review of issue 8: how the
 * proxy forwards OPTIONS and TRACE. A scripted raw-TCP upstream records
 * the exact requests it received; counters are the oracle.
 */

import { assertEquals } from "../helpers/assert.ts";
import { startTestProxy } from "../helpers/proxy.ts";
import {
  RawClient,
  respondInOrder,
  ScriptedServer,
} from "../helpers/raw_peer.ts";

const OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

Deno.test("proxy answers TRACE itself when Max-Forwards is zero written with leading zeros", async () => {
  // RFC 9110 §7.6.2: Max-Forwards = 1*DIGIT; "00" is zero, and a zero
  // value MUST NOT be forwarded: the proxy responds as the final recipient.
  await using upstream = ScriptedServer.start(respondInOrder([OK]));
  await using proxy = await startTestProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  await client.write(
    "TRACE / HTTP/1.1\r\nHost: h\r\nMax-Forwards: 00\r\nAuthorization: Basic c2VjcmV0\r\n\r\n",
  );
  const res = await client.readResponse(["TRACE"]);
  assertEquals(upstream.requests.length, 0, "nothing forwarded");
  assertEquals(res.head.header("content-type"), "message/http");
});

Deno.test("proxy forwards OPTIONS for an absolute URI with an empty path as OPTIONS *", async () => {
  // RFC 9112 §3.2.4: an OPTIONS request whose absolute-form URI has an
  // empty path and no query is sent on to the origin with target "*".
  await using upstream = ScriptedServer.start(respondInOrder([OK]));
  await using proxy = await startTestProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  await client.write(
    `OPTIONS http://127.0.0.1:${upstream.port} HTTP/1.1\r\nHost: 127.0.0.1:${upstream.port}\r\n\r\n`,
  );
  await client.readResponse(["OPTIONS"]);
  assertEquals(
    upstream.requests.map((r) => r.head.startLine),
    ["OPTIONS * HTTP/1.1"],
  );
});
