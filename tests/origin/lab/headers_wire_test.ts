/**
 * Black-box wire tests of `/lab/headers?NAME=VALUE&...` on an in-process
 * lab origin: the fields sent in order, the request number in the body,
 * no Cache-Control unless asked, `status=` and `fail-after=`.
 * The refusals (400) are in headers_refused_wire_test.ts.
 */

import assert from "../../helpers/assert.ts";
import {
  ask,
  fieldsNamed,
  NOW_DATE,
  pipeline,
  startLabOrigin,
} from "./lab_origin.ts";

Deno.test("startOrigin() with lab answers /lab/headers 200 with the given fields in order, repeated names kept", async () => {
  await using o = await startLabOrigin();
  const res = await ask(o, "/lab/headers?X-A=1&X-B=two&X-A=3&Vary=Accept");
  assert.equal(res.head.startLine, "HTTP/1.1 200 OK");
  assert.deepEqual(fieldsNamed(res, ["X-A", "X-B", "Vary"]), [
    ["X-A", "1"],
    ["X-B", "two"],
    ["X-A", "3"],
    ["Vary", "Accept"],
  ]);
  assert.equal(res.head.header("content-type"), "text/plain; charset=utf-8");
  assert.equal(res.head.header("date"), NOW_DATE);
  assert.equal(res.bodyText, "request 1 for /lab/headers\n");
  assert.equal(res.head.header("content-length"), String(res.body.length));
});

Deno.test("startOrigin() with lab percent-decodes the names and values given to /lab/headers", async () => {
  await using o = await startLabOrigin();
  const res = await ask(
    o,
    "/lab/headers?Cache-Control=max-age%3D10%2C%20public&X-%41=%22q%22",
  );
  assert.equal(res.status, 200);
  assert.equal(res.head.header("cache-control"), "max-age=10, public");
  assert.deepEqual(fieldsNamed(res, ["X-A"]), [["X-A", '"q"']]);
});

Deno.test("startOrigin() with lab sends no Cache-Control from /lab/headers unless asked, though files get one", async () => {
  await using o = await startLabOrigin();
  const plain = await ask(o, "/lab/headers");
  assert.equal(plain.status, 200);
  assert.deepEqual(fieldsNamed(plain, ["Cache-Control"]), []);
  const file = await ask(o, "/1.txt");
  assert.equal(file.head.header("cache-control"), "no-cache");
  const asked = await ask(o, "/lab/headers?Cache-Control=max-age%3D10");
  assert.deepEqual(fieldsNamed(asked, ["Cache-Control"]), [[
    "Cache-Control",
    "max-age=10",
  ]]);
});

Deno.test("startOrigin() with lab numbers the /lab/headers requests in the body whatever the query", async () => {
  await using o = await startLabOrigin();
  const { responses } = await pipeline(o, [
    { target: "/lab/headers" },
    { target: "/lab/headers?X-A=1" },
    { target: "/lab/etag/a" },
    { target: "/lab/headers?X-B=2" },
  ]);
  assert.deepEqual(
    responses.map((r) => r.bodyText).filter((b) =>
      b.endsWith(" /lab/headers\n")
    ),
    [
      "request 1 for /lab/headers\n",
      "request 2 for /lab/headers\n",
      "request 3 for /lab/headers\n",
    ],
  );
});

Deno.test("startOrigin() with lab answers /lab/headers with the status= given, and the fields", async () => {
  await using o = await startLabOrigin();
  for (
    const [code, line] of [[201, "HTTP/1.1 201 Created"], [
      404,
      "HTTP/1.1 404 Not Found",
    ], [599, "HTTP/1.1 599 "]] as const
  ) {
    const res = await ask(o, `/lab/headers?status=${code}&X-A=1`);
    assert.equal(res.status, code);
    assert.ok(res.head.startLine.startsWith(line), res.head.startLine);
    assert.deepEqual(fieldsNamed(res, ["X-A"]), [["X-A", "1"]]);
    assert.match(res.bodyText, /^request \d+ for \/lab\/headers\n$/);
  }
});

Deno.test("startOrigin() with lab answers /lab/headers status=204 and status=304 without a body, the connection serving on", async () => {
  await using o = await startLabOrigin();
  const { responses, end } = await pipeline(o, [
    { target: "/lab/headers?status=204&X-A=1" },
    { target: "/lab/headers?status=304&ETag=%22e%22" },
    { target: "/lab/headers?X-B=2" },
  ]);
  assert.equal(end, "close");
  assert.deepEqual(responses.map((r) => r.status), [204, 304, 200]);
  assert.equal(responses[0]!.raw.endsWith("\r\n\r\n"), true);
  assert.equal(responses[0]!.head.header("transfer-encoding"), undefined);
  assert.deepEqual(fieldsNamed(responses[0]!, ["X-A"]), [["X-A", "1"]]);
  assert.equal(responses[1]!.head.header("etag"), '"e"');
  assert.equal(responses[2]!.bodyText, "request 3 for /lab/headers\n");
});

Deno.test("startOrigin() with lab answers /lab/headers 500 from the (N+1)th request on when fail-after=N", async () => {
  await using o = await startLabOrigin();
  const { responses } = await pipeline(o, [
    { target: "/lab/headers?fail-after=2&Cache-Control=max-age%3D60" },
    { target: "/lab/headers?fail-after=2&Cache-Control=max-age%3D60" },
    { target: "/lab/headers?fail-after=2&Cache-Control=max-age%3D60" },
    { target: "/lab/headers?fail-after=2&Cache-Control=max-age%3D60" },
  ]);
  assert.deepEqual(responses.map((r) => r.status), [200, 200, 500, 500]);
  assert.equal(responses[0]!.head.header("cache-control"), "max-age=60");
  assert.equal(responses[1]!.bodyText, "request 2 for /lab/headers\n");
});

Deno.test("startOrigin() with lab answers /lab/headers 500 from the first request when fail-after=0", async () => {
  await using o = await startLabOrigin();
  const res = await ask(o, "/lab/headers?fail-after=0");
  assert.equal(res.head.startLine, "HTTP/1.1 500 Internal Server Error");
});

Deno.test("startOrigin() with lab counts fail-after= over every /lab/headers request, with the parameter or without", async () => {
  await using o = await startLabOrigin();
  const { responses } = await pipeline(o, [
    { target: "/lab/headers" },
    { target: "/lab/headers" },
    { target: "/lab/headers?fail-after=2" },
    { target: "/lab/headers?fail-after=5" },
  ]);
  assert.deepEqual(responses.map((r) => r.status), [200, 200, 500, 200]);
});

Deno.test("startOrigin() with lab answers HEAD /lab/headers with the same fields and no body", async () => {
  await using o = await startLabOrigin();
  const { responses } = await pipeline(o, [
    { target: "/lab/headers?X-A=1", method: "HEAD" },
    { target: "/lab/headers?X-A=1" },
  ]);
  assert.equal(responses[0]!.status, 200);
  assert.deepEqual(fieldsNamed(responses[0]!, ["X-A"]), [["X-A", "1"]]);
  assert.equal(responses[0]!.body.length, 0);
  assert.equal(responses[1]!.bodyText, "request 2 for /lab/headers\n");
});
