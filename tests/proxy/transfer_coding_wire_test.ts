/**
 * Wire tests of upstream responses framed by a transfer coding other than
 * chunked as the final one (RFC 9112 §6.3 rule 4): the body runs until the
 * upstream closes, its transfer codings are removed (RFC 9112 §6.1: any
 * recipient may decode them), and it goes downstream framed our own way
 * (chunked to HTTP/1.1, close to HTTP/1.0) without Transfer-Encoding,
 * stored like any response delimited by a clean close. A coding we cannot
 * decode stays on the bytes: relayed as it came with chunked on top to an
 * HTTP/1.1 client, 502 to an HTTP/1.0 one, never stored. Chunked applied
 * twice stays a 502 that says why.
 */

import { assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { countingUpstream, startCacheProxy } from "../helpers/cache_proxy.ts";
import { chunkedText, compressed } from "../helpers/compress.ts";
import { exchange, RawClient, ScriptedServer } from "../helpers/raw_peer.ts";
import { startTestProxy } from "../helpers/proxy.ts";
import { bytes, join } from "../helpers/wire_text.ts";

const CONTENT = "a page gzip-coded for the transfer only. ".repeat(100);
const GET = (path: string, version = "HTTP/1.1") =>
  `GET ${path} ${version}\r\nHost: h\r\n\r\n`;

/** An upstream that answers each connection's first request with `head` + `body`, then closes. */
function closingUpstream(head: string, body: Uint8Array): ScriptedServer {
  return ScriptedServer.start(async (peer) => {
    if (!await peer.readRequest()) return;
    await peer.write(join([bytes(head), body]));
  });
}

Deno.test("proxy relays a gzip-transfer-coded response read until the upstream closes, decoded and chunked to an HTTP/1.1 client (RFC 9112 §6.3 rule 4)", async () => {
  const gz = await compressed("gzip", CONTENT);
  await using upstream = closingUpstream(
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: gzip\r\n\r\n",
    gz,
  );
  await using proxy = await startTestProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  await client.write(GET("/a"));
  const res = await client.readResponse();
  assertEquals(res.status, 200);
  assertEquals(res.head.header("transfer-encoding"), "chunked");
  assertEquals(res.head.header("content-encoding"), undefined);
  assertEquals(res.chunked, true);
  assertEquals(res.bodyText, CONTENT);
  await client.write(GET("/b")); // the client's connection carries on
  assertEquals((await client.readResponse()).bodyText, CONTENT);
  assertEquals(upstream.connections, 2); // a close-delimited upstream is never reused
});

Deno.test("proxy relays a gzip-transfer-coded response to an HTTP/1.0 client delimited by its own close", async () => {
  const gz = await compressed("gzip", CONTENT);
  await using upstream = closingUpstream(
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
    gz,
  );
  await using proxy = await startTestProxy(upstream.port);
  const { responses, end } = await exchange(proxy.addr, GET("/a", "HTTP/1.0"));
  assertEquals(end, "close");
  assertEquals(responses[0]!.status, 200);
  assertEquals(responses[0]!.head.header("transfer-encoding"), undefined);
  assertEquals(responses[0]!.head.header("content-length"), undefined);
  assertEquals(responses[0]!.bodyText, CONTENT);
});

Deno.test('proxy decodes "gzip, chunked" and reuses the upstream connection after the last chunk', async () => {
  const gz = await compressed("gzip", CONTENT);
  const reply = `HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n${
    chunkedText(gz, 64)
  }`;
  await using upstream = countingUpstream(() => reply);
  await using proxy = await startTestProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  for (const path of ["/a", "/b"]) {
    await client.write(GET(path));
    const res = await client.readResponse();
    assertEquals([res.status, res.bodyText], [200, CONTENT]);
    assertEquals(res.head.header("transfer-encoding"), "chunked");
  }
  assertEquals(upstream.connections, 1);
  assertEquals(proxy.stats.get("upstream.reuses"), 1);
});

Deno.test("cache stores a gzip-transfer-coded response that arrived whole before the close, without Transfer-Encoding, and serves it as a hit", async () => {
  const gz = await compressed("gzip", CONTENT);
  await using upstream = closingUpstream(
    "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nTransfer-Encoding: gzip\r\n\r\n",
    gz,
  );
  await using proxy = await startCacheProxy(upstream.port);
  const first = await exchange(proxy.addr, GET("/doc"), { responses: 1 });
  assertEquals(first.responses[0]!.bodyText, CONTENT);
  const second = await exchange(proxy.addr, GET("/doc"), { responses: 1 });
  const hit = second.responses[0]!;
  assertEquals([hit.status, hit.bodyText], [200, CONTENT]);
  assertStringIncludes(hit.head.header("cache-status")!, "hit");
  assertEquals(hit.head.header("transfer-encoding"), undefined);
  assertEquals(hit.head.header("content-length"), String(CONTENT.length));
  assertEquals(upstream.requests.length, 1);
  assertEquals(proxy.stats.get("cache.stored"), 1);
});

Deno.test("cache stores a response without length that arrived whole before a clean close (RFC 9112 §8)", async () => {
  await using upstream = closingUpstream(
    "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n\r\n",
    bytes("until the end"),
  );
  await using proxy = await startCacheProxy(upstream.port);
  await exchange(proxy.addr, GET("/c"), { responses: 1 });
  const { responses } = await exchange(proxy.addr, GET("/c"), {
    responses: 1,
  });
  assertEquals(responses[0]!.bodyText, "until the end");
  assertEquals(upstream.requests.length, 1);
  assertEquals(proxy.stats.get("cache.hits"), 1);
});

Deno.test("cache does not store, and the client sees a cut body, when gzip content ends short at the upstream's close", async () => {
  const gz = await compressed("gzip", CONTENT);
  await using upstream = closingUpstream(
    "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nTransfer-Encoding: gzip\r\n\r\n",
    gz.subarray(0, gz.length - 8),
  );
  await using proxy = await startCacheProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  await client.write(GET("/cut"));
  const { text: received, end } = await client.readUntilClose();
  assertEquals(end, "close");
  assertStringIncludes(received, "HTTP/1.1 200 OK\r\n");
  assertEquals(received.endsWith("0\r\n\r\n"), false); // no last chunk: not complete
  assertEquals(proxy.stats.get("cache.stored"), 0);
  assertEquals(proxy.stats.get("cache.store_aborted"), 1);
});

Deno.test("proxy answers 502 saying why when the upstream applies chunked twice", async () => {
  await using upstream = closingUpstream(
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
    new Uint8Array(0),
  );
  await using proxy = await startTestProxy(upstream.port);
  const { responses } = await exchange(proxy.addr, GET("/x"), {
    responses: 1,
  });
  assertEquals(responses[0]!.status, 502);
  assertStringIncludes(
    responses[0]!.bodyText,
    "chunked applied more than once",
  );
});

/** Bytes no decoder knows, NUL and high bytes included: they must arrive unchanged. */
const WEIRD = join([bytes("weird\x00"), new Uint8Array([0xff, 0x80, 0x0a])]);

// deno-fmt-ignore
const UNDECODABLE: [what: string, te: string, body: () => Promise<Uint8Array>, relayed: string][] = [
  ["x-weird until close", "x-weird", () => Promise.resolve(WEIRD), "x-weird, chunked"],
  ["compress until close", "compress", () => Promise.resolve(WEIRD), "compress, chunked"],
  ["x-weird, chunked", "x-weird, chunked", () => Promise.resolve(bytes(chunkedText(WEIRD, 4))), "x-weird, chunked"],
  ["x-weird under gzip", "x-weird, gzip", () => compressed("gzip", WEIRD), "x-weird, chunked"],
];

for (const [what, te, body, relayed] of UNDECODABLE) {
  Deno.test(`proxy relays a body with a transfer coding it cannot decode (${what}) as it came to an HTTP/1.1 client, chunked on top (RFC 9112 §7)`, async () => {
    await using upstream = closingUpstream(
      `HTTP/1.1 200 OK\r\nContent-Type: application/x-thing\r\nTransfer-Encoding: ${te}\r\n\r\n`,
      await body(),
    );
    await using proxy = await startTestProxy(upstream.port);
    using client = await RawClient.connect(proxy.addr);
    await client.write(GET("/w"));
    const res = await client.readResponse();
    assertEquals(res.status, 200);
    assertEquals(res.head.header("transfer-encoding"), relayed);
    assertEquals(res.head.header("content-length"), undefined);
    assertEquals(res.chunked, true);
    assertEquals(res.body, WEIRD);
    await client.write(GET("/again")); // the client's connection carries on
    assertEquals((await client.readResponse()).body, WEIRD);
  });
}

Deno.test("proxy reuses the upstream connection after a chunked body with a transfer coding it cannot decode", async () => {
  const reply =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: x-weird, chunked\r\n\r\n" +
    chunkedText(WEIRD, 4);
  await using upstream = countingUpstream(() => reply);
  await using proxy = await startTestProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  for (const path of ["/a", "/b"]) {
    await client.write(GET(path));
    assertEquals((await client.readResponse()).body, WEIRD);
  }
  assertEquals(upstream.connections, 1);
  assertEquals(proxy.stats.get("upstream.reuses"), 1);
});

Deno.test("proxy answers 502 to an HTTP/1.0 client for a body with a transfer coding it cannot decode (RFC 9112 §6.1), and drops that upstream connection", async () => {
  const reply =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: x-weird, chunked\r\n\r\n" +
    chunkedText(WEIRD, 4);
  await using upstream = countingUpstream(() => reply);
  await using proxy = await startTestProxy(upstream.port);
  const { responses, end } = await exchange(proxy.addr, GET("/w", "HTTP/1.0"));
  assertEquals(end, "close");
  assertEquals(responses[0]!.status, 502);
  assertStringIncludes(
    responses[0]!.bodyText,
    'Cannot relay transfer coding "x-weird" to an HTTP/1.0 client',
  );
  const next = await exchange(proxy.addr, GET("/after"), { responses: 1 });
  assertEquals(next.responses[0]!.body, WEIRD);
  assertEquals(proxy.stats.get("upstream.reuses"), 0); // a body cut off unread is never pooled
});

Deno.test("cache never stores a body with a transfer coding it cannot decode, and relays it each time (RFC 9111 §3.1)", async () => {
  const reply = "HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\n" +
    "Transfer-Encoding: x-weird, chunked\r\n\r\n" + chunkedText(WEIRD, 4);
  await using upstream = countingUpstream(() => reply);
  await using proxy = await startCacheProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  for (let i = 0; i < 2; i++) {
    await client.write(GET("/w"));
    const res = await client.readResponse();
    assertEquals(res.body, WEIRD);
    assertEquals(res.head.header("transfer-encoding"), "x-weird, chunked");
    assertStringIncludes(
      res.head.header("cache-status")!,
      "detail=transfer-coding",
    );
  }
  assertEquals(upstream.requests.length, 2);
  assertEquals(proxy.stats.get("cache.stored"), 0);
  assertEquals(proxy.stats.get("cache.not_stored"), 2);
});
