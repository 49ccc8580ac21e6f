/**
 * Found by the review of issue 12: `Cachelab-Explain` is this proxy's own field ("neither field
 * is stored; a request without it gets a response without it", README).
 * An upstream that sends a Cachelab-Explain response field of its own
 * must not have it stored nor relayed as if the cache had said it.
 */

import assert, { assertEquals } from "../helpers/assert.ts";
import { countingUpstream, startCacheProxy } from "../helpers/cache_proxy.ts";
import { get, HIT, send } from "./cache_key_fixtures.ts";

const FORGED =
  "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nCachelab-Explain: fresh: forged by the origin\r\nContent-Length: 2\r\n\r\nok";

Deno.test("proxy neither relays nor stores an upstream's own Cachelab-Explain field when the client did not ask", async () => {
  await using upstream = countingUpstream(() => FORGED);
  await using proxy = await startCacheProxy(upstream.port);
  const miss = await send(proxy.port, get("/f", "a.example"));
  assertEquals(miss.bodyText, "ok");
  assertEquals(miss.head.header("cachelab-explain"), undefined);
  const hit = await send(proxy.port, get("/f", "a.example"));
  assert.match(hit.head.header("cache-status")!, HIT);
  assertEquals(hit.head.header("cachelab-explain"), undefined);
  assertEquals(upstream.requests.length, 1);
});
