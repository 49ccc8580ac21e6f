/**
 * Black-box tests of the lab's witnesses: `/lab/count?path=P` (requests
 * seen for a path without its query, files too) and `/lab/log` (the last
 * 100 requests with their conditional fields, newest last), both
 * `Cache-Control: no-store`.
 */

import assert from "../../helpers/assert.ts";
import {
  ask,
  countOf,
  NOW_DATE,
  pipeline,
  startLabOrigin,
} from "./lab_origin.ts";

interface LogEntry {
  n: number;
  time: string;
  method: string;
  target: string;
  fields: Record<string, string>;
  status: number;
}

async function readLog(o: Parameters<typeof ask>[0]): Promise<LogEntry[]> {
  const res = await ask(o, "/lab/log");
  assert.equal(res.status, 200);
  assert.equal(res.head.header("cache-control"), "no-store");
  const json = JSON.parse(new TextDecoder().decode(res.body));
  assert.deepEqual(Object.keys(json), ["requests"]);
  return json.requests;
}

Deno.test("startOrigin() with lab counts 3 on /lab/count after a path was requested 3 times", async () => {
  await using o = await startLabOrigin();
  await pipeline(o, [
    { target: "/lab/headers" },
    { target: "/lab/headers?X-A=1" },
    { target: "/lab/headers", method: "HEAD" },
  ]);
  const res = await ask(o, "/lab/count?path=/lab/headers");
  assert.equal(res.head.startLine, "HTTP/1.1 200 OK");
  assert.equal(res.bodyText, "3\n");
  assert.equal(res.head.header("cache-control"), "no-store");
  assert.match(res.head.header("content-type") ?? "", /^text\/plain/);
});

Deno.test("startOrigin() with lab counts 0 on /lab/count for a path never seen", async () => {
  await using o = await startLabOrigin();
  assert.equal(await countOf(o, "/never"), "0\n");
  assert.equal(await countOf(o, "/lab/headers"), "0\n");
});

Deno.test("startOrigin() with lab counts requests for files, found or not, without their query", async () => {
  await using o = await startLabOrigin();
  await pipeline(o, [
    { target: "/1.txt" },
    { target: "/1.txt?a=1" },
    { target: "/1.txt?b=2", method: "HEAD" },
    { target: "/missing.txt" },
  ]);
  assert.equal(await countOf(o, "/1.txt"), "3\n");
  assert.equal(await countOf(o, "/missing.txt"), "1\n");
  assert.equal(await countOf(o, "/1.txt?a=1"), "0\n");
});

Deno.test("startOrigin() with lab counts /lab/count itself like any path", async () => {
  await using o = await startLabOrigin();
  assert.equal(await countOf(o, "/lab/count"), "1\n");
  assert.equal(await countOf(o, "/lab/count"), "2\n");
});

Deno.test("startOrigin() with lab logs each request with its number, time, target, conditional fields and status", async () => {
  await using o = await startLabOrigin();
  await pipeline(o, [
    {
      target: "/lab/etag/a?X-A=1",
      fields: ['If-None-Match: "a"', "X-Other: 1", "Cache-Control: max-age=0"],
    },
    {
      target: "/1.txt",
      fields: [
        "Range: bytes=0-1",
        'If-Range: "x"',
        "If-Modified-Since: Thu, 01 Jan 2026 00:00:00 GMT",
      ],
    },
    {
      target: "/lab/etag/a",
      fields: [
        'If-Match: "a"',
        "If-Unmodified-Since: Thu, 01 Jan 2026 00:00:00 GMT",
      ],
      method: "HEAD",
    },
  ]);
  const log = (await readLog(o)).filter((e) => e.target !== "/lab/log");
  assert.deepEqual(log, [
    {
      n: 1,
      time: NOW_DATE,
      method: "GET",
      target: "/lab/etag/a?X-A=1",
      fields: { "If-None-Match": '"a"', "Cache-Control": "max-age=0" },
      status: 304,
    },
    {
      n: 1,
      time: NOW_DATE,
      method: "GET",
      target: "/1.txt",
      fields: {
        "Range": "bytes=0-1",
        "If-Range": '"x"',
        "If-Modified-Since": "Thu, 01 Jan 2026 00:00:00 GMT",
      },
      status: 200,
    },
    {
      n: 2,
      time: NOW_DATE,
      method: "HEAD",
      target: "/lab/etag/a",
      fields: {
        "If-Match": '"a"',
        "If-Unmodified-Since": "Thu, 01 Jan 2026 00:00:00 GMT",
      },
      status: 200,
    },
  ]);
});

Deno.test("startOrigin() with lab keeps the last 100 requests in /lab/log, newest last", async () => {
  await using o = await startLabOrigin();
  const requests = Array.from({ length: 105 }, (_, i) => ({
    target: `/lab/headers?i=${i + 1}`,
  }));
  const { responses } = await pipeline(o, requests);
  assert.equal(responses.length, 105);
  const log = await readLog(o);
  assert.equal(log.length, 100);
  const numbers = log.filter((e) => e.target.startsWith("/lab/headers"))
    .map((e) => e.n);
  assert.equal(numbers.at(-1), 105);
  assert.ok(numbers[0]! >= 6, `the oldest dropped, not ${numbers[0]}`);
  for (let i = 1; i < numbers.length; i++) {
    assert.equal(numbers[i], numbers[i - 1]! + 1, "in order, newest last");
  }
  assert.equal(log.at(-1)?.target.startsWith("/lab/"), true);
});

Deno.test("startOrigin() with lab logs a 400 and a 204 with their status", async () => {
  await using o = await startLabOrigin();
  await ask(o, "/lab/headers?Connection=close");
  await ask(o, "/lab/headers", [], "DELETE");
  const log = (await readLog(o)).filter((e) => e.target !== "/lab/log");
  assert.deepEqual(log.map((e) => [e.method, e.n, e.status]), [
    ["GET", 1, 400],
    ["DELETE", 2, 204],
  ]);
});
