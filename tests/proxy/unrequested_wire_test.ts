/**
 * Wire tests of responses the proxy's request did not ask for and after
 * which the upstream connection no longer speaks HTTP/1.1 (RFC 9110 §7.8,
 * §15.2.2): the proxy strips Upgrade, so every 101 from an upstream is
 * unrequested. A scripted raw-TCP upstream switches on cue; a raw client
 * asserts what it gets; counters are the oracle; every wait is bounded.
 */

import { assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { startTestProxy } from "../helpers/proxy.ts";
import {
  RawClient,
  respondInOrder,
  ScriptedServer,
} from "../helpers/raw_peer.ts";

const SWITCH =
  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
const OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

// deno-fmt-ignore
const CASES: [what: string, request: string, answer: string, interim: number[]][] = [
  ["a client that asked for a websocket", "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", SWITCH, []],
  ["an HTTP/1.0 client", "GET /ws HTTP/1.0\r\n\r\n", SWITCH, []],
  ["a client, after a relayed 103", "GET /ws HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" + SWITCH, [103]],
  ["a POST waiting for 100", "POST /ws HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n", "HTTP/1.1 100 Continue\r\n\r\n" + SWITCH, [100]],
];

for (const [what, request, answer, interim] of CASES) {
  Deno.test(`proxy answers 502 to ${what} when the upstream answers 101, and closes that upstream connection (RFC 9110 §7.8)`, async () => {
    let closedByProxy = false;
    await using upstream = ScriptedServer.start(async (peer) => {
      if (peer.index > 0) return await respondInOrder([OK])(peer);
      await peer.readRequest();
      await peer.write(answer);
      await peer.readUntilClose(); // the next request must not come here
      closedByProxy = true;
    });
    await using proxy = await startTestProxy(upstream.port);
    using client = await RawClient.connect(proxy.addr);
    await client.write(request);
    if (request.startsWith("POST")) await client.write("hi");
    const got = await client.readResponses(interim.length + 1);
    const final = got.at(-1)!;
    assertEquals(got.map((r) => r.status), [...interim, 502]);
    assertStringIncludes(final.bodyText, "101");
    assertEquals(final.head.header("upgrade"), undefined);
    assertEquals(proxy.stats.get("errors.bad-response"), 1);
    using next = await RawClient.connect(proxy.addr);
    await next.write("GET /after HTTP/1.1\r\nHost: h\r\n\r\n");
    assertEquals((await next.readResponse()).bodyText, "ok");
    assertEquals(closedByProxy, true);
    assertEquals(upstream.connections, 2);
    assertEquals(proxy.stats.get("upstream.reuses"), 0);
  });
}
