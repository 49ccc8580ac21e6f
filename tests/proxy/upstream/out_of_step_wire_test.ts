/**
 * Wire tests of upstreams out of step with their connection: one that
 * switches protocols nobody asked for, and a late body behind a HEAD
 * response that a request reusing the connection reads as its own
 * answer. A scripted raw-TCP upstream misbehaves on cue, a raw
 * client asserts what it gets; counters are the oracle; every wait is
 * bounded.
 */

import { assertEquals, assertStringIncludes } from "../../helpers/assert.ts";
import { startCacheProxy, waitUntil } from "../../helpers/cache_proxy.ts";
import { deferred } from "../../helpers/deadline.ts";
import {
  RawClient,
  respondInOrder,
  ScriptedServer,
} from "../../helpers/raw_peer.ts";

const VICTIM =
  "HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nContent-Length: 6\r\n\r\nvictim";
/** What a desynchronised upstream leaves behind, shaped like a response. */
const POISON =
  "HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nContent-Length: 6\r\n\r\nPOISON";

Deno.test("proxy never reuses an upstream connection that answered 101 to a request without Upgrade, nor relays that 101", async () => {
  // RFC 9110 §7.8, §15.2.2: a server switches only to a protocol the
  // request's Upgrade named; the proxy strips Upgrade, so any 101 is
  // unrequested, and after it the connection no longer speaks HTTP/1.1.
  await using upstream = ScriptedServer.start(async (peer) => {
    if (peer.index === 0) {
      await peer.readRequest();
      await peer.write(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: evil\r\nConnection: Upgrade\r\n\r\n",
      );
      if (await peer.readRequest()) await peer.write(POISON); // the new protocol's bytes
      await peer.readUntilClose();
      return;
    }
    await respondInOrder([VICTIM, VICTIM])(peer);
  });
  await using proxy = await startCacheProxy(upstream.port);
  using first = await RawClient.connect(proxy.addr);
  await first.write("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
  const switched = await first.readUntil((t) => t.includes("\r\n\r\n"));
  using second = await RawClient.connect(proxy.addr);
  for (let i = 0; i < 2; i++) {
    await second.write("GET /victim HTTP/1.1\r\nHost: h\r\n\r\n");
  }
  const victims = await second.readResponses(2);
  assertEquals(victims.map((r) => r.bodyText), ["victim", "victim"]);
  assertEquals(proxy.stats.get("upstream.reuses"), 0);
  assertEquals(switched.startsWith("HTTP/1.1 101"), false, switched);
});

Deno.test("cache removes a response read on a reused connection whose real answer then arrives behind it (late HEAD body)", async () => {
  // The example with GET /victim sent before the late HEAD body
  // arrived: the proxy cannot unsend what it relayed, but once the
  // connection proves desynchronised (bytes arrive behind the response,
  // counted as idle_closed_bytes) what it stored from it is not trusted.
  const victimRelayed = deferred();
  await using upstream = ScriptedServer.start(async (peer) => {
    if (peer.index === 0) {
      await peer.readRequest(); // HEAD /x
      await peer.write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n");
      await peer.readRequest(); // GET /victim, on the reused connection
      await peer.write(POISON); // the late body of the HEAD response
      await victimRelayed.promise;
      await peer.write(VICTIM); // the real answer to GET /victim, behind it
      await peer.readUntilClose();
      return;
    }
    await respondInOrder([VICTIM])(peer);
  });
  await using proxy = await startCacheProxy(upstream.port);
  using client = await RawClient.connect(proxy.addr);
  const methods = ["HEAD", "GET", "GET"];
  await client.write("HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n");
  await client.readResponse(methods);
  await client.write("GET /victim HTTP/1.1\r\nHost: h\r\n\r\n");
  await client.readResponse(methods); // POISON: sent before anything showed the desync
  victimRelayed.resolve();
  await waitUntil(
    () =>
      proxy.stats.get("upstream.idle_closed_bytes") +
            proxy.stats.get("upstream.not_pooled_extra_bytes") === 1 &&
      proxy.stats.get("cache.out_of_step_removed") === 1,
    "the desynchronised connection dropped and its response forgotten",
  );
  await client.write("GET /victim HTTP/1.1\r\nHost: h\r\n\r\n");
  const again = await client.readResponse(methods);
  assertEquals(again.bodyText, "victim");
  assertStringIncludes(again.head.header("cache-status")!, "fwd=");
});
