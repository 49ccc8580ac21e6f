/**
 * Wire tests of what surrounds the cache key: requests that have no valid
 * target URI are refused before any upstream contact; OPTIONS * passes
 * through without a key; Vary compares the request fields as they were
 * forwarded; invalidation keys Location as a request would be keyed.
 */

import { assertEquals } from "../helpers/assert.ts";
import { countingUpstream, startCacheProxy } from "../helpers/cache_proxy.ts";
import { echo, get, HIT, send, viaUpstream } from "./cache_key_fixtures.ts";

/** Refused by routing (counted refused.400) or, for a Host every server refuses, as the head is parsed (downstream.error:400). */
const ROUTING = "refused.400";
const HEAD = "downstream.error:400";

const REFUSED: [string, string, string][] = [
  ["a fragment in origin-form", get("/a#frag", "a.example"), ROUTING],
  ["a fragment in absolute-form", get("http://a.example/a#frag", "x"), ROUTING],
  ["userinfo in absolute-form", get("http://user:pw@a.example/", "x"), ROUTING],
  ["an empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", HEAD],
  ["a Host with a bad port", get("/", "a.example:x"), HEAD],
  ["a Host with port 0", get("/", "a.example:0"), HEAD],
  ["a Host with a bad percent-encoding", get("/", "a%zz.example"), HEAD],
  ["a Host with an unclosed IPv6 literal", get("/", "[::1"), HEAD],
  ["a Host with an IP literal that is no IPv6 address", get("/", "[1]"), HEAD],
  [
    "OPTIONS * with a bad Host",
    "OPTIONS * HTTP/1.1\r\nHost: :80\r\n\r\n",
    HEAD,
  ],
];

for (const [what, request, counter] of REFUSED) {
  Deno.test(`cache answers 400 to a request with ${what}, never contacting the upstream (RFC 9112 §3.2)`, async () => {
    await using upstream = countingUpstream(echo);
    await using proxy = await startCacheProxy(upstream.port);
    const res = await send(proxy.port, request);
    assertEquals(res.status, 400);
    assertEquals(upstream.connections, 0);
    assertEquals(proxy.stats.get(counter), 1);
  });
}

Deno.test("cache passes OPTIONS * through to the upstream unchanged, storing nothing (RFC 9112 §3.2.4)", async () => {
  await using upstream = countingUpstream((request) =>
    `HTTP/1.1 200 OK\r\nAllow: GET, HEAD, OPTIONS\r\nCache-Control: max-age=60\r\n` +
    `Content-Length: ${request.head.startLine.length}\r\n\r\n${request.head.startLine}`
  );
  await using proxy = await startCacheProxy(upstream.port);
  const star = await send(
    proxy.port,
    "OPTIONS * HTTP/1.1\r\nHost: a.example\r\nMax-Forwards: 3\r\n\r\n",
  );
  assertEquals([star.status, star.bodyText], [200, "OPTIONS * HTTP/1.1"]);
  assertEquals(star.head.header("allow"), "GET, HEAD, OPTIONS");
  assertEquals(
    star.head.header("cache-status"),
    "cachelab; fwd=method; fwd-status=200",
  );
  const old = await send(proxy.port, "OPTIONS * HTTP/1.0\r\n\r\n");
  assertEquals(old.status, 200);
  assertEquals(upstream.requests.map((r) => r.raw), [
    "OPTIONS * HTTP/1.1\r\nHost: a.example\r\nMax-Forwards: 2\r\n" +
    `Via: 1.1 ${proxy.viaName}\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n`,
    `OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1:${upstream.port}\r\n` +
    `Via: 1.0 ${proxy.viaName}\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n`,
  ]);
  assertEquals(proxy.stats.get("cache.stored"), 0);
  assertEquals(proxy.logs.map((l) => l.split(" ").pop()), [
    "BYPASS",
    "BYPASS",
  ]);
});

Deno.test("cache forwards OPTIONS for an absolute URI with an empty path as OPTIONS *, storing nothing (RFC 9112 §3.2.4)", async () => {
  await using upstream = countingUpstream((request) =>
    `HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n` +
    `Content-Length: ${request.head.startLine.length}\r\n\r\n${request.head.startLine}`
  );
  await using proxy = await startCacheProxy(upstream.port);
  const authority = `127.0.0.1:${upstream.port}`;
  for (let i = 0; i < 2; i++) {
    const res = await send(
      proxy.port,
      `OPTIONS http://${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`,
    );
    assertEquals([res.status, res.bodyText], [200, "OPTIONS * HTTP/1.1"]);
  }
  assertEquals(upstream.requests.map((r) => r.head.header("host")), [
    authority,
    authority,
  ]);
  assertEquals(proxy.stats.get("cache.stored"), 0);
});

Deno.test("cache takes Vary values from the request as forwarded: a field the client named in Connection never reached the origin, so it selects nothing (RFC 9111 §4.1)", async () => {
  await using upstream = countingUpstream((request) => {
    const body = `secret=${request.head.header("x-secret") ?? "none"}`;
    return `HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nVary: X-Secret\r\n` +
      `Content-Length: ${body.length}\r\n\r\n${body}`;
  });
  await using proxy = await startCacheProxy(upstream.port);
  const spoofed = await send(
    proxy.port,
    get("/v", "a.example", "Connection: X-Secret\r\nX-Secret: evil\r\n"),
  );
  assertEquals(spoofed.bodyText, "secret=none");
  const variants = await proxy.cache!.store.variants(
    viaUpstream("http://a.example/v", upstream.port),
  );
  assertEquals(variants.map((v) => v.vary), [[["x-secret", null]]]);
  const plain = await send(proxy.port, get("/v", "a.example"));
  assertEquals(plain.bodyText, "secret=none");
  assertEquals(HIT.test(plain.head.header("cache-status")!), true);
  const hopOther = await send(
    proxy.port,
    get("/v", "a.example", "X-Secret: other\r\nConnection: x-secret\r\n"),
  );
  assertEquals(HIT.test(hopOther.head.header("cache-status")!), true);
  const real = await send(
    proxy.port,
    get("/v", "a.example", "X-Secret: evil\r\n"),
  );
  assertEquals(real.bodyText, "secret=evil");
  assertEquals(
    real.head.header("cache-status"),
    "cachelab; fwd=vary-miss; fwd-status=200; stored",
  );
  assertEquals(upstream.requests.map((r) => r.head.header("x-secret")), [
    undefined,
    "evil",
  ]);
});

Deno.test("cache invalidates after a POST only the keys of its own virtual host, Location resolved against the forwarded target (RFC 9111 §4.4)", async () => {
  await using upstream = countingUpstream((request) =>
    request.head.startLine.startsWith("POST")
      ? "HTTP/1.1 201 Created\r\nLocation: ../items/%7e1\r\nContent-Length: 0\r\n\r\n"
      : echo(request)
  );
  await using proxy = await startCacheProxy(upstream.port);
  const store = proxy.cache!.store;
  for (const host of ["a.example", "b.example"]) {
    for (const target of ["/items/new", "/items/%7e1", "/items/~1"]) {
      await send(proxy.port, get(target, host));
    }
  }
  assertEquals(upstream.requests.length, 6);
  const posted = await send(
    proxy.port,
    "POST /items/new HTTP/1.1\r\nHost: A.example\r\nContent-Length: 0\r\n\r\n",
  );
  assertEquals(posted.status, 201);
  assertEquals(proxy.stats.get("cache.invalidations"), 2);
  const left = (host: string) =>
    Promise.all(
      ["/items/new", "/items/%7e1", "/items/~1"].map(async (target) =>
        (await store.variants(
          viaUpstream(`http://${host}${target}`, upstream.port),
        )).length
      ),
    );
  assertEquals(await left("a.example"), [0, 0, 1]);
  assertEquals(await left("b.example"), [1, 1, 1]);
});
