/**
 * End-to-end tests of targeted cache control (RFC 9213) through the real
 * proxy process (main.ts proxy, file store) in front of a small in-process
 * origin that sends the fields each path needs: CDN-Cache-Control decides
 * for reverse-proxied requests only, Cachelab-Cache-Control for both and
 * before it, an invalid targeted field is ignored, and --targeted-fields ""
 * turns the feature off. curl is the client; Cache-Status and the origin's
 * request count are the oracles.
 */

import assert from "../helpers/assert.ts";
import { countingUpstream } from "../helpers/cache_proxy.ts";
import { type CurlResult, Lab } from "./helpers.ts";

/** The targeted and Cache-Control fields each path answers with. */
const FIELDS: Record<string, string[]> = {
  "/cdn": ["Cache-Control: no-store", "CDN-Cache-Control: max-age=60"],
  "/ours-first": [
    "Cache-Control: max-age=60",
    "CDN-Cache-Control: max-age=60",
    "Cachelab-Cache-Control: no-store",
  ],
  "/ours-allows": [
    "Cache-Control: no-store",
    "CDN-Cache-Control: no-store",
    "Cachelab-Cache-Control: max-age=60",
  ],
  "/not-a-dictionary": [
    "Cache-Control: no-store",
    "CDN-Cache-Control: max-age=10000, &&&&&",
  ],
  "/wrong-type": [
    "Cache-Control: max-age=60",
    'CDN-Cache-Control: max-age="10000", no-store="yes"',
  ],
  "/invalid-ours": [
    "Cache-Control: no-store",
    "Cachelab-Cache-Control: max-age=-1",
    "CDN-Cache-Control: max-age=60",
  ],
};

/** An origin answering each path of FIELDS with its fields and a counter. */
function targetedOrigin() {
  let served = 0;
  return countingUpstream((req) => {
    const path = req.head.startLine.split(" ")[1]!;
    const body = `${path} #${++served}`;
    return [
      "HTTP/1.1 200 OK",
      ...(FIELDS[path] ?? []),
      "Content-Type: text/plain",
      `Content-Length: ${body.length}`,
      "",
      body,
    ].join("\r\n");
  });
}

const HIT = /^cachelab; hit; ttl=\d+$/;

function status(res: CurlResult): string {
  return res.headers.get("cache-status") ?? "";
}

Deno.test("cachelab proxy lets CDN-Cache-Control max-age override Cache-Control no-store for reverse-proxied requests, not for forward ones (RFC 9213 §2.1, §3)", async () => {
  await using origin = targetedOrigin();
  await using lab = await Lab.create();
  const proxy = await lab.proxy(origin.port);
  const first = await lab.curl(proxy.url("/cdn"));
  assert.equal(status(first), "cachelab; fwd=uri-miss; fwd-status=200; stored");
  assert.equal(first.headers.get("cache-control"), "no-store", "sent on as is");
  const second = await lab.curl(proxy.url("/cdn"));
  assert.match(status(second), HIT);
  assert.equal(second.text, first.text);
  assert.match(second.headers.get("age") ?? "", /^\d+$/);
  assert.equal(origin.requests.length, 1);

  const forwardUrl = `http://127.0.0.1:${origin.port}/cdn`;
  for (let i = 0; i < 2; i++) {
    const forward = await lab.curl(forwardUrl, { proxy: proxy.url() });
    assert.equal(
      status(forward),
      "cachelab; fwd=uri-miss; fwd-status=200; detail=no-store",
    );
  }
  assert.equal(origin.requests.length, 3, "forward requests are never hits");
});

Deno.test("cachelab proxy lets Cachelab-Cache-Control decide over CDN-Cache-Control and Cache-Control, in both directions (RFC 9213 §2.1)", async () => {
  await using origin = targetedOrigin();
  await using lab = await Lab.create();
  const proxy = await lab.proxy(origin.port);
  const refused = await lab.curl(proxy.url("/ours-first"));
  assert.match(status(refused), /detail=no-store$/);
  await lab.curl(proxy.url("/ours-allows"));
  assert.match(status(await lab.curl(proxy.url("/ours-allows"))), HIT);
  const forwardUrl = `http://127.0.0.1:${origin.port}/ours-allows`;
  await lab.curl(forwardUrl, { proxy: proxy.url() });
  const forward = await lab.curl(forwardUrl, { proxy: proxy.url() });
  assert.match(status(forward), HIT, "Cachelab-Cache-Control targets us");
  assert.equal(origin.requests.length, 3);
});

Deno.test("cachelab proxy ignores an invalid targeted field and falls back to the next, then to Cache-Control (RFC 9213 §2.2)", async () => {
  await using origin = targetedOrigin();
  await using lab = await Lab.create();
  const proxy = await lab.proxy(origin.port);
  const broken = await lab.curl(proxy.url("/not-a-dictionary"));
  assert.match(status(broken), /detail=no-store$/, "Cache-Control decided");
  await lab.curl(proxy.url("/wrong-type"));
  const fallback = await lab.curl(proxy.url("/wrong-type"));
  assert.match(status(fallback), HIT, "Cache-Control's max-age=60 decided");
  await lab.curl(proxy.url("/invalid-ours"));
  const next = await lab.curl(proxy.url("/invalid-ours"));
  assert.match(status(next), HIT, "CDN-Cache-Control decided");
  assert.equal(origin.requests.length, 3);
});

Deno.test('cachelab proxy --targeted-fields "" ignores every targeted field: Cache-Control decides', async () => {
  await using origin = targetedOrigin();
  await using lab = await Lab.create();
  const proxy = await lab.proxy(origin.port, ["--targeted-fields", ""]);
  for (const path of ["/cdn", "/ours-allows"]) {
    const res = await lab.curl(proxy.url(path));
    assert.match(status(res), /detail=no-store$/, path);
  }
  await lab.curl(proxy.url("/ours-first"));
  assert.match(status(await lab.curl(proxy.url("/ours-first"))), HIT);
});

Deno.test("cachelab proxy --targeted-fields CDN-Cache-Control leaves Cachelab-Cache-Control out", async () => {
  await using origin = targetedOrigin();
  await using lab = await Lab.create();
  const proxy = await lab.proxy(origin.port, [
    "--targeted-fields",
    "CDN-Cache-Control",
  ]);
  await lab.curl(proxy.url("/ours-first"));
  const res = await lab.curl(proxy.url("/ours-first"));
  assert.match(status(res), HIT, "CDN-Cache-Control's max-age=60 decided");
});
