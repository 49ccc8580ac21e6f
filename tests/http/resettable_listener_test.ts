import assert from "../helpers/assert.ts";
import { listenResettable } from "../../http/resettable_listener.ts";
import { closeQuietly, resetQuietly } from "../../http/close.ts";
import { boundedRead } from "../helpers/deadline.ts";

async function pair() {
  const listener = await listenResettable("127.0.0.1", 0);
  const client = await Deno.connect({
    hostname: "127.0.0.1",
    port: (listener.addr as Deno.NetAddr).port,
  });
  const server = await listener.accept();
  return { listener, client, server };
}

Deno.test("listenResettable() conns move bytes both ways and end with a FIN when closed", async () => {
  const { listener, client, server } = await pair();
  try {
    await client.write(new TextEncoder().encode("ping"));
    const buf = new Uint8Array(10);
    assert.equal(await server.read(buf), 4);
    assert.equal(new TextDecoder().decode(buf.subarray(0, 4)), "ping");
    assert.equal(await server.write(new TextEncoder().encode("pong!")), 5);
    assert.equal(
      await boundedRead(client, buf, 5000, () => closeQuietly(client)),
      5,
    );
    server.close();
    assert.equal(
      await boundedRead(client, buf, 5000, () => closeQuietly(client)),
      null,
      "a clean end of stream",
    );
    assert.throws(() => server.close(), Deno.errors.BadResource);
    await assert.rejects(
      server.write(new Uint8Array(1)),
      Deno.errors.BrokenPipe,
    );
  } finally {
    closeQuietly(client);
    listener.close();
  }
});

Deno.test("resetQuietly() makes the peer see ECONNRESET when the conn comes from listenResettable()", async () => {
  const { listener, client, server } = await pair();
  try {
    await client.write(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"));
    await server.read(new Uint8Array(64));
    resetQuietly(server);
    const end = await boundedRead(
      client,
      new Uint8Array(10),
      5000,
      () => closeQuietly(client),
    );
    assert.equal(end, "reset");
    resetQuietly(server); // twice: already gone, nothing thrown
  } finally {
    closeQuietly(client);
    listener.close();
  }
});

Deno.test("listenResettable() conns read the end of stream and still write when the peer half-closes, and half-close too", async () => {
  const { listener, client, server } = await pair();
  try {
    await client.write(new TextEncoder().encode("x"));
    await client.closeWrite();
    const buf = new Uint8Array(4);
    assert.equal(await server.read(buf), 1);
    assert.equal(await server.read(buf), null);
    await server.write(new TextEncoder().encode("late"));
    assert.equal(
      await boundedRead(client, buf, 5000, () => closeQuietly(client)),
      4,
      "written after the peer's FIN",
    );
    await server.closeWrite();
    assert.equal(
      await boundedRead(client, buf, 5000, () => closeQuietly(client)),
      null,
    );
    server.close();
  } finally {
    closeQuietly(client);
    listener.close();
  }
});

Deno.test("listenResettable() ends a pending accept with BadResource when the listener closes", async () => {
  const listener = await listenResettable("127.0.0.1", 0);
  const pending = listener.accept();
  listener.close();
  await assert.rejects(pending, Deno.errors.BadResource);
  assert.throws(() => listener.close(), Deno.errors.BadResource);
});
