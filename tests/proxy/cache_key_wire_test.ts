/**
 * Wire tests of the cache key (RFC 9111 §2): a response is stored under
 * the target URI the proxy forwarded, never another: the client's Host,
 * the path and the query exactly as they went upstream. A scripted
 * upstream records the exact request bytes it received and answers with
 * what it was asked for; the stored keys, the upstream's request count
 * and the proxy's counters are the oracles.
 */

import { variantsNow } from "../cache/store_helpers.ts";
import { assertEquals } from "../helpers/assert.ts";
import { countingUpstream, startCacheProxy } from "../helpers/cache_proxy.ts";
import type { WireMessage } from "../helpers/wire_text.ts";
import {
  echo,
  forwarded,
  get,
  HIT,
  send,
  viaUpstream,
} from "./cache_key_fixtures.ts";

Deno.test("cache keeps virtual hosts apart: two Hosts make two upstream requests, two entries, and neither is served the other's page", async () => {
  await using upstream = countingUpstream(echo);
  await using proxy = await startCacheProxy(upstream.port);
  const a = await send(proxy.port, get("/", "a.example"));
  const b = await send(proxy.port, get("/", "b.example"));
  const aAgain = await send(proxy.port, get("/", "a.example"));
  const bAgain = await send(proxy.port, get("/", "b.example"));
  assertEquals(
    [a.bodyText, b.bodyText, aAgain.bodyText, bAgain.bodyText],
    [
      "GET / HTTP/1.1 | a.example",
      "GET / HTTP/1.1 | b.example",
      "GET / HTTP/1.1 | a.example",
      "GET / HTTP/1.1 | b.example",
    ],
  );
  assertEquals(
    [aAgain, bAgain].map((r) => HIT.test(r.head.header("cache-status")!)),
    [true, true],
  );
  assertEquals(upstream.requests.map((r) => r.raw), [
    forwarded("/", "a.example", proxy),
    forwarded("/", "b.example", proxy),
  ]);
  const store = proxy.cache!.store;
  assertEquals(
    ["http://a.example/", "http://b.example/"].map((uri) =>
      variantsNow(store, viaUpstream(uri, upstream.port)).length
    ),
    [1, 1],
  );
});

Deno.test("cache sends the client's Host upstream unchanged and keys it lowercased without the default port", async () => {
  await using upstream = countingUpstream(echo);
  await using proxy = await startCacheProxy(upstream.port);
  const first = await send(proxy.port, get("/p", "A.Example:80"));
  assertEquals(first.bodyText, "GET /p HTTP/1.1 | A.Example:80");
  for (const host of ["a.example", "a.EXAMPLE:80", "a.example:"]) {
    const res = await send(proxy.port, get("/p", host));
    assertEquals(HIT.test(res.head.header("cache-status")!), true, host);
  }
  const other = await send(proxy.port, get("/p", "a.example:8080"));
  assertEquals(other.bodyText, "GET /p HTTP/1.1 | a.example:8080");
  assertEquals(upstream.requests.map((r) => r.raw), [
    forwarded("/p", "A.Example:80", proxy),
    forwarded("/p", "a.example:8080", proxy),
  ]);
  assertEquals(
    variantsNow(
      proxy.cache!.store,
      viaUpstream("http://a.example/p", upstream.port),
    ).length,
    1,
  );
});

Deno.test("cache keys an IPv6 literal Host lowercased in brackets and sends it unchanged", async () => {
  await using upstream = countingUpstream(echo);
  await using proxy = await startCacheProxy(upstream.port);
  const first = await send(proxy.port, get("/6", "[FE80::1]:8080"));
  assertEquals(first.bodyText, "GET /6 HTTP/1.1 | [FE80::1]:8080");
  const again = await send(proxy.port, get("/6", "[fe80::1]:8080"));
  assertEquals(HIT.test(again.head.header("cache-status")!), true);
  const otherPort = await send(proxy.port, get("/6", "[fe80::1]"));
  assertEquals(otherPort.bodyText, "GET /6 HTTP/1.1 | [fe80::1]");
  assertEquals(upstream.requests.length, 2);
  const store = proxy.cache!.store;
  assertEquals(
    ["http://[fe80::1]:8080/6", "http://[fe80::1]/6"].map((uri) =>
      variantsNow(store, viaUpstream(uri, upstream.port)).length
    ),
    [1, 1],
  );
});

Deno.test("cache sets Host from the URI in forward mode and shares that entry only with reverse requests whose Host names the same authority (RFC 9112 §3.2.2)", async () => {
  await using upstream = countingUpstream(echo);
  await using proxy = await startCacheProxy(upstream.port);
  const authority = `127.0.0.1:${upstream.port}`;
  const viaForward = await send(
    proxy.port,
    `GET http://${authority}/x HTTP/1.1\r\nHost: evil.example\r\n\r\n`,
  );
  assertEquals(viaForward.bodyText, `GET /x HTTP/1.1 | ${authority}`);
  const otherHost = await send(proxy.port, get("/x", "evil.example"));
  assertEquals(otherHost.bodyText, "GET /x HTTP/1.1 | evil.example");
  const sameHost = await send(proxy.port, get("/x", authority));
  assertEquals(sameHost.bodyText, `GET /x HTTP/1.1 | ${authority}`);
  assertEquals(HIT.test(sameHost.head.header("cache-status")!), true);
  const forwardAgain = await send(
    proxy.port,
    `GET HTTP://127.0.0.1:${upstream.port}/x HTTP/1.1\r\nHost: evil.example\r\n\r\n`,
  );
  assertEquals(HIT.test(forwardAgain.head.header("cache-status")!), true);
  assertEquals(upstream.requests.map((r) => r.raw), [
    forwarded("/x", authority, proxy),
    forwarded("/x", "evil.example", proxy),
  ]);
});

Deno.test("cache keys the path and query byte for byte as forwarded: encodings, an empty query and dot segments are separate entries (RFC 9110 §7.7)", async () => {
  await using upstream = countingUpstream(echo);
  await using proxy = await startCacheProxy(upstream.port);
  const targets = ["/~user", "/%7euser", "/%7Euser", "/a", "/a?", "/b/../a"];
  for (const target of targets) {
    const res = await send(proxy.port, get(target, "h.example"));
    assertEquals(res.bodyText, `GET ${target} HTTP/1.1 | h.example`, target);
  }
  for (const target of targets) {
    const res = await send(proxy.port, get(target, "h.example"));
    assertEquals(res.bodyText, `GET ${target} HTTP/1.1 | h.example`, target);
    assertEquals(HIT.test(res.head.header("cache-status")!), true, target);
  }
  assertEquals(
    upstream.requests.map((r) => r.raw),
    targets.map((target) => forwarded(target, "h.example", proxy)),
  );
});

Deno.test("cache forwards and keys an absolute-form path and query byte for byte, and a reverse request for the same bytes and authority is a hit", async () => {
  await using upstream = countingUpstream(echo);
  await using proxy = await startCacheProxy(upstream.port);
  const authority = `127.0.0.1:${upstream.port}`;
  const target = "/%7euser/./x?q=%41&";
  const viaForward = await send(
    proxy.port,
    `GET http://${authority}${target} HTTP/1.1\r\nHost: x\r\n\r\n`,
  );
  assertEquals(viaForward.bodyText, `GET ${target} HTTP/1.1 | ${authority}`);
  const same = await send(proxy.port, get(target, authority));
  assertEquals(HIT.test(same.head.header("cache-status")!), true);
  const decoded = await send(proxy.port, get("/~user/x?q=A&", authority));
  assertEquals(decoded.bodyText, `GET /~user/x?q=A& HTTP/1.1 | ${authority}`);
  assertEquals(upstream.requests.map((r) => r.raw), [
    forwarded(target, authority, proxy),
    forwarded("/~user/x?q=A&", authority, proxy),
  ]);
  assertEquals(
    (await proxy.cache!.store.variants(`http://${authority}${target}`)).length,
    1,
  );
});

Deno.test("cache sends an HTTP/1.0 request without Host as HTTP/1.1 with the upstream's authority as Host, and keys it by that authority (RFC 9112 §3.2)", async () => {
  await using upstream = countingUpstream(echo);
  await using proxy = await startCacheProxy(upstream.port);
  const authority = `127.0.0.1:${upstream.port}`;
  const old = await send(proxy.port, get("/old", null));
  assertEquals(old.bodyText, `GET /old HTTP/1.1 | ${authority}`);
  const named = await send(proxy.port, get("/old", authority));
  assertEquals(HIT.test(named.head.header("cache-status")!), true);
  assertEquals(upstream.requests.map((r) => r.raw), [
    forwarded("/old", authority, { viaName: proxy.viaName, version: "1.0" }),
  ]);
  assertEquals(
    (await proxy.cache!.store.variants(`http://${authority}/old`)).length,
    1,
  );
});

Deno.test("cache keeps Host when the client's Connection names it", async () => {
  await using upstream = countingUpstream(echo);
  await using proxy = await startCacheProxy(upstream.port);
  const first = await send(
    proxy.port,
    get("/c", "a.example", "Connection: Host, X-Hop\r\nX-Hop: 1\r\n"),
  );
  assertEquals(first.bodyText, "GET /c HTTP/1.1 | a.example");
  const again = await send(proxy.port, get("/c", "a.example"));
  assertEquals(HIT.test(again.head.header("cache-status")!), true);
  assertEquals(upstream.requests.map((r) => r.raw), [
    forwarded("/c", "a.example", proxy),
  ]);
});

Deno.test("cache never serves a page the upstream gave under a made-up Host to a forward request for that Host's real URI, nor the other way round (RFC 9111 §2)", async () => {
  const labelled = (label: string) => (r: WireMessage) => {
    const body = `${r.head.startLine} | ${label} ${r.head.header("host")}`;
    return `HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n` +
      `Content-Length: ${body.length}\r\n\r\n${body}`;
  };
  await using upstream = countingUpstream(labelled("upstream"));
  await using site = countingUpstream(labelled("site"));
  await using proxy = await startCacheProxy(upstream.port);
  const siteAuthority = `127.0.0.1:${site.port}`;
  const spoofed = await send(proxy.port, get("/x", siteAuthority));
  assertEquals(spoofed.bodyText, `GET /x HTTP/1.1 | upstream ${siteAuthority}`);
  const real = await send(
    proxy.port,
    `GET http://${siteAuthority}/x HTTP/1.1\r\nHost: ${siteAuthority}\r\n\r\n`,
  );
  assertEquals(real.bodyText, `GET /x HTTP/1.1 | site ${siteAuthority}`);
  const spoofedAgain = await send(proxy.port, get("/x", siteAuthority));
  assertEquals(
    spoofedAgain.bodyText,
    `GET /x HTTP/1.1 | upstream ${siteAuthority}`,
  );
  assertEquals(HIT.test(spoofedAgain.head.header("cache-status")!), true);
  const realAgain = await send(
    proxy.port,
    `GET http://${siteAuthority}/x HTTP/1.1\r\nHost: x\r\n\r\n`,
  );
  assertEquals(realAgain.bodyText, `GET /x HTTP/1.1 | site ${siteAuthority}`);
  assertEquals(HIT.test(realAgain.head.header("cache-status")!), true);
  assertEquals([upstream.requests.length, site.requests.length], [1, 1]);
});
