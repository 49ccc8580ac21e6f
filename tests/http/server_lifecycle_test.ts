/**
 * Wire tests of serveHttp()'s connection lifecycle: the slow-head and
 * idle timeouts, the connection limit and graceful shutdown. Closes and
 * counters are the oracles; deadlines only bound the waits.
 */
import assert from "../helpers/assert.ts";
import { FieldList } from "../../http/headers.ts";
import type { BodyReader } from "../../http/types.ts";
import { deferred, withDeadline } from "../helpers/deadline.ts";
import { exchange, RawClient } from "../helpers/raw_peer.ts";
import {
  echoTarget,
  startTestServer,
  textResponse,
} from "../helpers/test_server.ts";

const GET = (target: string) => `GET ${target} HTTP/1.1\r\nHost: t\r\n\r\n`;

/** A body whose second chunk waits for `release`. */
function heldBody(release: Promise<void>): BodyReader & { sent: number } {
  const chunks = ["first|", "second"];
  return {
    length: undefined,
    sent: 0,
    async read() {
      if (this.sent === 1) await release;
      const chunk = chunks[this.sent++];
      return chunk === undefined ? null : new TextEncoder().encode(chunk);
    },
    trailers: () => undefined,
    cancel: () => Promise.resolve(),
  };
}

Deno.test("serveHttp() answers 408 and closes when a head arrives too slowly (RFC 9110 §15.5.9)", async () => {
  await using t = startTestServer(echoTarget, { headTimeoutMs: 300 });
  using c = await RawClient.connect(t.addr);
  await c.write("GET / HTTP/1.1\r\nHo");
  const { text, end } = await c.readUntilClose();
  assert.notEqual(end, "open");
  assert.match(text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.match(text, /\r\nConnection: close\r\n/);
  assert.match(text, /\r\nDate: \w{3}, \d\d \w{3} \d{4} [\d:]{8} GMT\r\n/);
  assert.equal(t.events.get("timeout:head"), 1);
  assert.equal(t.events.get("request"), 0);
  assert.deepEqual(t.errors, []);
});

Deno.test("serveHttp() closes a client that trickles head bytes (RFC 9112 §9.5)", async () => {
  await using t = startTestServer(echoTarget, {
    headTimeoutMs: 300,
    idleTimeoutMs: 10_000,
  });
  using c = await RawClient.connect(t.addr, { deadlineMs: 8000 });
  await c.write("GET / HTTP/1.1\r\nX-Trickle: ");
  const closed = c.readUntilClose();
  let trickled = 0;
  let open = true;
  closed.then(() => (open = false), () => (open = false));
  while (open && trickled < 80) { // bounded: 80 bytes at 50 ms apart
    await new Promise((r) => setTimeout(r, 50));
    if (!open) break;
    await c.write("a").catch(() => (open = false));
    trickled++;
  }
  const { text } = await closed;
  assert.match(text, /^HTTP\/1\.1 408 /);
  assert.equal(t.events.get("timeout:head"), 1);
});

Deno.test("serveHttp() closes a connection that sends nothing within the head timeout", async () => {
  await using t = startTestServer(echoTarget, { headTimeoutMs: 300 });
  using c = await RawClient.connect(t.addr);
  const { text, end } = await c.readUntilClose();
  assert.notEqual(end, "open");
  assert.equal(text, "");
  assert.equal(t.events.get("timeout:idle"), 1);
});

Deno.test("serveHttp() closes an idle keep-alive connection after the idle timeout (RFC 9112 §9.5)", async () => {
  await using t = startTestServer(echoTarget, {
    headTimeoutMs: 10_000,
    idleTimeoutMs: 300,
  });
  using c = await RawClient.connect(t.addr);
  await c.write(GET("/one"));
  const res = await c.readResponse();
  assert.equal(res.bodyText, "GET /one");
  const { text, end } = await c.readUntilClose();
  assert.notEqual(end, "open");
  assert.equal(text, res.raw);
  assert.equal(t.events.get("timeout:idle"), 1);
  assert.equal(t.events.get("timeout:head"), 0);
});

Deno.test("serveHttp() with maxConnections 2 serves a third connection only after one closes", async () => {
  const served: string[] = [];
  let maxOpen = 0;
  await using t = startTestServer((req) => {
    served.push(req.head.target);
    maxOpen = Math.max(maxOpen, t.server.openConnections);
    return Promise.resolve(textResponse(req.head.target));
  }, { maxConnections: 2 });
  using a = await RawClient.connect(t.addr);
  using b = await RawClient.connect(t.addr);
  await a.write(GET("/a"));
  await a.readResponse();
  await b.write(GET("/b"));
  await b.readResponse();
  await t.events.waitFor("connections:full");
  using c = await RawClient.connect(t.addr); // completes in the kernel backlog
  await c.write(GET("/c"));
  await b.write(GET("/b2")); // a full round trip while /c waits
  await b.readResponse();
  assert.deepEqual(served, ["/a", "/b", "/b2"]);
  assert.equal(t.events.get("connection"), 2);
  a.close();
  const res = await c.readResponse();
  assert.equal(res.bodyText, "/c");
  assert.deepEqual(served, ["/a", "/b", "/b2", "/c"]);
  assert.equal(t.events.get("connection"), 3);
  assert.equal(maxOpen, 2);
});

Deno.test("HttpServer.shutdown() lets an in-flight response finish and closes idle connections", async () => {
  const release = deferred();
  const started = deferred();
  const t = startTestServer((req) => {
    if (req.head.target !== "/slow") return echoTarget(req);
    started.resolve();
    return Promise.resolve({
      status: 200,
      headers: new FieldList(),
      body: heldBody(release.promise),
    });
  });
  using idle = await RawClient.connect(t.addr);
  await idle.write(GET("/warm"));
  await idle.readResponse();
  using slow = await RawClient.connect(t.addr);
  await slow.write(GET("/slow"));
  await started.promise;
  await slow.readUntil((text) => text.includes("first|"));
  const stopped = t.server.shutdown(5000);
  const idleEnd = await idle.readUntilClose();
  assert.notEqual(idleEnd.end, "open");
  await assert.rejects(
    Deno.connect({ hostname: "127.0.0.1", port: t.addr.port }),
  );
  release.resolve();
  const [res] = await slow.readResponses(1);
  assert.equal(res!.bodyText, "first|second");
  assert.equal(res!.chunked, true);
  const { end } = await slow.readUntilClose();
  assert.notEqual(end, "open");
  await withDeadline(stopped, 5000, "shutdown");
  assert.equal(t.server.openConnections, 0);
});

Deno.test("HttpServer.shutdown() resolves after the grace period even when a handler never finishes", async () => {
  const stuck = deferred<void>();
  const entered = deferred();
  const t = startTestServer(async () => {
    entered.resolve();
    await stuck.promise;
    return textResponse("late");
  });
  using c = await RawClient.connect(t.addr);
  await c.write(GET("/stuck"));
  await entered.promise;
  await withDeadline(t.server.shutdown(200), 5000, "shutdown past its grace");
  const { end } = await c.readUntilClose();
  assert.notEqual(end, "open");
  stuck.resolve(); // let the abandoned handler end
  await new Promise((r) => setTimeout(r, 0));
});

Deno.test("HttpServer.shutdown() stops a server with no connections at once", async () => {
  const t = startTestServer(echoTarget);
  const { responses } = await exchange(t.addr, GET("/x"), { responses: 1 });
  assert.equal(responses[0]!.status, 200);
  await withDeadline(t.server.shutdown(), 5000, "shutdown");
  await t.server.shutdown(); // twice is harmless
  assert.equal(t.server.openConnections, 0);
});
