/**
 * Wire tests of the cache in front of a desynchronised upstream (one that
 * sends bytes nobody asked for): those bytes are never stored under any
 * URL, a response with bytes right behind it is neither stored nor used
 * to freshen a stored one, and the next request gets its own answer.
 * The proxy runs with a memory store; counters are the oracle.
 */

import { assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { startCacheProxy, waitUntil } from "../helpers/cache_proxy.ts";
import { deferred } from "../helpers/deadline.ts";
import {
  type PeerConn,
  RawClient,
  ScriptedServer,
} from "../helpers/raw_peer.ts";

/** What a desynchronised upstream leaves behind, shaped like a response. */
const POISON =
  "HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nContent-Length: 6\r\n\r\nPOISON";

function ok(body: string, fields = "Cache-Control: max-age=600\r\n"): string {
  return `HTTP/1.1 200 OK\r\n${fields}Content-Length: ${body.length}\r\n\r\n${body}`;
}

/** Answers requests in order with `answers[connection][request]`. */
function scripted(
  answers: ((peer: PeerConn) => Promise<void>)[][],
): ScriptedServer {
  return ScriptedServer.start(async (peer) => {
    for (const answer of answers[peer.index] ?? []) {
      if (!await peer.readRequest()) return;
      await answer(peer);
    }
    await peer.readUntilClose();
  });
}

const send = (bytes: string) => async (peer: PeerConn) =>
  await peer.write(bytes);

Deno.test("cache never stores the late body of a HEAD response: GET /victim is answered and stored with its own bytes", async () => {
  const headRelayed = deferred();
  await using upstream = scripted([
    [async (peer) => {
      await peer.write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n");
      await headRelayed.promise;
      await peer.write(POISON); // the body of the HEAD response, late
    }],
    [send(ok("victim"))],
  ]);
  await using proxy = await startCacheProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  await client.write("HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n");
  await client.readResponse(["HEAD"]);
  headRelayed.resolve();
  await waitUntil(
    () => proxy.stats.get("upstream.idle_closed_bytes") === 1,
    "the idle connection dropped",
  );
  const methods = ["HEAD", "GET", "GET"];
  await client.write("GET /victim HTTP/1.1\r\nHost: h\r\n\r\n");
  const fetched = await client.readResponse(methods);
  await client.write("GET /victim HTTP/1.1\r\nHost: h\r\n\r\n");
  const hit = await client.readResponse(methods);
  assertEquals([fetched.bodyText, hit.bodyText], ["victim", "victim"]);
  assertStringIncludes(hit.head.header("cache-status")!, "hit");
  assertEquals(client.text.includes("POISON"), false);
  assertEquals(upstream.requests.map((r) => r.head.startLine), [
    "HEAD /x HTTP/1.1",
    "GET /victim HTTP/1.1",
  ]);
});

Deno.test("cache does not freshen a stored response from a 304 with bytes right behind it: it fetches the response whole", async () => {
  await using upstream = scripted([
    [
      send(ok("old", 'Cache-Control: max-age=0\r\nETag: "1"\r\n')),
      send(
        'HTTP/1.1 304 Not Modified\r\nETag: "1"\r\nCache-Control: max-age=600\r\n\r\n' +
          POISON,
      ),
    ],
    [send(ok("new", 'Cache-Control: max-age=600\r\nETag: "2"\r\n'))],
  ]);
  await using proxy = await startCacheProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  const methods = ["GET", "GET", "GET"];
  for (let i = 0; i < 3; i++) {
    await client.write("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
  }
  const [stored, refetched, hit] = await client.readResponses(3, methods);
  assertEquals(
    [stored!.bodyText, refetched!.bodyText, hit!.bodyText],
    ["old", "new", "new"],
  );
  assertStringIncludes(hit!.head.header("cache-status")!, "hit");
  assertEquals(proxy.stats.get("cache.untrusted_304"), 1);
  assertEquals(proxy.stats.get("cache.revalidated"), 0);
  assertEquals(upstream.requests.map((r) => r.head.header("if-none-match")), [
    undefined,
    '"1"',
    undefined,
  ]);
  assertEquals(upstream.connections, 2);
});

Deno.test("cache does not store a response with extra bytes after its Content-Length body", async () => {
  await using upstream = scripted([
    [send(ok("ok") + "EXTRA")],
    [send(ok("ok"))],
  ]);
  await using proxy = await startCacheProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  for (let i = 0; i < 3; i++) {
    await client.write("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
  }
  const responses = await client.readResponses(3);
  assertEquals(responses.map((r) => r.bodyText), ["ok", "ok", "ok"]);
  assertStringIncludes(responses[2]!.head.header("cache-status")!, "hit");
  assertEquals(proxy.stats.get("cache.store_untrusted"), 1);
  assertEquals(proxy.stats.get("cache.stored"), 1);
  assertEquals(upstream.requests.length, 2);
});

Deno.test("cache does not store an empty response with a second response right behind it", async () => {
  await using upstream = scripted([
    [send(
      "HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nContent-Length: 0\r\n\r\n" +
        POISON,
    )],
    [send(ok(""))],
  ]);
  await using proxy = await startCacheProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  await client.write("GET /empty HTTP/1.1\r\nHost: h\r\n\r\n");
  assertEquals((await client.readResponse()).bodyText, "");
  await client.write("GET /empty HTTP/1.1\r\nHost: h\r\n\r\n");
  assertEquals((await client.readResponse()).bodyText, "");
  assertEquals(proxy.stats.get("cache.store_untrusted"), 1);
  assertEquals(upstream.requests.length, 2, "the first one was not stored");
  assertEquals(client.text.includes("POISON"), false);
});

Deno.test("cache does not freshen a stored response from a 200 to HEAD with bytes right behind it (RFC 9111 §4.3.5)", async () => {
  await using upstream = scripted([
    [
      send(ok("body", 'Cache-Control: max-age=0\r\nETag: "1"\r\n')),
      send(
        'HTTP/1.1 200 OK\r\nETag: "1"\r\nCache-Control: max-age=600\r\nContent-Length: 4\r\n\r\n' +
          POISON,
      ),
    ],
    [send('HTTP/1.1 304 Not Modified\r\nETag: "1"\r\n\r\n')],
  ]);
  await using proxy = await startCacheProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  const methods = ["GET", "HEAD", "GET"];
  await client.write("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
  await client.write("HEAD /a HTTP/1.1\r\nHost: h\r\n\r\n");
  await client.write("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
  const [, head, get] = await client.readResponses(3, methods);
  assertEquals(head!.status, 200);
  assertEquals(get!.bodyText, "body");
  assertEquals(proxy.stats.get("cache.head_freshened"), 0);
  assertEquals(
    upstream.requests.map((r) => r.head.startLine),
    ["GET /a HTTP/1.1", "HEAD /a HTTP/1.1", "GET /a HTTP/1.1"],
    "still stale: the GET revalidated",
  );
});
