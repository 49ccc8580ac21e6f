/**
 * Black-box wire tests of the simple lab routes on an in-process origin:
 * `/lab/status/CODE` and `/lab/delay/MS` with their bounds, unsafe
 * methods answered 204 on any `/lab/` path, unknown `/lab/` paths, the
 * files still served beside the lab, the lab off without `lab`, and the
 * Date of every response taken from the injected clock.
 */

import assert from "../../helpers/assert.ts";
import {
  ask,
  countOf,
  fieldsNamed,
  NOW_DATE,
  pipeline,
  requestText,
  startLabOrigin,
} from "./lab_origin.ts";
import { exchange } from "../../helpers/raw_peer.ts";

Deno.test("startOrigin() with lab answers /lab/status/CODE with that code from 200 to 599", async () => {
  await using o = await startLabOrigin();
  for (
    const [code, line] of [
      [200, "HTTP/1.1 200 OK"],
      [203, "HTTP/1.1 203 "],
      [404, "HTTP/1.1 404 Not Found"],
      [418, "HTTP/1.1 418 "],
      [503, "HTTP/1.1 503 Service Unavailable"],
      [599, "HTTP/1.1 599 "],
    ] as const
  ) {
    const res = await ask(o, `/lab/status/${code}`);
    assert.equal(res.status, code);
    assert.ok(res.head.startLine.startsWith(line), res.head.startLine);
    assert.equal(res.head.header("date"), NOW_DATE);
  }
});

Deno.test("startOrigin() with lab answers /lab/status/204 and /lab/status/304 without a body", async () => {
  await using o = await startLabOrigin();
  const { responses } = await pipeline(o, [
    { target: "/lab/status/204" },
    { target: "/lab/status/304" },
    { target: "/lab/status/200" },
  ]);
  assert.deepEqual(responses.map((r) => r.status), [204, 304, 200]);
  assert.equal(responses[0]!.raw.endsWith("\r\n\r\n"), true);
});

Deno.test("startOrigin() with lab answers /lab/status/CODE 400 when CODE is out of 200..599 or not a number", async () => {
  await using o = await startLabOrigin();
  for (const code of ["199", "100", "600", "999", "0", "abc", "2e2", "-200"]) {
    const res = await ask(o, `/lab/status/${code}`);
    assert.equal(res.head.startLine, "HTTP/1.1 400 Bad Request", code);
  }
});

Deno.test("startOrigin() with lab answers /lab/status/CODE 400 when the query asks for another status, and CODE when it asks for the same", async () => {
  await using o = await startLabOrigin();
  const refused = await ask(o, "/lab/status/200?status=500");
  assert.equal(refused.head.startLine, "HTTP/1.1 400 Bad Request");
  assert.ok(
    refused.bodyText.includes("status is given twice with different values"),
    refused.bodyText,
  );
  const same = await ask(o, "/lab/status/503?status=503");
  assert.equal(same.status, 503);
});

Deno.test("startOrigin() with lab answers /lab/delay/MS after the delay, with the fields asked", async () => {
  await using o = await startLabOrigin();
  const { responses } = await pipeline(o, [
    { target: "/lab/delay/0?Cache-Control=max-age%3D30" },
    { target: "/lab/delay/30?X-A=1&X-A=2" },
  ]);
  assert.deepEqual(responses.map((r) => r.status), [200, 200]);
  assert.equal(responses[0]!.head.header("cache-control"), "max-age=30");
  assert.deepEqual(fieldsNamed(responses[1]!, ["X-A"]), [["X-A", "1"], [
    "X-A",
    "2",
  ]]);
  assert.equal(responses[1]!.head.header("date"), NOW_DATE);
});

Deno.test("startOrigin() with lab answers /lab/delay/MS 400 when MS is out of 0..60000 or not a number", async () => {
  await using o = await startLabOrigin();
  for (const ms of ["60001", "-1", "abc", "1.5", "100000000000"]) {
    const res = await ask(o, `/lab/delay/${ms}`);
    assert.equal(res.head.startLine, "HTTP/1.1 400 Bad Request", ms);
  }
});

Deno.test("startOrigin() with lab answers POST, PUT, PATCH and DELETE on any /lab/ path 204 and counts them", async () => {
  await using o = await startLabOrigin();
  const paths = ["/lab/headers", "/lab/etag/a", "/lab/bytes/10", "/lab/x/y"];
  for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
    for (const path of paths) {
      const { responses, end } = await exchange(
        o.server.addr,
        `${method} ${path}?a=1 HTTP/1.1\r\nHost: origin.test\r\n` +
          "Content-Length: 5\r\n\r\nhello" +
          requestText(path, [], "HEAD", true),
        { methods: [method, "HEAD"] },
      );
      assert.equal(end, "close");
      assert.equal(
        responses[0]?.head.startLine,
        "HTTP/1.1 204 No Content",
        `${method} ${path}`,
      );
      assert.equal(responses[0]!.body.length, 0);
      assert.equal(responses.length, 2, "the body was read, not parsed");
    }
  }
  for (const path of paths) assert.equal(await countOf(o, path), "8\n", path);
});

Deno.test("startOrigin() with lab answers an unknown /lab/ path 404", async () => {
  await using o = await startLabOrigin();
  for (const path of ["/lab/nothing", "/lab/headers/x", "/lab/etc/passwd"]) {
    const res = await ask(o, path);
    assert.equal(res.head.startLine, "HTTP/1.1 404 Not Found", path);
  }
});

Deno.test("startOrigin() with lab still serves the files under its root", async () => {
  await using o = await startLabOrigin();
  const res = await ask(o, "/1.txt");
  assert.equal(res.status, 200);
  assert.equal(res.bodyText, "hello\n");
  assert.equal(res.head.header("cache-control"), "no-cache");
  const missing = await ask(o, "/2.txt");
  assert.equal(missing.status, 404);
});

Deno.test("startOrigin() without lab answers /lab/ paths from the files (404) and counts nothing", async () => {
  await using o = await startLabOrigin({ lab: false });
  for (const path of ["/lab/headers?X-A=1", "/lab/count?path=/1.txt"]) {
    const res = await ask(o, path);
    assert.equal(res.status, 404, path);
    assert.deepEqual(fieldsNamed(res, ["X-A"]), []);
  }
  const post = await ask(o, "/lab/headers", [], "DELETE");
  assert.notEqual(post.status, 204);
});

Deno.test("startOrigin() with lab dates every response with the injected now", async () => {
  await using o = await startLabOrigin();
  const { responses } = await pipeline(o, [
    { target: "/1.txt" },
    { target: "/nothing.txt" },
    { target: "/lab/headers" },
    { target: "/lab/status/503" },
    { target: "/lab/bytes/3" },
    { target: "/lab/etag/a", fields: ['If-None-Match: "a"'] },
    { target: "/lab/nothing" },
    { target: "/lab/count?path=/1.txt" },
    { target: "/lab/log" },
    { target: "/lab/headers", method: "PUT" },
    { target: "/lab/headers?fail-after=0" },
    { target: "/lab/headers?Content-Length=1" },
  ]);
  assert.equal(responses.length, 12);
  assert.deepEqual(responses.slice(-2).map((r) => r.status), [500, 400]);
  for (const res of responses) {
    assert.deepEqual(fieldsNamed(res, ["Date"]), [["Date", NOW_DATE]]);
  }
});

Deno.test("startOrigin() without lab still dates the files with the injected now", async () => {
  await using o = await startLabOrigin({ lab: false });
  const res = await ask(o, "/1.txt");
  assert.equal(res.status, 200);
  assert.equal(res.head.header("date"), NOW_DATE);
});

Deno.test("startOrigin() with lab dates the 400 of a malformed head with the injected now too", async () => {
  await using o = await startLabOrigin();
  const { responses } = await exchange(
    o.server.addr,
    "GET /lab/headers HTTP/1.1\r\nHost: origin.test\r\nBad header\r\n\r\n",
  );
  assert.equal(responses[0]?.status, 400);
  assert.deepEqual(fieldsNamed(responses[0]!, ["Date"]), [["Date", NOW_DATE]]);
});
