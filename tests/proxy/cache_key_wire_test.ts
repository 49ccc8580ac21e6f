/**
 * Wire tests of the cache key (RFC 9111 §2): a response is stored under
 * the target URI the proxy forwarded, never another. A scripted upstream
 * records the exact request bytes it received and answers with what it
 * was asked for; the stored keys, the upstream's request count and the
 * proxy's counters are the oracles.
 */

import { assertEquals } from "../helpers/assert.ts";
import { countingUpstream, startCacheProxy } from "../helpers/cache_proxy.ts";
import { exchange } from "../helpers/raw_peer.ts";
import type { WireMessage, WireResponse } from "../helpers/wire_text.ts";

/** A fresh response whose body says which target and Host it answered. */
function echo(request: WireMessage): string {
  const body = `${request.head.startLine} | ${request.head.header("host")}`;
  return `HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
}

/** Sends one request (exact bytes) and returns its response. */
async function send(port: number, request: string): Promise<WireResponse> {
  const method = request.slice(0, request.indexOf(" "));
  const { responses } = await exchange({ port }, request, {
    responses: 1,
    methods: [method],
  });
  return responses[0]!;
}

/** A GET for `target` with Host `host` (or none) and extra field lines. */
function get(target: string, host: string | null, extra = ""): string {
  const hostLine = host === null ? "" : `Host: ${host}\r\n`;
  const version = host === null ? "HTTP/1.0" : "HTTP/1.1";
  return `GET ${target} ${version}\r\n${hostLine}${extra}\r\n`;
}

/** What the proxy sends upstream for a plain GET from 127.0.0.1. */
function forwarded(target: string, host: string, via = "1.1"): string {
  return `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nVia: ${via} cachelab\r\n` +
    `X-Forwarded-For: 127.0.0.1\r\n\r\n`;
}

const HIT = /^cachelab; hit; ttl=\d+$/;

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
    forwarded("/", "a.example"),
    forwarded("/", "b.example"),
  ]);
  const store = proxy.cache!.store;
  assertEquals(
    ["http://a.example/", "http://b.example/"].map((key) =>
      store.variants(key).length
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
    forwarded("/p", "A.Example:80"),
    forwarded("/p", "a.example:8080"),
  ]);
  assertEquals(proxy.cache!.store.variants("http://a.example/p").length, 1);
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
    ["http://[fe80::1]:8080/6", "http://[fe80::1]/6"].map((key) =>
      store.variants(key).length
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
    forwarded("/x", authority),
    forwarded("/x", "evil.example"),
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
    targets.map((target) => forwarded(target, "h.example")),
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
    forwarded(target, authority),
    forwarded("/~user/x?q=A&", authority),
  ]);
  assertEquals(
    proxy.cache!.store.variants(`http://${authority}${target}`).length,
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
    forwarded("/old", authority, "1.0"),
  ]);
  assertEquals(
    proxy.cache!.store.variants(`http://${authority}/old`).length,
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
    forwarded("/c", "a.example"),
  ]);
});

const REFUSED: [string, string][] = [
  ["a fragment in origin-form", get("/a#frag", "a.example")],
  ["a fragment in absolute-form", get("http://a.example/a#frag", "x")],
  ["userinfo in absolute-form", get("http://user:pw@a.example/", "x")],
  ["an empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n"],
  ["a Host with a bad port", get("/", "a.example:x")],
  ["a Host with port 0", get("/", "a.example:0")],
  ["a Host with a bad percent-encoding", get("/", "a%zz.example")],
  ["a Host with an unclosed IPv6 literal", get("/", "[::1")],
  ["OPTIONS * with a bad Host", "OPTIONS * HTTP/1.1\r\nHost: :80\r\n\r\n"],
];

for (const [what, request] of REFUSED) {
  Deno.test(`cache answers 400 to a request with ${what}, never contacting the upstream (RFC 9112 §3.2)`, async () => {
    await using upstream = countingUpstream(echo);
    await using proxy = await startCacheProxy(upstream.port);
    const res = await send(proxy.port, request);
    assertEquals(res.status, 400);
    assertEquals(upstream.connections, 0);
    assertEquals(proxy.stats.get("refused.400"), 1);
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
    "Via: 1.1 cachelab\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n",
    `OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1:${upstream.port}\r\n` +
    "Via: 1.0 cachelab\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n",
  ]);
  assertEquals(proxy.stats.get("cache.stored"), 0);
  assertEquals(proxy.logs.map((l) => l.split(" ").pop()), [
    "BYPASS",
    "BYPASS",
  ]);
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
  const variants = proxy.cache!.store.variants("http://a.example/v");
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
    ["/items/new", "/items/%7e1", "/items/~1"].map((target) =>
      store.variants(`http://${host}${target}`).length
    );
  assertEquals(left("a.example"), [0, 0, 1]);
  assertEquals(left("b.example"), [1, 1, 1]);
});
