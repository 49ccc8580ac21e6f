/**
 * Wire tests of head sizes across the proxy: whatever the proxy accepts
 * from a client still fits cachelab's origin once Via and X-Forwarded-For
 * are added (the origin has PROXY_HEADROOM more), and a head the proxy
 * would have to make larger than that is refused by the proxy itself with
 * 431, never sent upstream.
 */

import { assertEquals } from "../helpers/assert.ts";
import { countingUpstream, startCacheProxy } from "../helpers/cache_proxy.ts";
import {
  exchange,
  respondInOrder,
  ScriptedServer,
} from "../helpers/raw_peer.ts";
import { startTestProxy } from "../helpers/proxy.ts";
import { makeFixture } from "../origin/fixtures.ts";
import { DEFAULT_HEAD_LIMITS, UPSTREAM_HEAD_LIMITS } from "../../http/head.ts";
import { startOrigin } from "../../origin/mod.ts";

const H = "Host: h\r\n";

async function cachelabOrigin() {
  const fx = await makeFixture();
  const server = await startOrigin({
    host: "127.0.0.1",
    port: 0,
    root: fx.root,
    cacheControl: "no-cache",
    headTimeoutMs: 5000,
    idleTimeoutMs: 5000,
  });
  return {
    port: server.addr.port,
    async [Symbol.asyncDispose]() {
      await server.shutdown(1000);
      await fx[Symbol.asyncDispose]();
    },
  };
}

/** `count` field lines of about `each` bytes (name, colon, value, CRLF). */
function fields(count: number, each = 8): string {
  let out = "";
  for (let i = 0; i < count; i++) {
    const name = `X-F${i}`;
    out += `${name}: ${"v".repeat(Math.max(1, each - name.length - 4))}\r\n`;
  }
  return out;
}

Deno.test("proxy forwards a request with as many fields as it accepts to cachelab's origin, which answers 200", async () => {
  await using origin = await cachelabOrigin();
  await using proxy = await startTestProxy(origin.port);
  const max = DEFAULT_HEAD_LIMITS.maxFields;
  const { responses } = await exchange(
    proxy.addr,
    `GET /1.txt HTTP/1.1\r\n${H}${fields(max - 1)}\r\n`,
    { responses: 1 },
  );
  assertEquals([responses[0]!.status, responses[0]!.bodyText], [
    200,
    "hello\n",
  ]);
});

Deno.test("proxy forwards a head just under its byte limit to cachelab's origin, which answers 200", async () => {
  await using origin = await cachelabOrigin();
  await using proxy = await startTestProxy(origin.port);
  const start = `GET /1.txt HTTP/1.1\r\n${H}`;
  const room = DEFAULT_HEAD_LIMITS.maxHead - start.length - 2;
  const big = `X-Big: ${"b".repeat(room - "X-Big: \r\n".length)}\r\n`;
  const head = `${start}${big}\r\n`;
  assertEquals(head.length, DEFAULT_HEAD_LIMITS.maxHead); // exactly the most the proxy accepts
  const { responses } = await exchange(proxy.addr, head, { responses: 1 });
  assertEquals([responses[0]!.status, responses[0]!.bodyText], [
    200,
    "hello\n",
  ]);
  const over = `${start}X-Over: 1\r\n${big}\r\n`;
  const refused = await exchange(proxy.addr, over, { responses: 1 });
  assertEquals(refused.responses[0]!.status, 431); // one byte more is the proxy's own 431
});

Deno.test("startOrigin() accepts the upstream limits and answers 431 past them", async () => {
  await using origin = await cachelabOrigin();
  const most = UPSTREAM_HEAD_LIMITS.maxFields;
  const ok = await exchange(
    { port: origin.port },
    `GET /1.txt HTTP/1.1\r\n${H}${fields(most - 1)}\r\n`,
    { responses: 1 },
  );
  assertEquals(ok.responses[0]!.status, 200);
  const over = await exchange(
    { port: origin.port },
    `GET /1.txt HTTP/1.1\r\n${H}${fields(most)}\r\n`,
    { responses: 1 },
  );
  assertEquals(over.responses[0]!.status, 431);
});

Deno.test("proxy leaves out its own validator, not answering 431, when it would make a revalidation larger than the upstream limits (RFC 9111 §4.3.1)", async () => {
  // Until issue 10's hostile review this request was answered 431 by the
  // proxy itself: the 30 KiB ETag it added took the head past the
  // upstream limit. What the cache adds now stays within
  // SENT_VALIDATORS_MAX_BYTES (cache/sent_validators.ts): a validator
  // that does not fit is left out and the revalidation is a plain fetch.
  const etag = `"${"e".repeat(30 * 1024)}"`;
  await using upstream = countingUpstream(() =>
    `HTTP/1.1 200 OK\r\nCache-Control: no-cache\r\nETag: ${etag}\r\n` +
    "Content-Length: 2\r\n\r\nok"
  );
  await using proxy = await startCacheProxy(upstream.port);
  const first = await exchange(proxy.addr, `GET /e HTTP/1.1\r\n${H}\r\n`, {
    responses: 1,
  });
  assertEquals(first.responses[0]!.status, 200);
  const bulky = `X-Bulk: ${"b".repeat(50 * 1024)}\r\n`; // fits the proxy; with the ETag it would not fit upstream
  const second = await exchange(
    proxy.addr,
    `GET /e HTTP/1.1\r\n${H}${bulky}\r\n`,
    { responses: 1 },
  );
  assertEquals(
    [second.responses[0]!.status, second.responses[0]!.bodyText],
    [200, "ok"],
  );
  assertEquals(upstream.requests.length, 2);
  assertEquals(upstream.requests[1]!.head.header("if-none-match"), undefined);
});

Deno.test("proxy accepts an upstream response with more fields than a client may send, as another proxy's would be", async () => {
  const many = fields(DEFAULT_HEAD_LIMITS.maxFields + 5);
  await using upstream = ScriptedServer.start(respondInOrder([
    `HTTP/1.1 200 OK\r\n${many}Content-Length: 2\r\n\r\nok`,
  ]));
  await using proxy = await startTestProxy(upstream.port);
  const { responses } = await exchange(
    proxy.addr,
    `GET / HTTP/1.1\r\n${H}\r\n`,
    { responses: 1 },
  );
  assertEquals([responses[0]!.status, responses[0]!.bodyText], [200, "ok"]);
});
