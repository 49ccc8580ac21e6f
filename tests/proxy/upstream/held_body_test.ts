/**
 * Tests of the request body held for a second attempt
 * (proxy/held_body.ts): a small body replays whole, a large one stops
 * being replayable past the limit, and a cancel reaches the client's body
 * only once no further attempt can follow.
 */

import assert from "../../helpers/assert.ts";
import { HeldBody } from "../../../proxy/upstream/held_body.ts";
import type { BodyReader } from "../../../http/types.ts";
import { FakeBody } from "../../helpers/byte_io.ts";
import { text } from "../../helpers/wire_text.ts";

async function readText(body: BodyReader): Promise<string> {
  let out = "";
  for (let c = await body.read(); c !== null; c = await body.read()) {
    out += text(c);
  }
  return out;
}

Deno.test("HeldBody.preload() reads a body of announced length within the limit; every attempt replays it", async () => {
  const client = new FakeBody(["ab", "cd"], { length: 4 });
  const held = new HeldBody(client, 10);
  await held.preload();
  assert.equal(await client.read(), null, "the client's body was read whole");
  assert.equal(await readText(held.attempt()), "abcd");
  assert.equal(await readText(held.attempt()), "abcd");
  assert.equal(held.replayable, true);
  assert.equal(held.attempt().length, 4);
});

Deno.test("HeldBody.preload() leaves a larger or unknown-length body to stream", async () => {
  const large = new FakeBody(["x".repeat(11)], { length: 11 });
  await new HeldBody(large, 10).preload();
  assert.equal(text((await large.read())!), "x".repeat(11));
  const chunked = new FakeBody(["y"]);
  await new HeldBody(chunked, 10).preload();
  assert.equal(text((await chunked.read())!), "y");
});

Deno.test("HeldBody.attempt() replays what an earlier attempt read, then streams the rest", async () => {
  const held = new HeldBody(new FakeBody(["ab", "cd", "ef"]), 10);
  const first = held.attempt();
  assert.equal(text((await first.read())!), "ab"); // the first try fails here
  assert.equal(held.replayable, true);
  assert.equal(await readText(held.attempt()), "abcdef");
});

Deno.test("HeldBody is not replayable once more than the limit was read", async () => {
  const held = new HeldBody(new FakeBody(["12345", "67890", "x"]), 10);
  const first = held.attempt();
  await first.read();
  await first.read();
  assert.equal(held.replayable, true, "exactly the limit is still held");
  await first.read();
  assert.equal(held.replayable, false);
});

Deno.test("HeldBody defers an attempt's cancel until finalize(), then passes later ones at once", async () => {
  const client = new FakeBody(["ab", "cd"]);
  const held = new HeldBody(client, 10);
  const first = held.attempt();
  await first.read();
  await first.cancel(); // the writer gave up on a broken connection
  assert.equal(client.cancelled, false, "a retry may still read the rest");
  const second = held.attempt();
  assert.equal(await readText(second), "abcd");
  await held.finalize();
  assert.equal(client.cancelled, false, "the second attempt did not cancel");

  const other = new FakeBody(["ab", "cd"]);
  const held2 = new HeldBody(other, 10);
  const only = held2.attempt();
  await only.read();
  await only.cancel();
  await held2.finalize();
  assert.equal(
    other.cancelled,
    true,
    "no further attempt: the cancel goes through",
  );

  const third = new FakeBody(["ab", "cd"]);
  const held3 = new HeldBody(third, 10);
  const late = held3.attempt();
  await held3.finalize(); // a response arrived
  await late.cancel();
  assert.equal(third.cancelled, true);
});
