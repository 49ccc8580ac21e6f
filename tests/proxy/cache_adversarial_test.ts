/**
 * Component and wire tests of hostile input to issue 10's features (a
 * second reader's review), where the harm shows only through the cache
 * flow: a client's Range poisoning a URL with a stored 416, a 304 making
 * one language's page answer another's request, stored variants with long
 * entity-tags turning every new variant's request into a 431, and
 * one-byte ranges growing a partial entry without bound. The test name
 * says what holds.
 */

import assert from "../helpers/assert.ts";
import { parseRange } from "../../http/range.ts";
import { countingUpstream, startCacheProxy } from "../helpers/cache_proxy.ts";
import { exchange } from "../helpers/raw_peer.ts";
import {
  bodyBytes,
  bodyText,
  flowHarness,
  type Script,
} from "../helpers/scripted_upstream.ts";

Deno.test("serveWithCache() does not answer a GET without Range with a 416 stored for another client's Range (RFC 9110 §15.5.17, RFC 9111 §4)", async () => {
  // cachelab's own origin with --max-age sends max-age on its 416 too.
  const origin: Script = (request) => {
    const size = 20;
    const range = parseRange(request.head.headers.get("range"), size);
    if (range.kind === "unsatisfiable") {
      return {
        status: 416,
        headers: [
          ["Cache-Control", "max-age=60"],
          ["Content-Range", `bytes */${size}`],
        ],
        body: "past the end",
      };
    }
    return {
      status: 200,
      headers: [["Cache-Control", "max-age=60"], ["ETag", '"a"']],
      body: "0123456789abcdefghij",
    };
  };
  await using h = flowHarness(origin);
  const attack = await h.send("/a.txt", {
    headers: [["Range", "bytes=999999-"]],
  });
  assert.equal(attack.status, 416);
  await bodyBytes(attack);
  const victim = await h.send("/a.txt");
  assert.equal(victim.status, 200, victim.headers.get("cache-status"));
  assert.equal(await bodyText(victim), "0123456789abcdefghij");
});

Deno.test("serveWithCache() never serves one Accept-Language's page to another after a 304 freshened a response whose qualified private names Vary (RFC 9111 §4.1, §5.2.2.7)", async () => {
  const origin: Script = (request) => {
    const language = request.head.headers.get("accept-language") ?? "";
    const page = language.startsWith("fr") ? "fr" : "en";
    const etag = `"${page}"`;
    const common: [string, string][] = [
      ["Cache-Control", 'max-age=600, private="Vary"'],
      ["Vary", "Accept-Language"],
      ["ETag", etag],
    ];
    const asked = request.head.headers.get("if-none-match") ?? "";
    if (asked.includes(etag)) return { status: 304, headers: common };
    return { status: 200, headers: common, body: `page ${page}` };
  };
  await using h = flowHarness(origin);
  const en: [string, string][] = [["Accept-Language", "en"]];
  assert.equal(await bodyText(await h.send("/r", { headers: en })), "page en");
  const reload = await h.send("/r", {
    headers: [...en, ["Cache-Control", "no-cache"]],
  });
  assert.equal(reload.status, 200); // the origin said 304: still English
  assert.equal(await bodyText(reload), "page en");
  const fr = await h.send("/r", { headers: [["Accept-Language", "fr"]] });
  assert.equal(await bodyText(fr), "page fr", fr.headers.get("cache-status"));
});

Deno.test("proxy answers a request for a new variant with the origin's response, not 431, however many variants with long ETags are stored (RFC 9111 §4.3.1)", async () => {
  // Each variant's ETag is 8 KB; once their list outgrows the proxy's
  // headroom (8 KiB) over the client's head, the If-None-Match the
  // vary-miss adds makes every new variant's request too large to send.
  await using upstream = countingUpstream((request) => {
    const v = request.head.header("x-v") ?? "none";
    const body = `v=${v}`;
    return `HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nVary: X-V\r\n` +
      `ETag: "${v}-${"e".repeat(8000)}"\r\n` +
      `Content-Length: ${body.length}\r\n\r\n${body}`;
  });
  await using proxy = await startCacheProxy(upstream.port);
  const answers: string[] = [];
  const expected: string[] = [];
  for (let i = 0; i < 12; i++) {
    const { responses } = await exchange(
      proxy.addr,
      `GET /r HTTP/1.1\r\nHost: h\r\nX-V: ${i}\r\n\r\n`,
      { responses: 1 },
    );
    answers.push(`${responses[0]!.status} ${responses[0]!.bodyText}`);
    expected.push(`200 v=${i}`);
  }
  assert.deepEqual(answers.slice(8), expected.slice(8)); // today: 431 from the 11th on
});

/** A 1 MB representation answering any single range with a 206. */
const RANGE_ORIGIN: Script = (request) => {
  const size = 1_000_000;
  const range = parseRange(request.head.headers.get("range"), size);
  const headers: [string, string][] = [
    ["ETag", '"a"'],
    ["Cache-Control", "max-age=600"],
  ];
  if (range.kind !== "single") {
    return { status: 200, headers, body: new Uint8Array(size) };
  }
  return {
    status: 206,
    headers: [
      ...headers,
      ["Content-Range", `bytes ${range.start}-${range.end}/${size}`],
    ],
    body: new Uint8Array(range.end - range.start + 1),
  };
};

Deno.test("serveWithCache() keeps a partial entry to a bounded number of pieces when a client asks for many disjoint one-byte ranges (RFC 9111 §3.3)", async () => {
  // Each disjoint one-byte range is a piece of its own (a body file in
  // the file store, a line of the metadata rewritten at every commit):
  // 1000 requests make 1000 pieces, and every commit costs more than the
  // one before (8000 pieces: 12 ms a request in the memory store, a
  // 430 KB sidecar rewritten each time). Any bound well below the
  // number of requests will do; 256 is this test's.
  await using h = flowHarness(RANGE_ORIGIN);
  const requests = 1000;
  for (let i = 0; i < requests; i++) {
    const res = await h.send("/v", {
      headers: [["Range", `bytes=${2 * i}-${2 * i}`]],
    });
    await bodyBytes(res);
  }
  const [meta] = await h.cache.store.variants("http://origin.test/v");
  const pieces = meta?.partial?.pieces.length ?? 0;
  assert.ok(pieces <= 256, `${pieces} pieces after ${requests} requests`);
});
