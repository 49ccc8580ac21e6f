import assert from "../../helpers/assert.ts";
import { RawClient } from "../../helpers/raw_peer.ts";
import { fillLabBytes, labBytesBody } from "../../../origin/lab/bytes.ts";
import { startOrigin } from "../../../origin/mod.ts";

function bytesOf(seed: number, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  fillLabBytes(seed, offset, out);
  return out;
}

Deno.test("fillLabBytes() gives the same bytes on every call when the seed is the same", () => {
  // Pinned: a change to the generator changes what every earlier /lab/bytes/10 sent.
  assert.deepEqual(
    [...bytesOf(10, 0, 10)],
    [0xf1, 0xc4, 0x28, 0x64, 0x51, 0x0a, 0x0e, 0x81, 0xc2, 0x93],
  );
  assert.deepEqual(bytesOf(1_000_000, 0, 4096), bytesOf(1_000_000, 0, 4096));
});

Deno.test("fillLabBytes() gives at an offset the bytes of the whole sequence there when a range starts mid-word", () => {
  const whole = bytesOf(12345, 0, 1000);
  for (
    const [offset, length] of [[1, 7], [3, 1], [4, 4], [997, 3], [0, 1000]]
  ) {
    assert.deepEqual(
      bytesOf(12345, offset!, length!),
      whole.subarray(offset!, offset! + length!),
    );
  }
});

Deno.test("fillLabBytes() gives different bytes when the seed differs", () => {
  assert.notDeepEqual(bytesOf(10, 0, 64), bytesOf(11, 0, 64));
  assert.notDeepEqual(bytesOf(2 ** 32 + 10, 0, 64), bytesOf(10, 0, 64));
  const counts = new Array(256).fill(0);
  for (const b of bytesOf(7, 0, 256 * 64)) counts[b]++;
  assert.ok(
    counts.every((c) => c > 20 && c < 120),
    "every byte value shows up about 64 times",
  );
});

Deno.test("labBytesBody() yields the slice in fresh bounded chunks and stops when cancelled", async () => {
  const body = labBytesBody(300_000, 5, 200_000);
  assert.equal(body.length, 200_000);
  const chunks: Uint8Array[] = [];
  for (let c = await body.read(); c !== null; c = await body.read()) {
    chunks.push(c);
  }
  assert.ok(
    chunks.every((c) => c.length <= 64 * 1024),
    "no chunk holds the body whole",
  );
  const joined = new Uint8Array(200_000);
  let at = 0;
  for (const c of chunks) {
    joined.set(c, at);
    at += c.length;
  }
  assert.equal(at, 200_000);
  assert.deepEqual(joined, bytesOf(300_000, 5, 200_000));
  const cancelled = labBytesBody(300_000, 0, 300_000);
  await cancelled.read();
  await cancelled.cancel();
  assert.equal(await cancelled.read(), null);
});

Deno.test("startOrigin() with lab sends /lab/bytes/N whole and identical twice when N is several MiB", async () => {
  const root = await Deno.makeTempDir();
  const server = await startOrigin({
    host: "127.0.0.1",
    port: 0,
    root,
    cacheControl: "no-cache",
    headTimeoutMs: 5000,
    idleTimeoutMs: 5000,
    lab: {},
  });
  try {
    const size = 3 * 1024 * 1024 + 7;
    const expected = bytesOf(size, 0, size);
    for (let i = 0; i < 2; i++) {
      using client = await RawClient.connect({ port: server.addr.port }, {
        deadlineMs: 20_000,
      });
      await client.write(
        `GET /lab/bytes/${size} HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n`,
      );
      await client.readUntilClose();
      const received = client.received;
      const start = received.length - size;
      assert.ok(start > 0);
      assert.deepEqual(received.subarray(start), expected);
      const head = new TextDecoder().decode(received.subarray(0, start));
      assert.ok(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
      assert.ok(head.includes(`\r\nContent-Length: ${size}\r\n`), head);
      assert.ok(head.includes(`\r\nETag: "bytes-${size}"\r\n`), head);
    }
  } finally {
    await server.shutdown(1000);
    await Deno.remove(root, { recursive: true });
  }
});
