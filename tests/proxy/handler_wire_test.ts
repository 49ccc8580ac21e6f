/**
 * Tests of the requests the proxy answers itself: 508 for a request that
 * would come back to this proxy (any spelling of its address, its own
 * Via, an upstream that is the proxy itself), and TRACE with
 * Max-Forwards: 0 echoed without credentials.
 */

import { assertEquals } from "../helpers/assert.ts";
import {
  exchange,
  respondInOrder,
  ScriptedServer,
} from "../helpers/raw_peer.ts";
import { startTestProxy } from "../helpers/proxy.ts";
import { realClock } from "../../http/clock.ts";
import { FieldList } from "../../http/headers.ts";
import type { IncomingRequest } from "../../http/types.ts";
import type { ProxyConfig } from "../../proxy/config.ts";
import { proxyHandler } from "../../proxy/handler.ts";
import { newViaName } from "../../proxy/messages.ts";
import { Stats } from "../../proxy/stats.ts";
import type { Upstream } from "../../proxy/upstream/mod.ts";

const H = "Host: h\r\n";
const OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

Deno.test("proxy answers 508 Loop Detected to every spelling of its own address (RFC 5842 §7.2)", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([]));
  await using proxy = await startTestProxy(upstream.port);
  const spellings = [
    "127.0.0.1",
    "127.1",
    "0x7f.1",
    "2130706433",
    "[::ffff:127.0.0.1]",
    "LOCALHOST",
    "localhost.",
    "0.0.0.0",
  ];
  for (const host of spellings) {
    const { responses } = await exchange(
      proxy.addr,
      `GET http://${host}:${proxy.port}/ HTTP/1.1\r\n${H}\r\n`,
      { responses: 1 },
    );
    assertEquals(
      [responses[0]!.status, responses[0]!.reason],
      [508, "Loop Detected"],
      host,
    );
  }
  assertEquals(proxy.stats.get("refused.loop"), spellings.length);
  assertEquals(upstream.connections, 0);
});

Deno.test("proxy answers 508 to a request whose Via already names this proxy, reverse or forward (RFC 9110 §7.6.3)", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([]));
  await using proxy = await startTestProxy(upstream.port);
  const via = `Via: 1.1 other, 1.1 ${proxy.viaName}\r\n`;
  for (
    const target of ["/x", `http://127.0.0.1:${upstream.port}/x`]
  ) {
    const { responses } = await exchange(
      proxy.addr,
      `GET ${target} HTTP/1.1\r\n${H}${via}\r\n`,
      { responses: 1 },
    );
    assertEquals(responses[0]!.status, 508, target);
  }
  assertEquals(upstream.connections, 0);
});

Deno.test("proxy forwards a request that went through another cachelab instance", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([OK]));
  await using proxy = await startTestProxy(upstream.port);
  const { responses } = await exchange(
    proxy.addr,
    `GET /x HTTP/1.1\r\n${H}Via: 1.1 cachelab-00000000, 1.1 cachelab\r\n\r\n`,
    { responses: 1 },
  );
  assertEquals(responses[0]!.status, 200);
  assertEquals(
    upstream.requests[0]!.head.header("via"),
    `1.1 cachelab-00000000, 1.1 cachelab, 1.1 ${proxy.viaName}`,
  );
});

Deno.test("startProxy() names each proxy apart in Via, so a chain of two in one process forwards (RFC 9110 §7.6.3)", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([OK]));
  await using inner = await startTestProxy(upstream.port);
  await using outer = await startTestProxy(inner.port);
  assertEquals(inner.viaName === outer.viaName, false);
  const { responses } = await exchange(
    outer.addr,
    `GET /x HTTP/1.1\r\nHost: 127.0.0.1:${upstream.port}\r\n\r\n`,
    { responses: 1 },
  );
  assertEquals(responses[0]!.status, 200);
  assertEquals(
    upstream.requests[0]!.head.header("via"),
    `1.1 ${outer.viaName}, 1.1 ${inner.viaName}`,
  );
  assertEquals(
    responses[0]!.head.header("via"),
    `1.1 ${inner.viaName}, 1.1 ${outer.viaName}`,
  );
});

/** The handler of a proxy listening on 127.0.0.1:5555, its upstream never reached. */
function handlerAt5555(upstreamHost: string) {
  const config = {
    host: "127.0.0.1",
    port: 0,
    upstream: { host: upstreamHost, port: 5555 },
    forward: true,
    connectPorts: [443, 5555],
  } as ProxyConfig;
  const stats = new Stats();
  const upstream: Upstream = {
    exchange: () => Promise.reject(new Error("the upstream was reached")),
  };
  const handler = proxyHandler({
    config,
    upstream,
    stats,
    self: { transport: "tcp", hostname: "127.0.0.1", port: 5555 },
    viaName: newViaName(),
    clock: realClock,
  });
  return { handler, stats };
}

function request(method: string, target: string): IncomingRequest {
  return {
    head: {
      method,
      target,
      version: "HTTP/1.1",
      headers: new FieldList([["Host", "h"]]),
    },
    body: {
      length: 0,
      read: () => Promise.resolve(null),
      trailers: () => undefined,
      cancel: () => Promise.resolve(),
    },
    remoteAddr: "127.0.0.1",
    receivedAt: Date.now(),
    sendInterim: () => Promise.resolve(),
  };
}

Deno.test("proxyHandler() answers 508 without connecting when the reverse upstream is the proxy itself", async () => {
  const { handler, stats } = handlerAt5555("127.1");
  const res = await handler(request("GET", "/x"));
  assertEquals(res.status, 508);
  assertEquals(stats.get("refused.loop"), 1);
  assertEquals(stats.get("upstream.requests"), 0);
});

Deno.test("proxyHandler() answers 508 to a CONNECT to the proxy itself", async () => {
  const { handler, stats } = handlerAt5555("192.0.2.1");
  const res = await handler(request("CONNECT", "localhost:5555"));
  assertEquals(res.status, 508);
  assertEquals(res.upgrade, undefined);
  assertEquals(stats.get("refused.loop"), 1);
});

Deno.test("proxy echoes TRACE with Max-Forwards: 0 without credentials or cookies (RFC 9110 §9.3.8)", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([]));
  await using proxy = await startTestProxy(upstream.port);
  const { responses } = await exchange(
    proxy.addr,
    `TRACE /t HTTP/1.1\r\n${H}Authorization: Basic dTpw\r\nMax-Forwards: 0\r\n` +
      "Cookie: sid=secret\r\nProxy-Authorization: Basic eDp5\r\n" +
      "X-Api-Key: k\r\nX-Auth-Token: t\r\nAccept: */*\r\n\r\n",
    { responses: 1 },
  );
  assertEquals(responses[0]!.status, 200);
  assertEquals(responses[0]!.head.header("via"), `1.1 ${proxy.viaName}`);
  assertEquals(
    responses[0]!.bodyText,
    `TRACE /t HTTP/1.1\r\n${H}Max-Forwards: 0\r\nAccept: */*\r\n\r\n`,
  );
  assertEquals(upstream.connections, 0);
});
