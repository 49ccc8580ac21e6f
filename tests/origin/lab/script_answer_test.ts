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
