import assert from "../../helpers/assert.ts";
import { RawClient } from "../../helpers/raw_peer.ts";
import { startOrigin } from "../../../origin/mod.ts";
import { parseLabScript } from "../../../origin/lab/script.ts";
import type { LabScript } from "../../../origin/lab/script.ts";

async function labOrigin(script?: LabScript) {
  const root = await Deno.makeTempDir();
  const server = await startOrigin({
    host: "127.0.0.1",
    port: 0,
    root,
    cacheControl: "no-cache",
    headTimeoutMs: 5000,
    idleTimeoutMs: 5000,
    lab: { script },
  });
  return {
    port: server.addr.port,
    async [Symbol.asyncDispose]() {
      await server.shutdown(1000);
      await Deno.remove(root, { recursive: true });
    },
  };
}

async function ending(port: number, target: string) {
  using client = await RawClient.connect({ port });
  await client.write(`GET ${target} HTTP/1.1\r\nHost: lab\r\n\r\n`);
  return await client.readUntilClose();
}

Deno.test("startOrigin() with lab resets the connection before any byte when /lab/rst is asked for", async () => {
  await using origin = await labOrigin();
  assert.deepEqual(await ending(origin.port, "/lab/rst"), {
    text: "",
    end: "reset",
  });
});

Deno.test("startOrigin() with lab closes the connection cleanly before any byte when /lab/close is asked for", async () => {
  await using origin = await labOrigin();
  assert.deepEqual(await ending(origin.port, "/lab/close"), {
    text: "",
    end: "close",
  });
});

Deno.test("startOrigin() with lab answers on a kept-alive connection, then resets it at /lab/rst and logs the request without a status", async () => {
  await using origin = await labOrigin();
  using client = await RawClient.connect({ port: origin.port });
  await client.write("GET /lab/headers?X-A=1 HTTP/1.1\r\nHost: lab\r\n\r\n");
  const first = await client.readResponse();
  assert.equal(first.status, 200);
  const before = client.text.length;
  await client.write("GET /lab/rst HTTP/1.1\r\nHost: lab\r\n\r\n");
  const rest = await client.readUntilClose();
  assert.equal(rest.end, "reset");
  assert.equal(
    rest.text.length,
    before,
    "nothing after the first response",
  );
  using logClient = await RawClient.connect({ port: origin.port });
  await logClient.write("GET /lab/log HTTP/1.1\r\nHost: lab\r\n\r\n");
  const log = JSON.parse((await logClient.readResponse()).bodyText);
  assert.deepEqual(
    log.requests.map((
      r: { target: string; status: number | null },
    ) => [r.target, r.status]),
    [["/lab/headers?X-A=1", 200], ["/lab/rst", null]],
  );
});

Deno.test("startOrigin() with a script resets, then closes, then answers when its responses say rst, close, then a body", async () => {
  const parsed = parseLabScript(JSON.stringify({
    rules: [{
      path: "/f",
      responses: [{ fault: "rst" }, { fault: "close" }, { body: "ok" }],
    }],
  }));
  assert.equal(parsed.kind, "ok");
  if (parsed.kind !== "ok") return;
  await using origin = await labOrigin(parsed.script);
  assert.deepEqual(await ending(origin.port, "/f"), { text: "", end: "reset" });
  assert.deepEqual(await ending(origin.port, "/f"), { text: "", end: "close" });
  using client = await RawClient.connect({ port: origin.port });
  await client.write("GET /f HTTP/1.1\r\nHost: lab\r\n\r\n");
  const res = await client.readResponse();
  assert.equal(res.status, 200);
  assert.equal(res.bodyText, "ok");
});
