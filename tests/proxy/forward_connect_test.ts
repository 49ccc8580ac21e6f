/**
 * End-to-end tests of forward proxying and CONNECT tunnels with
 * independent peers on both ends: curl and fetch as clients, Deno.serve
 * as the origin, so a bug in our codec cannot hide on both sides.
 */

import { assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { exchange } from "../helpers/raw_peer.ts";
import { startTestProxy } from "../helpers/proxy.ts";

/** An origin that echoes what it saw. */
function startEchoOrigin(): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const body = await req.text();
      const url = new URL(req.url);
      return Response.json({
        method: req.method,
        path: url.pathname + url.search,
        host: req.headers.get("host"),
        via: req.headers.get("via"),
        xff: req.headers.get("x-forwarded-for"),
        body,
      });
    },
  );
}

async function curl(
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  const res = await new Deno.Command("curl", {
    args: ["-sS", "--max-time", "5", ...args],
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: res.code, out: decode(res.stdout), err: decode(res.stderr) };
}

Deno.test("proxy forwards an absolute-form request from curl -x to the named host", async () => {
  await using origin = startEchoOrigin();
  await using proxy = await startTestProxy(1); // the reverse upstream is not used
  const target = `http://127.0.0.1:${origin.addr.port}/fwd?q=1`;
  const { code, out } = await curl([
    "-x",
    `http://127.0.0.1:${proxy.port}`,
    target,
  ]);
  assertEquals(code, 0);
  assertEquals(JSON.parse(out), {
    method: "GET",
    path: "/fwd?q=1",
    host: `127.0.0.1:${origin.addr.port}`,
    via: `1.1 ${proxy.viaName}`,
    xff: "127.0.0.1",
    body: "",
  });
});

Deno.test("proxy forwards a POST from fetch through a configured HTTP proxy client", async () => {
  await using origin = startEchoOrigin();
  await using proxy = await startTestProxy(1);
  using client = Deno.createHttpClient({
    proxy: { url: `http://127.0.0.1:${proxy.port}` },
  });
  const res = await fetch(`http://127.0.0.1:${origin.addr.port}/p`, {
    method: "POST",
    body: "payload",
    client,
  });
  const seen = await res.json();
  assertEquals([res.status, seen.method, seen.body, seen.via], [
    200,
    "POST",
    "payload",
    `1.1 ${proxy.viaName}`,
  ]);
  assertEquals(res.headers.get("via"), `1.1 ${proxy.viaName}`);
});

Deno.test("proxy tunnels CONNECT for curl -p and relays bytes both ways (RFC 9110 §9.3.6)", async () => {
  await using origin = startEchoOrigin();
  await using proxy = await startTestProxy(origin.addr.port);
  const { code, out, err } = await curl([
    "-p",
    "-x",
    `http://127.0.0.1:${proxy.port}`,
    "--data-binary",
    "through the tunnel",
    `http://127.0.0.1:${origin.addr.port}/t`,
  ]);
  assertEquals(code, 0, err);
  const seen = JSON.parse(out);
  assertEquals([seen.body, seen.via], ["through the tunnel", null]); // opaque: no Via inside
  assertEquals(proxy.stats.get("tunnels"), 1);
});

Deno.test("proxy refuses CONNECT to a port outside --connect-ports with 403", async () => {
  await using origin = startEchoOrigin();
  await using proxy = await startTestProxy(origin.addr.port, {
    connectPorts: [443],
  });
  const { responses } = await exchange(
    proxy.addr,
    `CONNECT 127.0.0.1:${origin.addr.port} HTTP/1.1\r\nHost: 127.0.0.1:${origin.addr.port}\r\n\r\n`,
    { responses: 1 },
  );
  assertEquals(responses[0]!.status, 403);
  assertStringIncludes(responses[0]!.bodyText, "not allowed");
});

Deno.test("proxy answers 502 to CONNECT when the target refuses", async () => {
  const gone = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = gone.addr.port;
  gone.close();
  await using proxy = await startTestProxy(port);
  const { responses } = await exchange(
    proxy.addr,
    `CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`,
    { responses: 1 },
  );
  assertEquals(responses[0]!.status, 502);
});

Deno.test("proxy reverse-proxies for curl with keep-alive across two URLs on one connection", async () => {
  await using origin = startEchoOrigin();
  await using proxy = await startTestProxy(origin.addr.port);
  const base = `http://127.0.0.1:${proxy.port}`;
  const { code, out } = await curl([`${base}/a`, `${base}/b`]);
  assertEquals(code, 0);
  const [a, b] = out.split("}{").map((s, i) =>
    JSON.parse(i === 0 ? `${s}}` : `{${s}`)
  );
  assertEquals([a.path, b.path, a.host], [
    "/a",
    "/b",
    `127.0.0.1:${proxy.port}`,
  ]);
  assertEquals(proxy.stats.get("downstream.connection"), 1);
  assertEquals(proxy.stats.get("upstream.connects"), 1);
});
