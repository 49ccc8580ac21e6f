/**
 * Black-box raw-TCP tests of the lab's connection faults: `/lab/close`
 * ends the stream (a clean FIN) before any response byte, `/lab/rst`
 * resets it (the client's read fails with ECONNRESET). The origin serves
 * on afterwards, and both requests are counted.
 */

import assert from "../../helpers/assert.ts";
import { withDeadline } from "../../helpers/deadline.ts";
import { RawClient } from "../../helpers/raw_peer.ts";
import { ask, countOf, HOST, startLabOrigin } from "./lab_origin.ts";

Deno.test("startOrigin() with lab closes the connection before any byte on /lab/close", async () => {
  await using o = await startLabOrigin();
  for (const method of ["GET", "HEAD"]) {
    using client = await RawClient.connect(o.server.addr);
    await client.write(`${method} /lab/close HTTP/1.1\r\n${HOST}\r\n`);
    const { text, end } = await client.readUntilClose();
    assert.equal(end, "close", method);
    assert.equal(text, "", method);
  }
  assert.equal(await countOf(o, "/lab/close"), "2\n");
  assert.equal((await ask(o, "/1.txt")).bodyText, "hello\n");
});

Deno.test("startOrigin() with lab closes on /lab/close even after a keep-alive response on the connection", async () => {
  await using o = await startLabOrigin();
  using client = await RawClient.connect(o.server.addr);
  await client.write(`GET /lab/headers HTTP/1.1\r\n${HOST}\r\n`);
  assert.equal((await client.readResponse()).status, 200);
  const before = client.text.length;
  await client.write(`GET /lab/close HTTP/1.1\r\n${HOST}\r\n`);
  const { text, end } = await client.readUntilClose();
  assert.equal(end, "close");
  assert.equal(text.length, before, "no byte after the first response");
});

Deno.test("startOrigin() with lab closes the connection unanswered from the (N+1)th request on when close-after=N", async () => {
  await using o = await startLabOrigin();
  const target = "/lab/etag/t?Cache-Control=max-age%3D5&close-after=1";
  const first = await ask(o, target);
  assert.equal(first.status, 200);
  assert.equal(first.bodyText, "request 1 for /lab/etag/t\n");
  for (const method of ["GET", "HEAD"]) {
    using client = await RawClient.connect(o.server.addr);
    await client.write(`${method} ${target} HTTP/1.1\r\n${HOST}\r\n`);
    const { text, end } = await client.readUntilClose();
    assert.equal(end, "close", method);
    assert.equal(text, "", method);
  }
  assert.equal(await countOf(o, "/lab/etag/t"), "3\n");
});

Deno.test("startOrigin() with lab resets the connection on /lab/rst (ConnectionReset on read)", async () => {
  await using o = await startLabOrigin();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: o.port });
  try {
    const request = `GET /lab/rst HTTP/1.1\r\n${HOST}\r\n`;
    await conn.write(new TextEncoder().encode(request));
    const buf = new Uint8Array(1024);
    const outcome = await withDeadline(
      conn.read(buf).then(
        (n) => (n === null ? "end of stream" : `${n} bytes`),
        (e) => e,
      ),
      5000,
      "reading /lab/rst",
    );
    assert.ok(
      outcome instanceof Deno.errors.ConnectionReset,
      `expected ConnectionReset, got ${outcome}`,
    );
  } finally {
    conn.close();
  }
  assert.equal(await countOf(o, "/lab/rst"), "1\n");
  assert.equal((await ask(o, "/1.txt")).bodyText, "hello\n");
});

Deno.test("startOrigin() with lab resets on /lab/rst with no response byte, seen by the raw client as reset", async () => {
  await using o = await startLabOrigin();
  using client = await RawClient.connect(o.server.addr);
  await client.write(`GET /lab/rst?x=1 HTTP/1.1\r\n${HOST}\r\n`);
  const { text, end } = await client.readUntilClose();
  assert.equal(end, "reset");
  assert.equal(text, "");
});
