/**
 * Wire tests of serveHttp()'s connection lifecycle: the slow-head and
 * idle timeouts, admission at the connection limit and graceful shutdown. Closes and
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

Deno.test("serveHttp() with maxConnections 2 closes the longest-idle keep-alive connection to admit a third", async () => {
  await using t = startTestServer(echoTarget, { maxConnections: 2 });
  using a = await RawClient.connect(t.addr);
  using b = await RawClient.connect(t.addr);
  await a.write(GET("/a"));
  await a.readResponse();
  await b.write(GET("/b"));
  await b.readResponse();
  using c = await RawClient.connect(t.addr);
  await c.write(GET("/c"));
  assert.equal((await c.readResponse()).bodyText, "GET /c");
  const { end } = await a.readUntilClose(); // a was idle longest
  assert.notEqual(end, "open");
  await b.write(GET("/b2")); // b was left alone
  assert.equal((await b.readResponse()).bodyText, "GET /b2");
  assert.equal(t.events.get("idle_closed_to_admit"), 1);
  assert.equal(t.events.get("connections:full"), 0);
  assert.equal(t.events.get("admissions_waited"), 0);
  assert.equal(t.server.openConnections, 2);
});

Deno.test("serveHttp() with maxConnections 2 holds a third connection while both are in a request, and admits it when one turns idle", async () => {
  const release = deferred();
  const served: string[] = [];
  await using t = startTestServer(async (req) => {
    served.push(req.head.target);
    if (req.head.target !== "/c") await release.promise;
    return textResponse(req.head.target);
  }, { maxConnections: 2 });
  using a = await RawClient.connect(t.addr);
  using b = await RawClient.connect(t.addr);
  await a.write(GET("/a"));
  await b.write(GET("/b"));
  await t.events.waitFor("request", 2);
  using c = await RawClient.connect(t.addr);
  await c.write(GET("/c"));
  await t.events.waitFor("connections:full");
  assert.deepEqual(served.toSorted(), ["/a", "/b"]);
  release.resolve();
  assert.equal((await c.readResponse()).bodyText, "/c");
  assert.equal((await a.readResponse()).bodyText, "/a");
  assert.equal((await b.readResponse()).bodyText, "/b");
  assert.equal(t.events.get("admissions_waited"), 1);
  assert.equal(t.events.get("admissions_waited_for_timeout"), 0);
  assert.equal(t.events.get("idle_closed_to_admit"), 1);
  assert.equal(t.server.openConnections, 2);
});

Deno.test("serveHttp() never closes a connection inside a head to admit another: the newcomer waits for the head timeout", async () => {
  await using t = startTestServer(echoTarget, {
    maxConnections: 1,
    headTimeoutMs: 300,
    idleTimeoutMs: 10_000,
  });
  using slow = await RawClient.connect(t.addr);
  await slow.write("GET /slow HT");
  using c = await RawClient.connect(t.addr);
  await c.write(GET("/c"));
  const timedOut = await slow.readUntilClose();
  assert.match(timedOut.text, /^HTTP\/1\.1 408 /);
  // The 408 connection, now lingering, was closed to admit c (or ended).
  assert.equal((await c.readResponse()).bodyText, "GET /c");
  assert.equal(t.events.get("idle_closed_to_admit"), 0);
  assert.equal(t.events.get("admissions_waited"), 1);
  assert.equal(t.events.get("admissions_waited_for_timeout"), 1);
});

Deno.test("serveHttp() never closes a fresh connection that sent nothing to admit another: it is bounded by the head timeout", async () => {
  await using t = startTestServer(echoTarget, {
    maxConnections: 1,
    headTimeoutMs: 300,
    idleTimeoutMs: 10_000,
  });
  using quiet = await RawClient.connect(t.addr);
  await t.events.waitFor("connection");
  using c = await RawClient.connect(t.addr);
  await c.write(GET("/c"));
  assert.equal((await c.readResponse()).bodyText, "GET /c");
  const { text } = await quiet.readUntilClose();
  assert.equal(text, "");
  assert.equal(t.events.get("timeout:idle"), 1);
  assert.equal(t.events.get("admissions_waited_for_timeout"), 1);
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
