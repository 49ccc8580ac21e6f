/**
 * Wire tests of `Cachelab-Explain` on the proxy port: the exact bytes the
 * upstream received (no Cachelab-Explain line) and the field on the
 * client's response only when asked; the store and the Cache-Status of a
 * later request are the oracles.
 */

import assert, { assertEquals } from "../helpers/assert.ts";
import { countingUpstream, startCacheProxy } from "../helpers/cache_proxy.ts";
import { echo, forwarded, get, HIT, send } from "./cache_key_fixtures.ts";

Deno.test("proxy answers Cachelab-Explain: 1 with the summary, never forwards the field, and never stores it (RFC 9111 §3, §4.2)", async () => {
  await using upstream = countingUpstream(echo);
  await using proxy = await startCacheProxy(upstream.port);
  const asked = await send(
    proxy.port,
    get("/p", "a.example", "Cachelab-Explain: 1\r\n"),
  );
  assert.match(
    asked.head.header("cachelab-explain")!,
    /^miss: nothing stored for this URI: origin 200, stored; age \d+ s = corrected initial age \d+ \+ resident 0; lifetime 60 s from max-age; \d+ s left \(RFC 9111 sections 3, 4, 4\.2, 4\.2\.3\)$/,
  );
  assertEquals(upstream.requests.map((r) => r.raw), [
    forwarded("/p", "a.example", proxy),
  ]);
  const plain = await send(proxy.port, get("/p", "a.example"));
  assertEquals(plain.head.header("cachelab-explain"), undefined);
  assert.match(plain.head.header("cache-status")!, HIT);
  const hit = await send(
    proxy.port,
    get("/p", "a.example", "Cachelab-Explain: 1\r\n"),
  );
  assert.match(
    hit.head.header("cachelab-explain")!,
    /^fresh: age \d+ s = corrected initial age \d+ \+ resident \d+; lifetime 60 s from max-age; \d+ s left \(RFC 9111 sections 4\.2, 4\.2\.3\)$/,
  );
  assertEquals(upstream.requests.length, 1);
});

Deno.test("proxy says why a response was not stored in Cachelab-Explain and forwards the request without the field (RFC 9111 §5.2.2.7)", async () => {
  await using upstream = countingUpstream(() =>
    "HTTP/1.1 200 OK\r\nCache-Control: private, max-age=60\r\nContent-Length: 2\r\n\r\nhi"
  );
  await using proxy = await startCacheProxy(upstream.port);
  const res = await send(
    proxy.port,
    get("/me", "a.example", "Cachelab-Explain: 1\r\n"),
  );
  assertEquals(res.bodyText, "hi");
  assertEquals(
    res.head.header("cachelab-explain"),
    "miss: nothing stored for this URI: origin 200, not stored: private in Cache-Control: a shared cache never stores it: drop private, and send public or s-maxage if it may be shared (RFC 9111 sections 3, 4, 5.2.2.7)",
  );
  assertEquals(upstream.requests.map((r) => r.raw), [
    forwarded("/me", "a.example", proxy),
  ]);
});
