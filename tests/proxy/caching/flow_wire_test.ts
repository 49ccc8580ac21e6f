/**
 * Component tests of the cache flow: the proxy with a memory store in
 * front of a counting scripted upstream. The upstream's request count and
 * the proxy's counters are the oracles.
 */

import { assertEquals, assertStringIncludes } from "../../helpers/assert.ts";
import {
  countingUpstream,
  startCacheProxy,
  waitUntil,
} from "../../helpers/cache_proxy.ts";
import { exchange, RawClient } from "../../helpers/raw_peer.ts";
import type { WireResponse } from "../../helpers/wire_text.ts";

const LAST_MODIFIED = "Tue, 24 Nov 2026 10:00:00 GMT";

function response(fields: string[], body: string, status = "200 OK"): string {
  return `HTTP/1.1 ${status}\r\n${
    fields.map((f) => `${f}\r\n`).join("")
  }Content-Length: ${body.length}\r\n\r\n${body}`;
}

async function get(
  port: number,
  path: string,
  extra: string[] = [],
  method = "GET",
): Promise<WireResponse> {
  const head = `${method} ${path} HTTP/1.1\r\nHost: h\r\n${
    extra.map((f) => `${f}\r\n`).join("")
  }\r\n`;
  const { responses } = await exchange({ port }, head, {
    responses: 1,
    methods: [method],
  });
  return responses[0]!;
}

Deno.test("cache serves a fresh stored response without going upstream, with Age and Cache-Status hit (RFC 9111 §4.2)", async () => {
  await using upstream = countingUpstream(() =>
    response(["Cache-Control: max-age=60"], "hello")
  );
  await using proxy = await startCacheProxy(upstream.port);
  const first = await get(proxy.port, "/a");
  const second = await get(proxy.port, "/a");
  assertEquals([first.bodyText, second.bodyText], ["hello", "hello"]);
  assertEquals(
    first.head.header("cache-status"),
    "cachelab; fwd=uri-miss; fwd-status=200; stored",
  );
  assertStringIncludes(
    second.head.header("cache-status")!,
    "cachelab; hit; ttl=",
  );
  assertEquals(second.head.header("age"), "0");
  assertEquals(upstream.requests.length, 1);
  assertEquals(
    [proxy.stats.get("cache.misses"), proxy.stats.get("cache.hits")],
    [1, 1],
  );
  assertEquals(proxy.logs.map((l) => l.split(" ").pop()), ["MISS", "HIT"]);
});

Deno.test("cache revalidates a no-cache response with If-Modified-Since and serves the body on 304 (the assignment, RFC 9111 §4.3)", async () => {
  await using upstream = countingUpstream((req, i) =>
    i === 0
      ? response(
        ["Cache-Control: no-cache", `Last-Modified: ${LAST_MODIFIED}`],
        "v1",
      )
      : req.head.header("if-modified-since") === LAST_MODIFIED
      ? "HTTP/1.1 304 Not Modified\r\nCache-Control: no-cache\r\n\r\n"
      : response([], "unexpected")
  );
  await using proxy = await startCacheProxy(upstream.port);
  await get(proxy.port, "/1.txt");
  const second = await get(proxy.port, "/1.txt");
  assertEquals([second.status, second.bodyText], [200, "v1"]);
  assertEquals(
    upstream.requests[1]!.head.header("if-modified-since"),
    LAST_MODIFIED,
  );
  assertStringIncludes(
    second.head.header("cache-status")!,
    "fwd=stale; fwd-status=304",
  );
  assertEquals(proxy.stats.get("cache.revalidated"), 1);
  assertEquals(proxy.logs[1]!.endsWith("REVALIDATED"), true);
});

Deno.test("cache replaces the stored response when revalidation brings a changed one (RFC 9111 §4.3.3)", async () => {
  const NEWER = "Wed, 25 Nov 2026 10:00:00 GMT";
  await using upstream = countingUpstream((req, i) => {
    if (i === 0) {
      return response([
        "Cache-Control: no-cache",
        `Last-Modified: ${LAST_MODIFIED}`,
      ], "old");
    }
    if (req.head.header("if-modified-since") === NEWER) {
      return "HTTP/1.1 304 Not Modified\r\n\r\n";
    }
    return response(
      ["Cache-Control: no-cache", `Last-Modified: ${NEWER}`],
      "new!",
    );
  });
  await using proxy = await startCacheProxy(upstream.port);
  await get(proxy.port, "/f");
  const changed = await get(proxy.port, "/f");
  assertEquals(changed.bodyText, "new!");
  assertStringIncludes(
    changed.head.header("cache-status")!,
    "fwd=stale; fwd-status=200; stored",
  );
  const again = await get(proxy.port, "/f");
  assertEquals([
    again.bodyText,
    upstream.requests[2]!.head.header("if-modified-since"),
  ], ["new!", NEWER]);
});

Deno.test("cache collapses concurrent misses for one key into one upstream request", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  await using upstream = countingUpstream(async () => {
    await gate;
    return response(["Cache-Control: max-age=60"], "shared");
  });
  await using proxy = await startCacheProxy(upstream.port);
  const clients = Array.from({ length: 5 }, () => get(proxy.port, "/hot"));
  await waitUntil(
    () =>
      proxy.stats.get("downstream.request") === 5 &&
      upstream.requests.length === 1,
    "5 requests in",
  );
  release();
  const results = await Promise.all(clients);
  assertEquals(results.map((r) => r.bodyText), Array(5).fill("shared"));
  assertEquals(upstream.requests.length, 1);
  assertEquals(proxy.stats.get("cache.collapsed"), 4);
  assertEquals(
    results.filter((r) => r.head.header("cache-status")!.includes("collapsed"))
      .length,
    4,
  );
});

Deno.test("cache sends collapsed waiters upstream themselves when the response was not storable", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  await using upstream = countingUpstream(async (_req, i) => {
    if (i === 0) await gate;
    return response(["Cache-Control: no-store"], `r${i}`);
  });
  await using proxy = await startCacheProxy(upstream.port);
  const clients = Array.from({ length: 3 }, () => get(proxy.port, "/private"));
  await waitUntil(
    () => proxy.stats.get("downstream.request") === 3,
    "3 requests in",
  );
  release();
  const results = await Promise.all(clients);
  assertEquals(upstream.requests.length, 3);
  assertEquals(
    results.every((r) =>
      r.head.header("cache-status")!.includes("detail=no-store")
    ),
    true,
  );
});

Deno.test("cache serves stale and revalidates exactly once in the background within stale-while-revalidate (RFC 5861 §3)", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  await using upstream = countingUpstream(async (_req, i) => {
    if (i === 0) {
      return response([
        "Cache-Control: max-age=10, stale-while-revalidate=600",
        "Age: 20",
        'ETag: "v1"',
      ], "v1");
    }
    await gate;
    return 'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nCache-Control: max-age=60\r\n\r\n';
  });
  await using proxy = await startCacheProxy(upstream.port);
  await get(proxy.port, "/swr");
  const stale = await Promise.all([
    get(proxy.port, "/swr"),
    get(proxy.port, "/swr"),
    get(proxy.port, "/swr"),
  ]);
  assertEquals(stale.map((r) => r.bodyText), ["v1", "v1", "v1"]);
  assertEquals(
    stale.every((r) =>
      r.head.header("cache-status")!.includes("detail=stale-while-revalidate")
    ),
    true,
  );
  assertEquals(proxy.stats.get("cache.background_revalidations"), 1);
  release();
  await waitUntil(
    () => proxy.stats.get("cache.revalidated") === 1,
    "the background revalidation",
  );
  const fresh = await get(proxy.port, "/swr");
  assertStringIncludes(fresh.head.header("cache-status")!, "hit");
  assertEquals(upstream.requests.length, 2);
  assertEquals(upstream.requests[1]!.head.header("if-none-match"), '"v1"');
});

Deno.test("cache serves stale on a 503 within stale-if-error, and 504s for must-revalidate when the upstream is gone (RFC 5861 §4, RFC 9111 §4.2.4)", async () => {
  await using upstream = countingUpstream((req) => {
    if (req.head.startLine.includes("/sie")) {
      return upstream.requests.length === 1
        ? response([
          "Cache-Control: max-age=10, stale-if-error=600",
          "Age: 20",
          'ETag: "a"',
        ], "kept")
        : response([], "down", "503 Service Unavailable");
    }
    return response([
      "Cache-Control: max-age=10, must-revalidate",
      "Age: 20",
      'ETag: "b"',
    ], "strict");
  });
  await using proxy = await startCacheProxy(upstream.port, {
    idleTimeoutMs: 200,
  });
  await get(proxy.port, "/sie");
  const stale = await get(proxy.port, "/sie");
  assertEquals([stale.status, stale.bodyText], [200, "kept"]);
  assertStringIncludes(
    stale.head.header("cache-status")!,
    "fwd=stale; fwd-status=503",
  );
  assertStringIncludes(
    stale.head.header("cache-status")!,
    "detail=stale-if-error",
  );
  await get(proxy.port, "/strict");
  await upstream.close();
  const refused = await get(proxy.port, "/strict");
  assertEquals(refused.status, 504);
  const staleAnyway = await get(proxy.port, "/sie");
  assertEquals([staleAnyway.status, staleAnyway.bodyText], [200, "kept"]);
});

Deno.test("cache keeps Vary variants side by side and serves each to its own requests (RFC 9111 §4.1)", async () => {
  await using upstream = countingUpstream((req) =>
    response(
      ["Cache-Control: max-age=60", "Vary: Accept-Encoding"],
      `enc=${req.head.header("accept-encoding")}`,
    )
  );
  await using proxy = await startCacheProxy(upstream.port);
  await get(proxy.port, "/v", ["Accept-Encoding: gzip"]);
  await get(proxy.port, "/v", ["Accept-Encoding: br"]);
  const gzip = await get(proxy.port, "/v", ["Accept-Encoding: gzip"]);
  const br = await get(proxy.port, "/v", ["Accept-Encoding:  br "]);
  assertEquals([gzip.bodyText, br.bodyText], ["enc=gzip", "enc=br"]);
  assertEquals(upstream.requests.length, 2);
  assertEquals(proxy.stats.get("cache.hits"), 2);
});

Deno.test("cache invalidates the target and same-origin Location after a successful POST (RFC 9111 §4.4)", async () => {
  await using upstream = countingUpstream((req) =>
    req.head.startLine.startsWith("POST")
      ? response(["Location: /other"], "", "201 Created")
      : response(["Cache-Control: max-age=60"], "page")
  );
  await using proxy = await startCacheProxy(upstream.port);
  await get(proxy.port, "/x");
  await get(proxy.port, "/other");
  const posted = await get(proxy.port, "/x", ["Content-Length: 0"], "POST");
  assertEquals(
    posted.head.header("cache-status"),
    "cachelab; fwd=method; fwd-status=201",
  );
  await get(proxy.port, "/x");
  await get(proxy.port, "/other");
  assertEquals(upstream.requests.length, 5);
  assertEquals(proxy.stats.get("cache.invalidations"), 2);
});

Deno.test("cache answers only-if-cached with 504 when nothing is stored (RFC 9111 §5.2.1.7)", async () => {
  await using upstream = countingUpstream(() => response([], "never"));
  await using proxy = await startCacheProxy(upstream.port);
  const res = await get(proxy.port, "/none", ["Cache-Control: only-if-cached"]);
  assertEquals(res.status, 504);
  assertEquals(upstream.requests.length, 0);
});

Deno.test("cache answers a Range from a stored complete 200 with 206 and 416 (RFC 9110 §14)", async () => {
  await using upstream = countingUpstream(() =>
    response(["Cache-Control: max-age=60", 'ETag: "r"'], "0123456789")
  );
  await using proxy = await startCacheProxy(upstream.port);
  await get(proxy.port, "/r");
  const part = await get(proxy.port, "/r", ["Range: bytes=2-5"]);
  assertEquals(
    [part.status, part.bodyText, part.head.header("content-range")],
    [206, "2345", "bytes 2-5/10"],
  );
  const bad = await get(proxy.port, "/r", ["Range: bytes=50-"]);
  assertEquals([bad.status, bad.head.header("content-range")], [
    416,
    "bytes */10",
  ]);
  assertEquals(upstream.requests.length, 1);
});

Deno.test("cache answers a client's matching If-None-Match from a fresh entry with 304 (RFC 9111 §4.3.2)", async () => {
  await using upstream = countingUpstream(() =>
    response(["Cache-Control: max-age=60", 'ETag: "e1"'], "body")
  );
  await using proxy = await startCacheProxy(upstream.port);
  await get(proxy.port, "/c");
  const res = await get(proxy.port, "/c", ['If-None-Match: "e1"']);
  assertEquals([res.status, res.bodyText, res.head.header("etag")], [
    304,
    "",
    '"e1"',
  ]);
  assertEquals(upstream.requests.length, 1);
});

Deno.test("cache serves HEAD from a stored GET response without a body", async () => {
  await using upstream = countingUpstream(() =>
    response(["Cache-Control: max-age=60"], "12345")
  );
  await using proxy = await startCacheProxy(upstream.port);
  await get(proxy.port, "/h");
  const head = await get(proxy.port, "/h", [], "HEAD");
  assertEquals(
    [head.status, head.head.header("content-length"), head.bodyText],
    [200, "5", ""],
  );
  assertEquals(upstream.requests.length, 1);
});

Deno.test("cache does not store private, no-store or Authorization responses and says why (RFC 9111 §3)", async () => {
  await using upstream = countingUpstream((req) => {
    if (req.head.startLine.includes("private")) {
      return response(["Cache-Control: private, max-age=60"], "p");
    }
    if (req.head.startLine.includes("nostore")) {
      return response(["Cache-Control: no-store"], "n");
    }
    return response(["Cache-Control: max-age=60"], "a");
  });
  await using proxy = await startCacheProxy(upstream.port);
  for (
    const [path, extra, detail] of [
      ["/private", [], "private"],
      ["/nostore", [], "no-store"],
      ["/auth", ["Authorization: Basic eDp5"], "authorization"],
    ] as const
  ) {
    const first = await get(proxy.port, path, [...extra]);
    assertStringIncludes(
      first.head.header("cache-status")!,
      `detail=${detail}`,
    );
    await get(proxy.port, path, [...extra]);
  }
  assertEquals(upstream.requests.length, 6);
});

Deno.test("cache with --skip-binary does not store binary media types", async () => {
  await using upstream = countingUpstream((req) =>
    req.head.startLine.includes(".bin")
      ? response([
        "Cache-Control: max-age=60",
        "Content-Type: application/octet-stream",
      ], "\x00\x01")
      : response(
        ["Cache-Control: max-age=60", "Content-Type: text/plain"],
        "text",
      )
  );
  await using proxy = await startCacheProxy(upstream.port, {
    skipBinary: true,
  });
  for (let i = 0; i < 2; i++) {
    await get(proxy.port, "/2.binary.bin");
    await get(proxy.port, "/1.txt");
  }
  assertEquals(upstream.requests.map((r) => r.head.startLine.split(" ")[1]), [
    "/2.binary.bin",
    "/1.txt",
    "/2.binary.bin",
  ]);
});

Deno.test("cache revalidates when the request says no-cache, even for a fresh entry (RFC 9111 §5.2.1.4)", async () => {
  await using upstream = countingUpstream((_req, i) =>
    i === 0
      ? response(["Cache-Control: max-age=60", 'ETag: "n"'], "x")
      : 'HTTP/1.1 304 Not Modified\r\nETag: "n"\r\n\r\n'
  );
  await using proxy = await startCacheProxy(upstream.port);
  await get(proxy.port, "/n");
  const res = await get(proxy.port, "/n", ["Cache-Control: no-cache"]);
  assertEquals([res.status, res.bodyText], [200, "x"]);
  assertStringIncludes(
    res.head.header("cache-status")!,
    "fwd=request; fwd-status=304",
  );
  assertEquals(upstream.requests[1]!.head.header("if-none-match"), '"n"');
});

Deno.test("cache does not store a body cut short, and the client sees the connection close", async () => {
  await using upstream = countingUpstream((_req, i) =>
    i === 0
      ? "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nTransfer-Encoding: chunked\r\n\r\n4\r\npart\r\nXX\r\n"
      : response(["Cache-Control: max-age=60"], "whole")
  );
  await using proxy = await startCacheProxy(upstream.port);
  using client = await RawClient.connect({ port: proxy.port });
  await client.write("GET /cut HTTP/1.1\r\nHost: h\r\n\r\n");
  const { text } = await client.readUntilClose();
  assertEquals(text.includes("\r\n0\r\n"), false);
  await waitUntil(
    () => proxy.stats.get("cache.store_aborted") === 1,
    "the aborted store",
  );
  const next = await get(proxy.port, "/cut");
  assertEquals(next.bodyText, "whole");
  assertEquals(upstream.requests.length, 2);
});

Deno.test("cache does not store a body larger than the object limit but still streams it", async () => {
  const big = "b".repeat(5000);
  await using upstream = countingUpstream(() =>
    `HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nTransfer-Encoding: chunked\r\n\r\n${
      big.length.toString(16)
    }\r\n${big}\r\n0\r\n\r\n`
  );
  await using proxy = await startCacheProxy(upstream.port, {
    maxObjectBytes: 1000,
  });
  const first = await get(proxy.port, "/big");
  assertEquals(first.bodyText.length, 5000);
  await get(proxy.port, "/big");
  assertEquals(upstream.requests.length, 2);
  assertEquals(proxy.stats.get("cache.store_too_large"), 2);
});

Deno.test("cache revalidates a stale entry for HEAD with its validators and serves the HEAD from it on 304 (RFC 9111 §4.3.1)", async () => {
  await using upstream = countingUpstream((req, i) =>
    i === 0
      ? response(["Cache-Control: no-cache", 'ETag: "h1"'], "hello")
      : req.head.header("if-none-match") === '"h1"'
      ? 'HTTP/1.1 304 Not Modified\r\nETag: "h1"\r\n\r\n'
      : response([], "unexpected")
  );
  await using proxy = await startCacheProxy(upstream.port);
  await get(proxy.port, "/h");
  const head = await get(proxy.port, "/h", [], "HEAD");
  assertEquals(
    [head.status, head.head.header("content-length"), head.bodyText],
    [200, "5", ""],
  );
  assertEquals(upstream.requests[1]!.head.startLine, "HEAD /h HTTP/1.1");
  assertStringIncludes(
    head.head.header("cache-status")!,
    "fwd=stale; fwd-status=304",
  );
});

Deno.test("cache freshens a stored response from a matching 200 to HEAD and drops it after a changed one (RFC 9111 §4.3.5)", async () => {
  await using upstream = countingUpstream((req) => {
    const path = req.head.startLine.split(" ")[1];
    if (req.head.startLine.startsWith("GET")) {
      return response([
        "Cache-Control: max-age=10",
        "Age: 20",
        `ETag: "${path}"`,
      ], "body!");
    }
    const etag = path === "/same" ? '"/same"' : '"new"';
    return `HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nETag: ${etag}\r\nContent-Length: 5\r\n\r\n`;
  });
  await using proxy = await startCacheProxy(upstream.port);
  for (const path of ["/same", "/changed"]) {
    await get(proxy.port, path);
    await get(proxy.port, path, [], "HEAD");
  }
  assertEquals([
    proxy.stats.get("cache.head_freshened"),
    proxy.stats.get("cache.head_invalidated"),
  ], [1, 1]);
  const fresh = await get(proxy.port, "/same");
  assertStringIncludes(fresh.head.header("cache-status")!, "hit");
  const refetched = await get(proxy.port, "/changed");
  assertStringIncludes(refetched.head.header("cache-status")!, "fwd=uri-miss");
  assertEquals(upstream.requests.length, 5);
});
