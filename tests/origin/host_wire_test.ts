/**
 * Wire tests of the Host rule at the origin (RFC 9112 §3.2), applied by
 * http/ as the head is parsed, the same as for the proxy: 400 and close
 * for the Host fields every server must refuse, HTTP/1.0 without Host
 * served. The origin runs from startOrigin on port 0 over a fixture
 * folder; a raw client sends exact bytes.
 */

import { assertEquals } from "../helpers/assert.ts";
import { startOrigin } from "../../origin/mod.ts";
import { RawClient } from "../helpers/raw_peer.ts";
import { makeFixture } from "./fixtures.ts";

// deno-fmt-ignore
const REFUSED: [string, string][] = [
  ["an HTTP/1.1 request without Host", "GET /1.txt HTTP/1.1\r\n\r\n"],
  ["two Host field lines", "GET /1.txt HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"],
  ["two Host field lines in HTTP/1.0", "GET /1.txt HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n"],
  ["an empty Host for an origin-form target", "GET /1.txt HTTP/1.1\r\nHost:\r\n\r\n"],
  ["an invalid Host in HTTP/1.0", "GET /1.txt HTTP/1.0\r\nHost: a:b\r\n\r\n"],
  ["an IP literal that is no IPv6 address", "GET /1.txt HTTP/1.1\r\nHost: [1]\r\n\r\n"],
];

async function withOrigin(
  test: (addr: Deno.NetAddr) => Promise<void>,
): Promise<void> {
  await using fx = await makeFixture();
  const server = await startOrigin({
    host: "127.0.0.1",
    port: 0,
    root: fx.root,
    cacheControl: "no-cache",
    headTimeoutMs: 5000,
    idleTimeoutMs: 5000,
    log: () => {},
  });
  try {
    await test(server.addr);
  } finally {
    await server.shutdown(1000);
  }
}

for (const [what, request] of REFUSED) {
  Deno.test(`startOrigin() answers 400 and closes for ${what} (RFC 9112 §3.2)`, async () => {
    await withOrigin(async (addr) => {
      using client = await RawClient.connect(addr);
      await client.write(request);
      const res = await client.readResponse();
      assertEquals(res.status, 400);
      assertEquals(res.head.header("connection"), "close");
      assertEquals((await client.readUntilClose()).end !== "open", true);
    });
  });
}

Deno.test("startOrigin() serves an HTTP/1.0 request without Host (RFC 9112 §3.2)", async () => {
  await withOrigin(async (addr) => {
    using client = await RawClient.connect(addr);
    await client.write("GET /1.txt HTTP/1.0\r\n\r\n");
    const res = await client.readResponse();
    assertEquals([res.status, res.bodyText], [200, "hello\n"]);
  });
});
