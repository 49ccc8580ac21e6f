/**
 * Black-box tests of `/lab/bytes/N`: N stable pseudo-random bytes with
 * the strong ETag `"bytes-N"`, Accept-Ranges, Range answered 206 with
 * Content-Range (RFC 9110 §14), If-Range (§13.1.5), and N bounded to
 * 0..1073741824 (HEAD proves the top bound without moving a GiB).
 */

import assert from "../../helpers/assert.ts";
import { ask, NOW_DATE, pipeline, startLabOrigin } from "./lab_origin.ts";

const GIB = 1073741824;

Deno.test("startOrigin() with lab answers /lab/bytes/N with N bytes, the same on every request, and a strong ETag", async () => {
  await using o = await startLabOrigin();
  const n = 300_000; // several chunks
  const first = await fetch(o.url(`/lab/bytes/${n}`));
  const a = new Uint8Array(await first.arrayBuffer());
  const second = await fetch(o.url(`/lab/bytes/${n}`));
  const b = new Uint8Array(await second.arrayBuffer());
  assert.equal(first.status, 200);
  assert.equal(a.length, n);
  assert.equal(first.headers.get("content-length"), String(n));
  assert.equal(first.headers.get("etag"), `"bytes-${n}"`);
  assert.equal(first.headers.get("accept-ranges"), "bytes");
  assert.equal(first.headers.get("date"), NOW_DATE);
  assert.deepEqual(b, a);
  assert.equal(second.headers.get("etag"), `"bytes-${n}"`);
  const distinct = new Set(a.subarray(0, 4096)).size;
  assert.ok(distinct > 100, `random-looking bytes, not ${distinct} values`);
});

Deno.test("startOrigin() with lab answers /lab/bytes/0 200 with an empty body", async () => {
  await using o = await startLabOrigin();
  const res = await ask(o, "/lab/bytes/0");
  assert.equal(res.head.startLine, "HTTP/1.1 200 OK");
  assert.equal(res.head.header("content-length"), "0");
  assert.equal(res.head.header("etag"), '"bytes-0"');
});

Deno.test("startOrigin() with lab answers a Range on /lab/bytes/N 206 with Content-Range and the same bytes", async () => {
  await using o = await startLabOrigin();
  const whole = (await ask(o, "/lab/bytes/1000")).body;
  const { responses } = await pipeline(o, [
    { target: "/lab/bytes/1000", fields: ["Range: bytes=10-19"] },
    { target: "/lab/bytes/1000", fields: ["Range: bytes=-5"] },
    { target: "/lab/bytes/1000", fields: ["Range: bytes=990-"] },
  ]);
  const expected: [string, number, number][] = [
    ["bytes 10-19/1000", 10, 20],
    ["bytes 995-999/1000", 995, 1000],
    ["bytes 990-999/1000", 990, 1000],
  ];
  for (const [i, [contentRange, start, end]] of expected.entries()) {
    const res = responses[i]!;
    assert.equal(res.head.startLine, "HTTP/1.1 206 Partial Content");
    assert.equal(res.head.header("content-range"), contentRange);
    assert.equal(res.head.header("content-length"), String(end - start));
    assert.equal(res.head.header("etag"), '"bytes-1000"');
    assert.deepEqual(res.body, whole.subarray(start, end));
  }
});

Deno.test("startOrigin() with lab answers a Range past the end of /lab/bytes/N 416 with bytes */N", async () => {
  await using o = await startLabOrigin();
  const res = await ask(o, "/lab/bytes/1000", ["Range: bytes=1000-"]);
  assert.equal(res.head.startLine, "HTTP/1.1 416 Range Not Satisfiable");
  assert.equal(res.head.header("content-range"), "bytes */1000");
});

Deno.test("startOrigin() with lab answers /lab/bytes/N 206 when If-Range matches and 200 in full when it does not", async () => {
  await using o = await startLabOrigin();
  const { responses } = await pipeline(o, [
    {
      target: "/lab/bytes/100",
      fields: ["Range: bytes=0-9", 'If-Range: "bytes-100"'],
    },
    {
      target: "/lab/bytes/100",
      fields: ["Range: bytes=0-9", 'If-Range: "bytes-99"'],
    },
    {
      target: "/lab/bytes/100",
      fields: ["Range: bytes=0-9", 'If-Range: W/"bytes-100"'],
    },
  ]);
  assert.deepEqual(responses.map((r) => r.status), [206, 200, 200]);
  assert.equal(responses[0]!.body.length, 10);
  assert.equal(responses[1]!.body.length, 100);
  assert.equal(responses[1]!.head.header("content-range"), undefined);
  assert.deepEqual(responses[0]!.body, responses[1]!.body.subarray(0, 10));
});

Deno.test("startOrigin() with lab answers HEAD /lab/bytes/1073741824 with its length and a last-byte Range", async () => {
  await using o = await startLabOrigin();
  const { responses } = await pipeline(o, [
    { target: `/lab/bytes/${GIB}`, method: "HEAD" },
    { target: `/lab/bytes/${GIB}`, fields: [`Range: bytes=${GIB - 1}-`] },
  ]);
  assert.equal(responses[0]!.status, 200);
  assert.equal(responses[0]!.head.header("content-length"), String(GIB));
  assert.equal(responses[0]!.head.header("etag"), `"bytes-${GIB}"`);
  assert.equal(responses[1]!.status, 206);
  assert.equal(
    responses[1]!.head.header("content-range"),
    `bytes ${GIB - 1}-${GIB - 1}/${GIB}`,
  );
  assert.equal(responses[1]!.body.length, 1);
});

Deno.test("startOrigin() with lab answers /lab/bytes/N 400 when N is over 1 GiB or not a whole number", async () => {
  await using o = await startLabOrigin();
  for (const n of [String(GIB + 1), "-1", "abc", "1.5", "1e3"]) {
    const res = await ask(o, `/lab/bytes/${n}`);
    assert.equal(res.head.startLine, "HTTP/1.1 400 Bad Request", n);
  }
});
