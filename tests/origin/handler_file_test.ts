import assert from "../helpers/assert.ts";
import { formatHttpDate } from "../../http/dates.ts";
import { originHandler } from "../../origin/handler.ts";
import { fileValidators } from "../../origin/file_response.ts";
import {
  BIG_SIZE,
  bodyBytes,
  bodyText,
  discard,
  makeFixture,
  request,
} from "./fixtures.ts";

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
/** A Date after files dated NOW (a Last-Modified is never later than the Date). */
const AFTER = NOW + 3_600_000;

async function validatorsOf(path: string) {
  const info = await Deno.stat(path);
  return fileValidators(info.size, info.mtime!.getTime());
}

Deno.test("originHandler() serves a small file with every field issue 2 lists", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "max-age=60" });
  const res = await handler(request("/1.txt", { receivedAt: NOW }));
  const v = await validatorsOf(`${fx.root}/1.txt`);
  assert.equal(res.status, 200);
  assert.deepEqual(res.headers.toArray(), [
    ["Date", formatHttpDate(NOW)],
    ["Cache-Control", "max-age=60"],
    ["Last-Modified", formatHttpDate(v.lastModified)],
    ["ETag", v.etag],
    ["Content-Type", "text/plain; charset=utf-8"],
    ["Accept-Ranges", "bytes"],
    ["Content-Length", "6"],
  ]);
  assert.ok(res.body instanceof Uint8Array, "a small file is read at once");
  assert.equal(await bodyText(res), "hello\n");
});

Deno.test("fileValidators() makes a strong ETag from size and mtime and whole-second Last-Modified", () => {
  const v = fileValidators(255, 1_700_000_000_123);
  assert.equal(v.etag, `"ff-${(1_700_000_000_123).toString(16)}"`);
  assert.equal(v.lastModified, 1_700_000_000_000);
  assert.notEqual(fileValidators(255, 1_700_000_000_124).etag, v.etag);
  assert.notEqual(fileValidators(256, 1_700_000_000_123).etag, v.etag);
});

Deno.test("fileValidators() sends the Date as Last-Modified when the mtime is later than it", () => {
  const date = 1_700_000_000_999;
  const v = fileValidators(255, date + 5_000, date);
  assert.equal(v.lastModified, 1_700_000_000_000); // RFC 9110 §8.8.2.1
  assert.equal(
    v.etag,
    `"ff-${(date + 5_000).toString(16)}"`,
    "the ETag keeps the mtime",
  );
  assert.equal(
    fileValidators(255, date - 5_000, date).lastModified,
    1_699_999_995_000,
  );
});

Deno.test("originHandler() sends no Last-Modified later than its Date when the clock is behind the file", async () => {
  await using fx = await makeFixture();
  const past = Date.UTC(2001, 0, 1, 0, 0, 0); // the file was written long after this
  const handler = originHandler({
    root: fx.root,
    cacheControl: "no-cache",
    now: () => past,
  });
  const res = await handler(request("/1.txt", { receivedAt: NOW }));
  await discard(res);
  assert.equal(res.headers.get("date"), formatHttpDate(past));
  assert.equal(res.headers.get("last-modified"), formatHttpDate(past));
  const again = await handler(
    request("/1.txt", {
      receivedAt: NOW,
      headers: [["If-Modified-Since", formatHttpDate(past)]],
    }),
  );
  await discard(again);
  assert.equal(again.status, 304, "compared as sent");
});

Deno.test("originHandler() answers HEAD with the GET fields and no body", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const get = await handler(request("/big.bin", { receivedAt: NOW }));
  const head = await handler(
    request("/big.bin", { method: "HEAD", receivedAt: NOW }),
  );
  await discard(get);
  assert.equal(head.status, 200);
  assert.deepEqual(head.headers.toArray(), get.headers.toArray());
  assert.equal(head.headers.get("content-length"), String(BIG_SIZE));
  assert.equal(head.body, null);
});

Deno.test("originHandler() streams a large file through a reader of known length", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const res = await handler(request("/big.bin"));
  assert.ok(res.body && !(res.body instanceof Uint8Array));
  assert.equal(res.body.length, BIG_SIZE);
  assert.equal(res.headers.get("content-type"), "application/octet-stream");
  assert.deepEqual(await bodyBytes(res), fx.big); // the sanitizer sees the file closed
});

Deno.test("originHandler() closes the file when a streamed body is cancelled", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const res = await handler(request("/big.bin"));
  assert.ok(res.body && !(res.body instanceof Uint8Array));
  assert.equal((await res.body.read())?.length, 64 * 1024);
  await res.body.cancel(); // --sanitize-resources fails the test if the file stays open
  assert.equal(await res.body.read(), null);
});

Deno.test("originHandler() names JSON and a non-ASCII file with their types", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const json = await handler(request("/data.json"));
  assert.equal(
    json.headers.get("content-type"),
    "application/json; charset=utf-8",
  );
  const accent = await handler(request("/%C3%A9.txt"));
  assert.equal(accent.status, 200);
  assert.equal(await bodyText(accent), "accent\n");
  const link = await handler(request("/link-in"));
  assert.equal(link.headers.get("content-type"), "application/octet-stream");
  assert.equal(await bodyText(link), "hello\n");
});

Deno.test("originHandler() serves an empty file with Content-Length 0", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const res = await handler(request("/empty.txt"));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-length"), "0");
  assert.equal((await bodyBytes(res)).length, 0);
});

for (const method of ["GET", "HEAD"]) {
  Deno.test(`originHandler() answers ${method} with If-None-Match 304 and the §15.4.5 fields`, async () => {
    await using fx = await makeFixture();
    const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
    const v = await validatorsOf(`${fx.root}/1.txt`);
    const res = await handler(request("/1.txt", {
      method,
      receivedAt: NOW,
      headers: [["If-None-Match", `"nope", ${v.etag}`]],
    }));
    assert.equal(res.status, 304);
    assert.deepEqual(res.headers.toArray(), [
      ["Date", formatHttpDate(NOW)],
      ["Cache-Control", "no-cache"],
      ["Last-Modified", formatHttpDate(v.lastModified)],
      ["ETag", v.etag],
    ]);
    assert.equal(res.body, null);
  });

  Deno.test(`originHandler() answers ${method} with If-Modified-Since equal to the mtime second 304`, async () => {
    await using fx = await makeFixture();
    const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
    await Deno.utime(`${fx.root}/1.txt`, NOW / 1000, (NOW + 999) / 1000); // 999 ms into the second
    const res = await handler(request("/1.txt", {
      method,
      receivedAt: AFTER,
      headers: [["If-Modified-Since", formatHttpDate(NOW)]],
    }));
    assert.equal(res.status, 304);
    const older = await handler(request("/1.txt", {
      method,
      receivedAt: AFTER,
      headers: [["If-Modified-Since", formatHttpDate(NOW - 1000)]],
    }));
    assert.equal(older.status, 200);
  });
}

Deno.test("originHandler() answers a changed file 200 to an old If-None-Match", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const first = await handler(request("/1.txt"));
  const etag = first.headers.get("etag")!;
  await Deno.writeTextFile(`${fx.root}/1.txt`, "changed!\n");
  const res = await handler(
    request("/1.txt", { headers: [["If-None-Match", etag]] }),
  );
  assert.equal(res.status, 200);
  assert.notEqual(res.headers.get("etag"), etag);
  assert.equal(await bodyText(res), "changed!\n");
});

Deno.test("originHandler() answers 412 to a failed If-Match and to If-Unmodified-Since before the mtime", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  await Deno.utime(`${fx.root}/1.txt`, NOW / 1000, NOW / 1000);
  const ifMatch = await handler(
    request("/1.txt", {
      receivedAt: AFTER,
      headers: [["If-Match", '"other"']],
    }),
  );
  assert.equal(ifMatch.status, 412);
  assert.equal(ifMatch.headers.get("cache-control"), "no-cache");
  assert.match(await bodyText(ifMatch), /412 Precondition Failed/);
  const ius = await handler(
    request("/1.txt", {
      receivedAt: AFTER,
      headers: [["If-Unmodified-Since", formatHttpDate(NOW - 1000)]],
    }),
  );
  assert.equal(ius.status, 412);
  const holds = await handler(
    request("/1.txt", {
      receivedAt: AFTER,
      headers: [["If-Unmodified-Since", formatHttpDate(NOW)]],
    }),
  );
  assert.equal(holds.status, 200);
});

/** [name, Range value, status, Content-Range, first byte, length] */
// deno-fmt-ignore
const RANGES: [string, string, number, string | undefined, number, number][] = [
  ["a closed range", "bytes=10-19", 206, `bytes 10-19/${BIG_SIZE}`, 10, 10],
  ["a suffix range", "bytes=-100", 206, `bytes ${BIG_SIZE - 100}-${BIG_SIZE - 1}/${BIG_SIZE}`, BIG_SIZE - 100, 100],
  ["an open range", "bytes=199990-", 206, `bytes 199990-${BIG_SIZE - 1}/${BIG_SIZE}`, 199990, 10],
  ["a streamed range crossing reads", "bytes=1000-150000", 206, `bytes 1000-150000/${BIG_SIZE}`, 1000, 149001],
  ["two ranges with the whole file", "bytes=0-0,5-6", 200, undefined, 0, BIG_SIZE],
  ["an invalid range with the whole file", "bytes=9-1", 200, undefined, 0, BIG_SIZE],
  ["another unit with the whole file", "lines=1-2", 200, undefined, 0, BIG_SIZE],
];

for (const [name, range, status, contentRange, first, length] of RANGES) {
  Deno.test(`originHandler() answers ${name} with ${status}`, async () => {
    await using fx = await makeFixture();
    const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
    const res = await handler(
      request("/big.bin", { headers: [["Range", range]] }),
    );
    assert.equal(res.status, status);
    assert.equal(res.headers.get("content-range"), contentRange);
    assert.equal(res.headers.get("content-length"), String(length));
    assert.deepEqual(
      await bodyBytes(res),
      fx.big.subarray(first, first + length),
    );
  });
}

Deno.test("originHandler() answers an unsatisfiable range 416 with Content-Range bytes */size", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const res = await handler(
    request("/1.txt", { headers: [["Range", "bytes=6-"]] }),
  );
  assert.equal(res.status, 416);
  assert.equal(res.headers.get("content-range"), "bytes */6");
  assert.equal(res.headers.get("cache-control"), "no-cache");
  assert.match(await bodyText(res), /416 Range Not Satisfiable/);
});

Deno.test("originHandler() ignores Range on HEAD", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const res = await handler(request("/1.txt", {
    method: "HEAD",
    headers: [["Range", "bytes=0-1"]],
  }));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-length"), "6");
  assert.equal(res.headers.has("content-range"), false);
});

Deno.test("originHandler() honours Range only when If-Range matches the ETag or the date", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  await Deno.utime(`${fx.root}/1.txt`, NOW / 1000, NOW / 1000);
  const v = await validatorsOf(`${fx.root}/1.txt`);
  const ask = (ifRange: string, receivedAt = NOW + 5000) =>
    handler(request("/1.txt", {
      receivedAt,
      headers: [["Range", "bytes=1-2"], ["If-Range", ifRange]],
    }));
  const byTag = await ask(v.etag);
  assert.equal(byTag.status, 206);
  assert.equal(await bodyText(byTag), "el");
  const staleTag = await ask('"0-0"');
  assert.equal(staleTag.status, 200);
  assert.equal(await bodyText(staleTag), "hello\n");
  assert.equal((await ask(formatHttpDate(NOW))).status, 206);
  assert.equal((await ask(formatHttpDate(NOW + 1000))).status, 200);
  assert.equal(
    (await ask(formatHttpDate(NOW), NOW + 500)).status,
    200,
    "a date within the second is weak",
  );
});

Deno.test("originHandler() checks preconditions before Range", async () => {
  await using fx = await makeFixture();
  const handler = originHandler({ root: fx.root, cacheControl: "no-cache" });
  const v = await validatorsOf(`${fx.root}/1.txt`);
  const res = await handler(request("/1.txt", {
    headers: [["Range", "bytes=0-0"], ["If-None-Match", v.etag]],
  }));
  assert.equal(res.status, 304);
});
