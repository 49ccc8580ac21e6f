/**
 * Failing wire test found by the review of issue 8: the origin
 * and an invalid Host. The origin runs from startOrigin on port 0 over a
 * fixture folder; a raw client sends exact bytes.
 */

import { assertEquals } from "../helpers/assert.ts";
import { startOrigin } from "../../origin/mod.ts";
import { RawClient } from "../helpers/raw_peer.ts";
import { makeFixture } from "./fixtures.ts";

// Each is not uri-host [ ":" port ] (RFC 3986 §3.2.2, §3.2.3).
const INVALID_HOSTS = ["[::1", "a:b", "a:-1", "[zz]", "%zz", "a]"];

Deno.test("startOrigin() answers 400 to a request whose Host is not a valid authority", async () => {
  // RFC 9112 §3.2: a server MUST respond 400 to a request with a Host
  // field whose value is invalid (the proxy already does: target.ts).
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
    const statuses: number[] = [];
    for (const host of INVALID_HOSTS) {
      using client = await RawClient.connect(server.addr);
      await client.write(`GET /1.txt HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      statuses.push((await client.readResponse()).status);
    }
    assertEquals(statuses, INVALID_HOSTS.map(() => 400));
  } finally {
    await server.shutdown(1000);
  }
});
