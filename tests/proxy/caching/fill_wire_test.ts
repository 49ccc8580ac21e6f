/**
 * Component tests of what Cache-Status and the access log say about
 * storing (RFC 9211 §2.5): `stored` only for an entry committed before the
 * head went out; a body that streams while it is stored says
 * `detail=storing`, and the log line says MISS-NOT-STORED when that fill
 * was abandoned.
 */

import { assertEquals, assertStringIncludes } from "../../helpers/assert.ts";
import {
  countingUpstream,
  startCacheProxy,
  waitUntil,
} from "../../helpers/cache_proxy.ts";
import { exchange, RawClient, ScriptedServer } from "../../helpers/raw_peer.ts";

const H = "Host: h\r\n";

function cacheable(body: string): string {
  return "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n" +
    `Content-Length: ${body.length}\r\n\r\n${body}`;
}

/** An upstream that sends the head and `sent` bytes of a longer body, then closes. */
function cuttingUpstream(length: number, sent: number): ScriptedServer {
  return ScriptedServer.start(async (peer) => {
    if (!await peer.readRequest()) return;
    await peer.write(
      "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n" +
        `Content-Length: ${length}\r\n\r\n${"x".repeat(sent)}`,
    );
  });
}

function logResults(logs: string[]): string[] {
  return logs.map((l) => l.split(" ").pop()!);
}

Deno.test("filledResponse() says stored only once a small body was committed, before the head goes out", async () => {
  const body = "s".repeat(60 * 1024);
  await using upstream = countingUpstream(() => cacheable(body));
  await using proxy = await startCacheProxy(upstream.port);
  const { responses } = await exchange(
    proxy.addr,
    `GET /small HTTP/1.1\r\n${H}\r\n`,
    { responses: 1 },
  );
  assertEquals(
    responses[0]!.head.header("cache-status"),
    "cachelab; fwd=uri-miss; fwd-status=200; stored",
  );
  assertEquals(responses[0]!.bodyText, body);
  assertEquals(proxy.stats.get("cache.stored"), 1); // already, with the head
  const hit = await exchange(proxy.addr, `GET /small HTTP/1.1\r\n${H}\r\n`, {
    responses: 1,
  });
  assertStringIncludes(hit.responses[0]!.head.header("cache-status")!, "hit");
  assertEquals(hit.responses[0]!.bodyText, body);
  assertEquals(upstream.requests.length, 1);
  await waitUntil(() => proxy.logs.length === 2, "two log lines");
  assertEquals(logResults(proxy.logs), ["MISS", "HIT"]);
});

Deno.test("filledResponse() says storing for a large body, and the log says MISS once it was stored", async () => {
  const body = "L".repeat(200 * 1024);
  await using upstream = countingUpstream(() => cacheable(body));
  await using proxy = await startCacheProxy(upstream.port);
  const { responses } = await exchange(
    proxy.addr,
    `GET /large HTTP/1.1\r\n${H}\r\n`,
    { responses: 1 },
  );
  assertEquals(
    responses[0]!.head.header("cache-status"),
    "cachelab; fwd=uri-miss; fwd-status=200; detail=storing",
  );
  assertEquals(responses[0]!.bodyText.length, body.length);
  await waitUntil(() => proxy.logs.length === 1, "the log line");
  assertEquals(logResults(proxy.logs), ["MISS"]);
  assertEquals(proxy.stats.get("cache.stored"), 1);
});

Deno.test("filledResponse() logs MISS-NOT-STORED when the upstream cuts a large body short", async () => {
  await using upstream = cuttingUpstream(200 * 1024, 100 * 1024);
  await using proxy = await startCacheProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  await client.write(`GET /cut HTTP/1.1\r\n${H}\r\n`);
  const { text } = await client.readUntilClose();
  assertStringIncludes(text, "detail=storing");
  await waitUntil(() => proxy.logs.length === 1, "the log line");
  assertEquals(logResults(proxy.logs), ["MISS-NOT-STORED"]);
  assertEquals(proxy.stats.get("cache.stored"), 0);
  assertEquals(proxy.stats.get("cache.store_aborted"), 1);
});

Deno.test("Filling stores a large body at the upstream's pace when its client leaves before it arrived", async () => {
  const length = 64 * 1024 * 1024;
  await using upstream = ScriptedServer.start(async (peer) => {
    if (!await peer.readRequest()) return;
    await peer.write(
      "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n" +
        `Content-Length: ${length}\r\n\r\n`,
    );
    const chunk = new Uint8Array(64 * 1024);
    try {
      for (let sent = 0; sent < length; sent += chunk.length) {
        await peer.write(chunk); // until the proxy drops this connection
      }
    } catch {
      // the proxy closed it: the fill was abandoned
    }
  });
  await using proxy = await startCacheProxy(upstream.port, {
    maxObjectBytes: length,
    sizeBytes: length,
  });
  const client = await RawClient.connect(proxy.addr);
  await client.write(`GET /left HTTP/1.1\r\n${H}\r\n`);
  await client.readUntil((t) => t.length > 64 * 1024);
  client.close();
  await waitUntil(() => proxy.logs.length === 1, "the log line");
  assertEquals(logResults(proxy.logs), ["MISS"]); // the fill goes on without its client
  await waitUntil(
    () => proxy.stats.get("cache.stored") === 1,
    "the stored body",
    30_000,
  );
  assertEquals(proxy.cache!.store.stats.bytes, length);
  assertEquals(upstream.requests.length, 1);
});

Deno.test("filledResponse() does not claim stored for a small body cut short, and relays the same cut", async () => {
  await using upstream = cuttingUpstream(1000, 400);
  await using proxy = await startCacheProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  await client.write(`GET /cut HTTP/1.1\r\n${H}\r\n`);
  const { text } = await client.readUntilClose();
  assertStringIncludes(
    text,
    "Cache-Status: cachelab; fwd=uri-miss; fwd-status=200; detail=not-stored-aborted\r\n",
  );
  assertEquals(text.endsWith(`\r\n\r\n${"x".repeat(400)}`), true);
  await waitUntil(() => proxy.logs.length === 1, "the log line");
  assertEquals(logResults(proxy.logs), ["MISS-NOT-STORED"]);
  assertEquals(proxy.stats.get("cache.stored"), 0);
});
