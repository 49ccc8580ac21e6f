import assert from "../../helpers/assert.ts";
import { answerScripted, slowBody } from "../../../origin/lab/script_answer.ts";
import type { LabContext } from "../../../origin/lab/answers.ts";

const CTX: LabContext = {
  now: Date.UTC(2026, 0, 2, 3, 4, 5),
  path: "/seq",
  n: 2,
  method: "GET",
};

Deno.test("slowBody() yields one byte a read, all of them in order, when read to the end", async () => {
  const body = slowBody(new TextEncoder().encode("abc"), 1);
  assert.equal(body.length, 3);
  const seen: string[] = [];
  for (let c = await body.read(); c !== null; c = await body.read()) {
    seen.push(new TextDecoder().decode(c));
  }
  assert.deepEqual(seen, ["a", "b", "c"]);
});

Deno.test("slowBody() ends a pending read and clears its timer when cancelled", async () => {
  const body = slowBody(new TextEncoder().encode("abc"), 60_000);
  assert.equal(new TextDecoder().decode((await body.read())!), "a");
  const pending = body.read();
  await body.cancel();
  assert.equal(await pending, null);
});

Deno.test("answerScripted() sends Date from the lab clock and the fields in file order when the response has a body", async () => {
  const res = await answerScripted({
    status: 203,
    fields: [["ETag", '"v1"'], ["Vary", "A"], ["Vary", "B"]],
    body: "hi",
    delay: 0,
  }, CTX);
  assert.equal(res.status, 203);
  assert.deepEqual(res.headers.toArray(), [
    ["Date", "Fri, 02 Jan 2026 03:04:05 GMT"],
    ["ETag", '"v1"'],
    ["Vary", "A"],
    ["Vary", "B"],
    ["Content-Type", "text/plain; charset=utf-8"],
  ]);
  assert.deepEqual(res.body, new TextEncoder().encode("hi"));
});

Deno.test("answerScripted() ends the connection instead of answering when the fault is close or rst", async () => {
  const close = await answerScripted({
    status: 200,
    fields: [],
    body: "",
    delay: 0,
    fault: "close",
  }, CTX);
  const rst = await answerScripted({
    status: 200,
    fields: [],
    body: "",
    delay: 0,
    fault: "rst",
  }, CTX);
  assert.equal(close.abort, "close");
  assert.equal(rst.abort, "reset");
});

for (const status of [204, 304]) {
  Deno.test(`answerScripted() sends no Content-Type with a scripted ${status} even when the script gives a body`, async () => {
    const res = await answerScripted({
      status,
      fields: [["ETag", '"v1"']],
      body: "ignored",
      delay: 0,
    }, CTX);
    assert.equal(res.status, status);
    assert.equal(res.headers.get("content-type"), undefined); // RFC 9110 §15.3.5, §15.4.5
    assert.equal(res.headers.get("etag"), '"v1"');
  });
}

Deno.test("answerScripted() keeps a Content-Type the script gives itself on a 304", async () => {
  const res = await answerScripted({
    status: 304,
    fields: [["Content-Type", "text/html"]],
    body: "",
    delay: 0,
  }, CTX);
  assert.deepEqual(res.headers.getAll("content-type"), ["text/html"]);
});

Deno.test("answerScripted() sends the Date as Last-Modified when the script's Last-Modified is later", async () => {
  const res = await answerScripted({
    status: 200,
    fields: [
      ["Last-Modified", "Thu, 01 Jan 2099 00:00:00 GMT"],
      ["X-Kept", "Thu, 01 Jan 2099 00:00:00 GMT"],
    ],
    body: "x",
    delay: 0,
  }, CTX);
  assert.deepEqual(res.headers.toArray().slice(0, 3), [
    ["Date", "Fri, 02 Jan 2026 03:04:05 GMT"],
    ["Last-Modified", "Fri, 02 Jan 2026 03:04:05 GMT"], // RFC 9110 §8.8.2.1
    ["X-Kept", "Thu, 01 Jan 2099 00:00:00 GMT"],
  ]);
  const earlier = await answerScripted({
    status: 200,
    fields: [["Last-Modified", "Sat, 01 Mar 2025 10:00:00 GMT"]],
    body: "x",
    delay: 0,
  }, CTX);
  assert.equal(
    earlier.headers.get("last-modified"),
    "Sat, 01 Mar 2025 10:00:00 GMT",
  );
});
