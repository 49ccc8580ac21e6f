import assert from "../helpers/assert.ts";
import { exchange, ScriptedServer } from "../helpers/raw_peer.ts";
import { startTestProxy } from "../helpers/proxy.ts";

/** A listener standing for the admin listener: it must never see a connection from the proxy. */
function guardedListener(): ScriptedServer {
  return ScriptedServer.start(async (peer) => {
    await peer.readRequest();
  });
}

Deno.test("proxyHandler() answers 403 to CONNECT and absolute-form requests for a guarded address, even allowed", async () => {
  await using guarded = guardedListener();
  const addr: Deno.NetAddr = {
    transport: "tcp",
    hostname: "127.0.0.1",
    port: guarded.port,
  };
  await using proxy = await startTestProxy(1, {
    connectPorts: [guarded.port],
    guarded: [addr],
  });
  for (
    const request of [
      `CONNECT 127.0.0.1:${guarded.port} HTTP/1.1\r\nHost: 127.0.0.1:${guarded.port}\r\n\r\n`,
      `CONNECT localhost:${guarded.port} HTTP/1.1\r\nHost: localhost:${guarded.port}\r\n\r\n`,
      `GET http://0x7f.1:${guarded.port}/api/entries HTTP/1.1\r\nHost: x\r\n\r\n`,
    ]
  ) {
    const method = request.split(" ")[0]!;
    const { responses } = await exchange(
      { hostname: "127.0.0.1", port: proxy.port },
      request,
      { responses: 1, methods: [method] },
    );
    assert.equal(responses[0]!.status, 403, request);
  }
  assert.equal(proxy.stats.get("refused.guarded"), 3);
  assert.equal(guarded.connections, 0);
});

Deno.test("proxyHandler() forwards as usual when nothing is guarded", async () => {
  await using origin = ScriptedServer.start(async (peer) => {
    await peer.readRequest();
    await peer.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  await using proxy = await startTestProxy(1, { guarded: [] });
  const { responses } = await exchange(
    { hostname: "127.0.0.1", port: proxy.port },
    `GET http://127.0.0.1:${origin.port}/x HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\nConnection: close\r\n\r\n`,
  );
  assert.equal(responses[0]!.status, 200);
  assert.equal(proxy.stats.get("refused.guarded"), 0);
});
