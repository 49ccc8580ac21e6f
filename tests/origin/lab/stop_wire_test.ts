/**
 * Raw-TCP tests of the lab's waits against a stopping origin: a pending
 * /lab/delay, a script's delay and a "slow" body end when shutdown()
 * is called (the connection closed, no timer left behind for the op
 * sanitizer), however long they had still to run.
 */

import assert from "../../helpers/assert.ts";
import { withDeadline } from "../../helpers/deadline.ts";
import { RawClient } from "../../helpers/raw_peer.ts";
import { type LabScript, parseLabScript } from "../../../origin/lab/script.ts";
import { countOf, type LabOrigin, startLabOrigin } from "./lab_origin.ts";

/** Longer than any bound below: a shutdown that waits for the wait never ends in time. */
const GRACE_MS = 120_000;

function script(responses: unknown[]): LabScript {
  const parsed = parseLabScript(
    JSON.stringify({ rules: [{ path: "/s", responses }] }),
  );
  if (parsed.kind !== "ok") throw new Error(parsed.reason);
  return parsed.script;
}

/**
 * Sends GET `target`, waits until the origin has counted it (it is being
 * answered) and `held` holds, shuts the origin down; what the client got.
 */
async function stopWhileWaiting(
  o: LabOrigin,
  target: string,
  held: (client: RawClient) => Promise<unknown> = () => Promise.resolve(),
) {
  using client = await RawClient.connect(o.server.addr);
  await client.write(`GET ${target} HTTP/1.1\r\nHost: lab\r\n\r\n`);
  await poll(async () => await countOf(o, target) === "1\n");
  await held(client);
  await withDeadline(
    o.server.shutdown(GRACE_MS),
    20_000,
    "the shutdown of an origin with a wait pending",
  );
  assert.equal(o.server.openConnections, 0);
  return await client.readUntilClose();
}

/** Polls `done` every 10 ms until it holds; throws after 500 tries. */
async function poll(done: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("Cannot see the request counted");
}

Deno.test("startOrigin() with lab ends a pending /lab/delay wait when shut down, closing the connection unanswered", async () => {
  await using o = await startLabOrigin();
  const got = await stopWhileWaiting(o, "/lab/delay/60000");
  assert.deepEqual(got, { text: "", end: "close" });
});

Deno.test("startOrigin() with a script ends a pending scripted delay when shut down, closing the connection unanswered", async () => {
  await using o = await startLabOrigin({
    script: script([{ delay: 60000, body: "late" }]),
  });
  const got = await stopWhileWaiting(o, "/s");
  assert.deepEqual(got, { text: "", end: "close" });
});

Deno.test("startOrigin() with a script cuts a slow body short when shut down", async () => {
  const body = "x".repeat(1000); // 100 s at one byte every 100 ms
  await using o = await startLabOrigin({
    script: script([{ fault: "slow", body }]),
  });
  const got = await stopWhileWaiting(
    o,
    "/s",
    (client) => client.readUntil((t) => t.includes("\r\n\r\nx")),
  );
  assert.match(got.text, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(got.text, /\r\nContent-Length: 1000\r\n/);
  const sent = got.text.slice(got.text.indexOf("\r\n\r\n") + 4);
  assert.ok(sent.length < 1000, `a short body: ${sent.length} bytes`);
  assert.equal(got.end, "close");
});

Deno.test("startOrigin() with a script stops a slow body, and its timer, when the client goes away", async () => {
  const body = "x".repeat(1000); // 100 s at one byte every 100 ms
  await using o = await startLabOrigin({
    script: script([{ fault: "slow", body }]),
  });
  {
    using client = await RawClient.connect(o.server.addr);
    await client.write("GET /s HTTP/1.1\r\nHost: lab\r\n\r\n");
    await client.readUntil((t) => t.includes("\r\n\r\nx"));
  } // closed: the next bytes written find no reader
  for (let tries = 0; o.server.openConnections > 0; tries++) {
    if (tries === 500) throw new Error("Cannot see the connection end");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // the connection ended before any shutdown: the body was cancelled, not the origin stopped
});
