/**
 * Wire tests of the proxy's upstream connections without a cache: a
 * scripted raw-TCP upstream records the exact bytes it received and
 * misbehaves on cue (bytes after a response, a flood of 102s, a request
 * lost after it was sent); a raw client asserts the exact responses.
 * Counters are the oracle; every wait is bounded.
 */

import { assertEquals, assertStringIncludes } from "../../helpers/assert.ts";
import { waitUntil } from "../../helpers/cache_proxy.ts";
import { deferred } from "../../helpers/deadline.ts";
import { startTestProxy } from "../../helpers/proxy.ts";
import {
  RawClient,
  respondInOrder,
  ScriptedServer,
} from "../../helpers/raw_peer.ts";

const OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
const VICTIM = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nvictim";
/** What a desynchronised upstream leaves behind, shaped like a response. */
const POISON =
  "HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nContent-Length: 6\r\n\r\nPOISON";

/** Connection 0 runs `first`; every later connection answers with VICTIM. */
function upstreamWith(
  first: (
    peer: Parameters<Parameters<typeof ScriptedServer.start>[0]>[0],
  ) => Promise<void>,
): ScriptedServer {
  return ScriptedServer.start(async (peer) => {
    if (peer.index === 0) return await first(peer);
    await respondInOrder([VICTIM])(peer);
  });
}

Deno.test("proxy drops a pooled connection that receives a body after a HEAD response; the next request gets its own answer", async () => {
  const headRelayed = deferred();
  await using upstream = upstreamWith(async (peer) => {
    await peer.readRequest();
    await peer.write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n");
    await headRelayed.promise;
    await peer.write(POISON); // the body nobody asked for, late
    await peer.readUntilClose();
  });
  await using proxy = await startTestProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  await client.write("HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n");
  const head = await client.readResponse(["HEAD"]);
  assertEquals([head.status, head.bodyText], [200, ""]);
  headRelayed.resolve();
  await waitUntil(
    () => proxy.stats.get("upstream.idle_closed_bytes") === 1,
    "the idle connection dropped",
  );
  await client.write("GET /victim HTTP/1.1\r\nHost: h\r\n\r\n");
  const victim = await client.readResponse(["HEAD", "GET"]);
  assertEquals([victim.status, victim.bodyText], [200, "victim"]);
  assertEquals(upstream.requests.map((r) => r.head.startLine), [
    "HEAD /x HTTP/1.1",
    "GET /victim HTTP/1.1",
  ]);
  assertEquals(upstream.peers[1]!.requests.length, 1, "on a new connection");
  assertEquals(proxy.stats.get("upstream.reuses"), 0);
});

// deno-fmt-ignore
const BYTES_BEHIND: [string, string, string, string][] = [
  ["a body after a HEAD response", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n" + "POISON", ""],
  ["a body after a 304", "GET", "HTTP/1.1 304 Not Modified\r\nETag: \"1\"\r\n\r\n" + POISON, ""],
  ["a body after a 204", "GET", "HTTP/1.1 204 No Content\r\n\r\n" + POISON, ""],
  ["extra bytes after a Content-Length body", "GET", OK + "EXTRA", "ok"],
  ["a second response nobody asked for", "GET", OK + POISON, "ok"],
  ["bytes after a chunked body", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n" + POISON, "ok"],
];

for (const [what, method, answer, body] of BYTES_BEHIND) {
  Deno.test(`proxy relays a response followed by ${what} but never reuses its connection`, async () => {
    await using upstream = upstreamWith(async (peer) => {
      await peer.readRequest();
      await peer.write(answer); // one write: the extra bytes arrive with it
      await peer.readUntilClose();
    });
    await using proxy = await startTestProxy(upstream.port);
    using client = await RawClient.connect(proxy.addr);
    await client.write(`${method} /x HTTP/1.1\r\nHost: h\r\n\r\n`);
    const first = await client.readResponse([method]);
    assertEquals(first.bodyText, body);
    await client.write("GET /victim HTTP/1.1\r\nHost: h\r\n\r\n");
    const victim = await client.readResponse([method, "GET"]);
    assertEquals([victim.status, victim.bodyText], [200, "victim"]);
    assertEquals(upstream.connections, 2);
    assertEquals(proxy.stats.get("upstream.not_pooled_extra_bytes"), 1);
  });
}

Deno.test("proxy answers 504 when the upstream sends 102 Processing over and over past --timeout-response", async () => {
  await using upstream = ScriptedServer.start(async (peer) => {
    await peer.readRequest();
    for (let i = 0; i < 200; i++) { // ends when the proxy closes the connection
      await peer.write("HTTP/1.1 102 Processing\r\n\r\n");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  await using proxy = await startTestProxy(upstream.port, {
    responseTimeoutMs: 400,
  });
  using client = await RawClient.connect(proxy.addr, { deadlineMs: 8000 });
  await client.write("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
  const text = await client.readUntil((t) => /HTTP\/1\.1 5\d\d /.test(t));
  const final = text.slice(text.search(/HTTP\/1\.1 5\d\d /));
  assertStringIncludes(final, "HTTP/1.1 504 Gateway Timeout\r\n");
  await client.readUntil((t) => t.endsWith("400 ms\n"));
  assertStringIncludes(client.text, "no final response head within 400 ms");
  assertEquals(client.text.includes("HTTP/1.1 102 Processing\r\n"), true);
  assertEquals(proxy.stats.get("errors.response-timeout"), 1);
});

Deno.test("proxy makes a request wait for a connection at --max-upstream-connections, then reuses the one that came free", async () => {
  const release = deferred();
  await using upstream = ScriptedServer.start(async (peer) => {
    await peer.readRequest();
    await release.promise;
    await peer.write(OK);
    await peer.readRequest();
    await peer.write(VICTIM);
  });
  await using proxy = await startTestProxy(upstream.port, {
    maxUpstreamConnections: 1,
  });
  using first = await RawClient.connect(proxy.addr);
  using second = await RawClient.connect(proxy.addr);
  await first.write("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
  await waitUntil(() => upstream.requests.length === 1, "the first request");
  await second.write("GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
  await waitUntil(() => proxy.stats.get("upstream.waits") === 1, "a wait");
  release.resolve();
  assertEquals((await first.readResponse()).bodyText, "ok");
  assertEquals((await second.readResponse()).bodyText, "victim");
  assertEquals(upstream.connections, 1);
  assertEquals(
    [proxy.stats.get("upstream.connects"), proxy.stats.get("upstream.reuses")],
    [1, 1],
  );
});

Deno.test("proxy answers 504 saying why when no upstream connection comes free within --timeout-connect", async () => {
  const release = deferred();
  await using upstream = ScriptedServer.start(async (peer) => {
    await peer.readRequest();
    await release.promise;
    await peer.write(OK);
  });
  await using proxy = await startTestProxy(upstream.port, {
    maxUpstreamConnections: 1,
    connectTimeoutMs: 200,
  });
  using first = await RawClient.connect(proxy.addr);
  await first.write("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
  await waitUntil(() => upstream.requests.length === 1, "the first request");
  using second = await RawClient.connect(proxy.addr);
  await second.write("GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
  const refused = await second.readResponse();
  release.resolve();
  assertEquals(refused.status, 504);
  assertStringIncludes(
    refused.bodyText,
    "became free within 200 ms (1 open, --max-upstream-connections 1)",
  );
  assertEquals((await first.readResponse()).bodyText, "ok");
  assertEquals(proxy.stats.get("upstream.wait_timeouts"), 1);
  assertEquals(proxy.stats.get("errors.wait-timeout"), 1);
  assertEquals(upstream.connections, 1);
});

Deno.test("proxy closes upstream connections after the Keep-Alive max and does not pool them when the timeout leaves under 1 s", async () => {
  await using upstream = ScriptedServer.start(async (peer) => {
    const hint = peer.index === 2 ? "timeout=1" : "timeout=30, max=2";
    for (let r = await peer.readRequest(); r; r = await peer.readRequest()) {
      await peer.write(
        `HTTP/1.1 200 OK\r\nKeep-Alive: ${hint}\r\nContent-Length: 2\r\n\r\nok`,
      );
    }
  });
  await using proxy = await startTestProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  for (const path of ["/1", "/2", "/3", "/4", "/5"]) {
    await client.write(`GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`);
    const res = await client.readResponse();
    assertEquals([res.bodyText, res.head.header("keep-alive")], [
      "ok",
      undefined,
    ]);
  }
  assertEquals(upstream.peers.map((p) => p.requests.length), [2, 2, 1]);
  assertEquals(proxy.stats.get("upstream.not_pooled_max_requests"), 2);
  assertEquals(proxy.stats.get("upstream.not_pooled_short_keepalive"), 1);
});
