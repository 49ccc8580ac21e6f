/**
 * The lab origin listens on http/resettable_listener.ts (node:net) instead
 * of Deno.listen: these wire tests check that the files, keep-alive,
 * pipelining, a head timeout, a request body and the clock behave there
 * as they do on Deno.listen (tests/origin/wire_test.ts).
 */

import assert from "../../helpers/assert.ts";
import type { HttpServer } from "../../../http/server.ts";
import { startOrigin } from "../../../origin/mod.ts";
import { exchange, RawClient } from "../../helpers/raw_peer.ts";
import { type Fixture, makeFixture } from "../fixtures.ts";

const HOST = "Host: origin.test\r\n";

async function labOrigin(
  options: { headTimeoutMs?: number; now?: () => number } = {},
): Promise<{ fx: Fixture; server: HttpServer } & AsyncDisposable> {
  const fx = await makeFixture();
  const server = await startOrigin({
    host: "127.0.0.1",
    port: 0,
    root: fx.root,
    cacheControl: "no-cache",
    headTimeoutMs: options.headTimeoutMs ?? 5000,
    idleTimeoutMs: 5000,
    now: options.now,
    lab: {},
  });
  return {
    fx,
    server,
    async [Symbol.asyncDispose]() {
      await server.shutdown(1000);
      await fx[Symbol.asyncDispose]();
    },
  };
}

Deno.test("startOrigin() with lab streams a large file byte for byte on its node:net listener", async () => {
  await using o = await labOrigin();
  const res = await fetch(`http://127.0.0.1:${o.server.addr.port}/big.bin`);
  assert.equal(res.headers.get("content-length"), String(o.fx.big.length));
  assert.deepEqual(new Uint8Array(await res.arrayBuffer()), o.fx.big);
});

Deno.test("startOrigin() with lab answers pipelined requests in order and counts each path when they share one write", async () => {
  await using o = await labOrigin();
  const { responses, end } = await exchange(
    o.server.addr,
    `GET /1.txt HTTP/1.1\r\n${HOST}\r\nGET /1.txt?x HTTP/1.1\r\n${HOST}\r\n` +
      `GET /lab/count?path=/1.txt HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`,
  );
  assert.equal(end, "close");
  assert.deepEqual(responses.map((r) => r.bodyText), [
    "hello\n",
    "hello\n",
    "2\n",
  ]);
  assert.equal(responses[2]!.head.header("cache-control"), "no-store");
});

Deno.test("startOrigin() with lab keeps one connection for several requests and reads a request body", async () => {
  await using o = await labOrigin();
  using client = await RawClient.connect(o.server.addr);
  await client.write(`GET /1.txt HTTP/1.1\r\n${HOST}\r\n`);
  assert.equal((await client.readResponse()).bodyText, "hello\n");
  const body = "x".repeat(300_000);
  await client.write(
    `PUT /lab/thing HTTP/1.1\r\n${HOST}Content-Length: ${body.length}\r\n\r\n${body}`,
  );
  assert.equal((await client.readResponse()).status, 204);
  await client.write(`GET /lab/headers HTTP/1.1\r\n${HOST}\r\n`);
  const res = await client.readResponse();
  assert.equal(res.bodyText, "request 1 for /lab/headers\n");
  assert.equal(client.end, "open");
  assert.equal(o.server.openConnections, 1);
});

Deno.test("startOrigin() with lab answers a head that trickles past headTimeoutMs 408 and closes", async () => {
  await using o = await labOrigin({ headTimeoutMs: 200 });
  using client = await RawClient.connect(o.server.addr);
  await client.write("GET /1.txt HTTP/1.1\r\nHost: or");
  const { text, end } = await client.readUntilClose();
  assert.equal(end, "close");
  assert.match(text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
});

Deno.test("startOrigin() with lab dates files and lab answers by its clock when now is given", async () => {
  const now = Date.UTC(2030, 0, 1, 12, 0, 0);
  await using o = await labOrigin({ now: () => now });
  const { responses } = await exchange(
    o.server.addr,
    `GET /1.txt HTTP/1.1\r\n${HOST}\r\nGET /lab/headers HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`,
  );
  assert.deepEqual(responses.map((r) => r.head.header("date")), [
    "Tue, 01 Jan 2030 12:00:00 GMT",
    "Tue, 01 Jan 2030 12:00:00 GMT",
  ]);
});

Deno.test("startOrigin() with lab rejects with AddrInUse when the port is taken", async () => {
  await using o = await labOrigin();
  await assert.rejects(
    startOrigin({
      host: "127.0.0.1",
      port: o.server.addr.port,
      root: o.fx.root,
      cacheControl: "no-cache",
      headTimeoutMs: 1000,
      idleTimeoutMs: 1000,
      lab: {},
    }),
    Deno.errors.AddrInUse,
  );
});
