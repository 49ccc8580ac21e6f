/**
 * Wire tests of trailers crossing the proxy in both directions: fields
 * that may not be trailers (RFC 9110 §6.5.1: framing, routing,
 * authentication, controls, content metadata) are dropped, the rest pass
 * in order. The scripted peers record the exact bytes.
 */

import { assertEquals } from "../helpers/assert.ts";
import {
  exchange,
  RawClient,
  respondInOrder,
  ScriptedServer,
} from "../helpers/raw_peer.ts";
import { startTestProxy } from "../helpers/proxy.ts";

const OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
const FORBIDDEN = "Content-Length: 999\r\nTransfer-Encoding: chunked\r\n" +
  "Host: evil.example\r\nAuthorization: Basic eA==\r\n" +
  "Cache-Control: max-age=600\r\nContent-Type: text/html\r\nTrailer: X-Sum\r\n";

Deno.test("proxy drops framing, routing and other forbidden fields from request trailers (RFC 9110 §6.5.1)", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([OK]));
  await using proxy = await startTestProxy(upstream.port);
  const { responses } = await exchange(
    proxy.addr,
    "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
      `5\r\nhello\r\n0\r\nX-Sum: 42\r\n${FORBIDDEN}X-Late: 1\r\n\r\n`,
    { responses: 1 },
  );
  assertEquals(responses[0]!.status, 200);
  assertEquals(
    upstream.peers[0]!.receivedText,
    "POST /up HTTP/1.1\r\nHost: h\r\n" +
      `Via: 1.1 ${proxy.viaName}\r\nX-Forwarded-For: 127.0.0.1\r\n` +
      "Transfer-Encoding: chunked\r\n\r\n" +
      "5\r\nhello\r\n0\r\nX-Sum: 42\r\nX-Late: 1\r\n\r\n",
  );
});

Deno.test("proxy drops framing, routing and other forbidden fields from response trailers (RFC 9110 §6.5.1)", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n" +
    "Date: Wed, 25 Nov 2026 07:00:00 GMT\r\n\r\n" +
    `3\r\nabc\r\n0\r\nX-Check: 1\r\n${FORBIDDEN}Set-Cookie: s=1\r\n\r\n`,
  ]));
  await using proxy = await startTestProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  await client.write("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  const res = await client.readResponse();
  assertEquals([res.bodyText, res.chunked, res.trailers], ["abc", true, [[
    "X-Check",
    "1",
  ]]]);
});

const PROXY_HOPS = "Via: 1.1 evil\r\nX-Forwarded-For: 10.6.6.6\r\n" +
  "X-Forwarded-Host: admin.internal\r\nX-Forwarded-Proto: https\r\n" +
  "Forwarded: for=10.6.6.6;proto=https\r\nMax-Forwards: 9\r\n" +
  "X-Real-IP: 10.6.6.6\r\nCDN-Loop: evil\r\nX-Forwarded-Port: 443\r\n" +
  "X-HTTP-Method-Override: DELETE\r\n";

Deno.test("proxy drops routing and proxy-hop fields (Via, Forwarded, X-Forwarded-*, Max-Forwards, ...) from request trailers (RFC 9110 §6.5.1, cf. CVE-2013-5704)", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([OK]));
  await using proxy = await startTestProxy(upstream.port);
  const { responses } = await exchange(
    proxy.addr,
    "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
      `5\r\nhello\r\n0\r\nX-Sum: 42\r\n${PROXY_HOPS}\r\n`,
    { responses: 1 },
  );
  assertEquals(responses[0]!.status, 200);
  assertEquals(
    upstream.peers[0]!.receivedText,
    "POST /up HTTP/1.1\r\nHost: h\r\n" +
      `Via: 1.1 ${proxy.viaName}\r\nX-Forwarded-For: 127.0.0.1\r\n` +
      "Transfer-Encoding: chunked\r\n\r\n" +
      "5\r\nhello\r\n0\r\nX-Sum: 42\r\n\r\n",
  );
});
