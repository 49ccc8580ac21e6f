/**
 * Black-box raw-TCP tests of the lab's conditional routes:
 * `/lab/etag/TAG` (strong ETag, If-None-Match compared weakly, RFC 9110
 * §13.1.2) and `/lab/last-modified/HTTP-DATE` (If-Modified-Since,
 * evaluated only without If-None-Match, RFC 9110 §13.1.3, §13.2.2);
 * HEAD gets 304 like GET, and a 304 carries what a 200 would of ETag,
 * Date and Cache-Control (RFC 9110 §15.4.5).
 */

import assert from "../../helpers/assert.ts";
import {
  ask,
  fieldsNamed,
  NOW_DATE,
  pipeline,
  startLabOrigin,
} from "./lab_origin.ts";

/** The Last-Modified date the tests put in the path (before NOW). */
const LM = "Sat, 01 Mar 2025 10:00:00 GMT";
const BEFORE_LM = "Sat, 01 Mar 2025 09:59:59 GMT";
const AFTER_LM = "Sun, 02 Mar 2025 10:00:00 GMT";
const LM_PATH = `/lab/last-modified/${LM.replaceAll(" ", "%20")}`;

Deno.test("startOrigin() with lab answers /lab/etag/TAG 200 with a strong ETag and the fields asked", async () => {
  await using o = await startLabOrigin();
  const res = await ask(o, "/lab/etag/v1?Cache-Control=max-age%3D60");
  assert.equal(res.head.startLine, "HTTP/1.1 200 OK");
  assert.deepEqual(fieldsNamed(res, ["ETag"]), [["ETag", '"v1"']]);
  assert.equal(res.head.header("cache-control"), "max-age=60");
  assert.equal(res.head.header("date"), NOW_DATE);
});

const ETAG_CASES: [string, number][] = [
  ['"v1"', 304],
  ['W/"v1"', 304],
  ['"v2"', 200],
  ['"v2", "v1"', 304],
  ['"v2", W/"v1"', 304],
  ["*", 304],
  ['"V1"', 200],
  ['"v1x"', 200],
];

for (const [inm, status] of ETAG_CASES) {
  Deno.test(`startOrigin() with lab answers /lab/etag/v1 ${status} to GET and HEAD with If-None-Match: ${inm}`, async () => {
    await using o = await startLabOrigin();
    const { responses, end } = await pipeline(o, [
      { target: "/lab/etag/v1", fields: [`If-None-Match: ${inm}`] },
      {
        target: "/lab/etag/v1",
        fields: [`If-None-Match: ${inm}`],
        method: "HEAD",
      },
      { target: "/lab/etag/v1" },
    ]);
    assert.equal(end, "close");
    assert.deepEqual(responses.map((r) => r.status), [status, status, 200]);
    for (const res of responses.slice(0, 2)) {
      assert.equal(res.head.header("etag"), '"v1"');
      assert.equal(res.head.header("date"), NOW_DATE);
    }
    if (status === 304) {
      assert.equal(responses[0]!.head.startLine, "HTTP/1.1 304 Not Modified");
      assert.equal(responses[0]!.raw.endsWith("\r\n\r\n"), true);
    }
  });
}

Deno.test("startOrigin() with lab sends Cache-Control and Vary asked for in the /lab/etag 304 (RFC 9110 §15.4.5)", async () => {
  await using o = await startLabOrigin();
  const res = await ask(
    o,
    "/lab/etag/v1?Cache-Control=max-age%3D60&Vary=Accept",
    ['If-None-Match: "v1"'],
  );
  assert.equal(res.status, 304);
  assert.equal(res.head.header("cache-control"), "max-age=60");
  assert.equal(res.head.header("vary"), "Accept");
});

Deno.test("startOrigin() with lab answers /lab/etag 304 on If-None-Match whatever If-Modified-Since says", async () => {
  await using o = await startLabOrigin();
  const res = await ask(o, "/lab/etag/v1", [
    'If-None-Match: "v1"',
    "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT",
  ]);
  assert.equal(res.status, 304);
});

Deno.test("startOrigin() with lab answers /lab/last-modified/DATE 200 with Last-Modified set to DATE", async () => {
  await using o = await startLabOrigin();
  const res = await ask(o, `${LM_PATH}?Cache-Control=max-age%3D5`);
  assert.equal(res.head.startLine, "HTTP/1.1 200 OK");
  assert.deepEqual(fieldsNamed(res, ["Last-Modified"]), [[
    "Last-Modified",
    LM,
  ]]);
  assert.equal(res.head.header("cache-control"), "max-age=5");
  assert.equal(res.head.header("date"), NOW_DATE);
});

Deno.test("startOrigin() with lab reads the DATE of /lab/last-modified/ percent-encoded either way", async () => {
  await using o = await startLabOrigin();
  const res = await ask(o, `/lab/last-modified/${encodeURIComponent(LM)}`);
  assert.equal(res.status, 200);
  assert.equal(res.head.header("last-modified"), LM);
});

const IMS_CASES: [string, number][] = [
  [LM, 304],
  [AFTER_LM, 304],
  [BEFORE_LM, 200],
  ["Thu, 01 Jan 1970 00:00:00 GMT", 200],
];

for (const [ims, status] of IMS_CASES) {
  Deno.test(`startOrigin() with lab answers /lab/last-modified GET and HEAD ${status} with If-Modified-Since: ${ims}`, async () => {
    await using o = await startLabOrigin();
    const { responses, end } = await pipeline(o, [
      { target: LM_PATH, fields: [`If-Modified-Since: ${ims}`] },
      {
        target: LM_PATH,
        fields: [`If-Modified-Since: ${ims}`],
        method: "HEAD",
      },
      { target: LM_PATH },
    ]);
    assert.equal(end, "close");
    assert.deepEqual(responses.map((r) => r.status), [status, status, 200]);
    assert.equal(responses[0]!.head.header("date"), NOW_DATE);
    if (status === 304) {
      assert.equal(responses[1]!.head.startLine, "HTTP/1.1 304 Not Modified");
    }
  });
}

Deno.test("startOrigin() with lab lets If-None-Match win over If-Modified-Since on /lab/last-modified (RFC 9110 §13.1.3)", async () => {
  await using o = await startLabOrigin();
  const res = await ask(o, LM_PATH, [
    'If-None-Match: "nope"',
    `If-Modified-Since: ${LM}`,
  ]);
  assert.equal(res.status, 200);
  assert.equal(res.head.header("last-modified"), LM);
});

Deno.test("startOrigin() with lab ignores an If-Modified-Since that is not a date on /lab/last-modified", async () => {
  await using o = await startLabOrigin();
  const res = await ask(o, LM_PATH, ["If-Modified-Since: yesterday"]);
  assert.equal(res.status, 200);
});

Deno.test("startOrigin() with lab answers /lab/last-modified 400 when the path is not an HTTP date", async () => {
  await using o = await startLabOrigin();
  for (
    const path of [
      "/lab/last-modified/yesterday",
      "/lab/last-modified/Sat,%2001%20Foo%202025%2010:00:00%20GMT",
    ]
  ) {
    const res = await ask(o, path);
    assert.equal(res.head.startLine, "HTTP/1.1 400 Bad Request", path);
  }
});

Deno.test("startOrigin() with lab never lets a TAG in the path of /lab/etag/ break the field", async () => {
  await using o = await startLabOrigin();
  for (
    const tag of ["a%0D%0AX-Evil:%201", "a%0AX-Evil:%201", "a%22b", "a%00b"]
  ) {
    const res = await ask(o, `/lab/etag/${tag}`);
    assert.deepEqual(fieldsNamed(res, ["X-Evil"]), [], tag);
    assert.ok(res.status >= 400 && res.status < 500, `${tag}: ${res.status}`);
  }
});

const FUTURE = "Thu, 01 Jan 2099 00:00:00 GMT";

Deno.test("startOrigin() with lab sends the Date as Last-Modified when /lab/last-modified/DATE is later than it", async () => {
  await using o = await startLabOrigin();
  const path = `/lab/last-modified/${encodeURIComponent(FUTURE)}`;
  const res = await ask(o, path);
  assert.equal(res.status, 200);
  assert.equal(res.head.header("last-modified"), NOW_DATE); // RFC 9110 §8.8.2.1
  const again = await ask(o, path, [`If-Modified-Since: ${NOW_DATE}`]);
  assert.equal(again.status, 304, "compared with the date sent");
  assert.equal(again.head.header("last-modified"), NOW_DATE);
});

Deno.test("startOrigin() with lab sends the Date as a Last-Modified asked of /lab/headers when it is later", async () => {
  await using o = await startLabOrigin();
  const res = await ask(
    o,
    `/lab/headers?Last-Modified=${encodeURIComponent(FUTURE)}`,
  );
  assert.deepEqual(fieldsNamed(res, ["Last-Modified"]), [[
    "Last-Modified",
    NOW_DATE,
  ]]);
});
