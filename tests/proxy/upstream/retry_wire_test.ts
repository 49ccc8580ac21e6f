/**
 * Wire tests of sending a request again after a reused upstream
 * connection lost it (RFC 9110 §9.2.2, RFC 9112 §9.3.1): the body a retry
 * replays is byte for byte the client's, a body streamed past 64 KiB is
 * not replayed (502 saying why), and Expect: 100-continue still works
 * across a retry. The scripted upstream records what it received.
 */

import { assertEquals, assertStringIncludes } from "../../helpers/assert.ts";
import { startTestProxy } from "../../helpers/proxy.ts";
import {
  type PeerConn,
  RawClient,
  respondInOrder,
  ScriptedServer,
} from "../../helpers/raw_peer.ts";

const OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

/**
 * Connection 0 answers one request, then runs `lose` (which reads some of
 * the next request) and closes without answering; later connections run
 * `then`.
 */
function losesSecond(
  lose: (peer: PeerConn) => Promise<unknown>,
  then: (peer: PeerConn) => Promise<void> = respondInOrder([OK]),
): ScriptedServer {
  return ScriptedServer.start(async (peer) => {
    if (peer.index > 0) return await then(peer);
    if (await peer.readRequest()) await peer.write(OK);
    await lose(peer);
  });
}

/** `text` as a chunked body, in chunks of `size` bytes. */
function chunked(text: string, size: number): string {
  let out = "";
  for (let at = 0; at < text.length; at += size) {
    const part = text.slice(at, at + size);
    out += `${part.length.toString(16)}\r\n${part}\r\n`;
  }
  return out + "0\r\n\r\n";
}

async function primed(proxy: { addr: Deno.NetAddr }): Promise<RawClient> {
  const client = await RawClient.connect(proxy.addr);
  await client.write("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
  assertEquals((await client.readResponse()).bodyText, "ok");
  return client;
}

Deno.test("proxy replays a small chunked PUT body byte for byte on a fresh connection after a reused one lost it", async () => {
  const body = "abcdefghij".repeat(300);
  await using upstream = losesSecond((peer) => peer.readRequest());
  await using proxy = await startTestProxy(upstream.port);
  using client = await primed(proxy);
  await client.write(
    "PUT /2 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
      chunked(body, 1000),
  );
  assertEquals((await client.readResponse()).status, 200);
  const [, lost, retried] = upstream.requests;
  assertEquals([lost!.bodyText, retried!.bodyText], [body, body]);
  assertEquals(retried!.chunked, true);
  assertEquals(proxy.stats.get("upstream.retries"), 1);
});

Deno.test("proxy answers 502 when a reused connection loses a PUT whose streamed body passed 64 KiB", async () => {
  const body = "x".repeat(100 * 1024);
  await using upstream = losesSecond((peer) => peer.readRequest());
  await using proxy = await startTestProxy(upstream.port);
  using client = await primed(proxy);
  await client.write(
    "PUT /big HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
      chunked(body, 16 * 1024),
  );
  const res = await client.readResponse();
  assertEquals(res.status, 502);
  assertStringIncludes(
    res.bodyText,
    "its body was streamed past 64 KiB and cannot be sent again",
  );
  assertEquals(upstream.connections, 1);
  assertEquals(upstream.requests[1]!.body.length, body.length);
  assertEquals(proxy.stats.get("upstream.retries"), 0);
});

Deno.test("proxy retries a PUT with Expect: 100-continue when the reused connection closes before its 100; the client sees one 100", async () => {
  const head =
    "PUT /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n";
  let viaName = ""; // the proxy's, once it runs
  const sent = () =>
    head + `Via: 1.1 ${viaName}\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n`;
  await using upstream = losesSecond(
    async (peer) => assertEquals(await peer.readExactly(sent().length), sent()), // no body before a 100
    async (peer) => {
      assertEquals(await peer.readExactly(sent().length), sent());
      await peer.write("HTTP/1.1 100 Continue\r\n\r\n");
      const got = await peer.readExactly(4);
      await peer.write(
        `HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\n${got}`,
      );
    },
  );
  await using proxy = await startTestProxy(upstream.port);
  viaName = proxy.viaName;
  using client = await primed(proxy);
  await client.write(`${head}\r\n`);
  assertEquals((await client.readResponse()).status, 100);
  await client.write("data");
  const final = await client.readResponse();
  assertEquals([final.status, final.bodyText], [201, "data"]);
  assertEquals(client.text.split("HTTP/1.1 100 Continue").length, 2, "one 100");
  assertEquals(proxy.stats.get("upstream.retries"), 1);
});
