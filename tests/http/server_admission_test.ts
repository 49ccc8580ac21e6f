/**
 * Wire tests of serveHttp()'s admission at the connection limit: idle
 * keep-alive connections are closed (oldest first) to admit new ones, and
 * connections inside a head are never closed for that. The timeouts are
 * long (60 s) so no timeout can be what admitted a connection; counters
 * are the oracle, deadlines only bound the waits. The full numbers of
 * issue 8 (3,000 idle, 1,000 trickling, limit 1024) run against the proxy
 * in tests/proxy/connection_cap_wire_test.ts.
 */
import assert from "../helpers/assert.ts";
import { Crowd } from "../helpers/crowd.ts";
import { withDeadline } from "../helpers/deadline.ts";
import { RawClient } from "../helpers/raw_peer.ts";
import { echoTarget, startTestServer } from "../helpers/test_server.ts";

const GET = (target: string) => `GET ${target} HTTP/1.1\r\nHost: t\r\n\r\n`;
const LONG = { headTimeoutMs: 60_000, idleTimeoutMs: 60_000 };

Deno.test("serveHttp() with maxConnections 100 admits a request past 300 idle keep-alive connections without waiting for a timeout", async () => {
  await using t = startTestServer(echoTarget, {
    maxConnections: 100,
    ...LONG,
  });
  using crowd = new Crowd();
  await crowd.addIdle(t.addr, 300, (i) => GET(`/idle/${i}`));
  using c = await RawClient.connect(t.addr);
  await c.write(GET("/new"));
  const res = await withDeadline(c.readResponse(), 10_000, "the new request");
  assert.equal(res.bodyText, "GET /new");
  assert.equal(t.events.get("idle_closed_to_admit"), 300 + 1 - 100);
  assert.equal(t.events.get("admissions_waited"), 0);
  assert.equal(t.events.get("admissions_waited_for_timeout"), 0);
  assert.equal(t.events.get("timeout:idle") + t.events.get("timeout:head"), 0);
  assert.equal(t.server.openConnections, 100);
  const newest = crowd.clients.at(-1)!; // still served: only older ones were closed
  await newest.write(GET("/again"));
  assert.equal((await newest.readResponse()).bodyText, "GET /again");
});

Deno.test("serveHttp() with maxConnections 100 admits a request while 80 connections trickle their heads, closing only idle ones", async () => {
  await using t = startTestServer(echoTarget, {
    maxConnections: 100,
    ...LONG,
  });
  using crowd = new Crowd();
  await crowd.addIdle(t.addr, 30, (i) => GET(`/idle/${i}`));
  const tricklers = await crowd.addTricklers(
    t.addr,
    80,
    (i) => `GET /trickle/${i}`,
  );
  for (const c of tricklers) await c.write("x"); // still trickling
  using c = await RawClient.connect(t.addr);
  await c.write(GET("/new"));
  const res = await withDeadline(c.readResponse(), 10_000, "the new request");
  assert.equal(res.bodyText, "GET /new");
  assert.equal(t.events.get("idle_closed_to_admit"), 30 + 80 + 1 - 100);
  assert.equal(t.events.get("admissions_waited"), 0);
  assert.equal(t.events.get("admissions_waited_for_timeout"), 0);
  for (const [i, trickler] of tricklers.entries()) { // none was closed
    await trickler.write(" HTTP/1.1\r\nHost: t\r\n\r\n");
    assert.equal(
      (await trickler.readResponse()).bodyText,
      `GET /trickle/${i}x`,
    );
  }
});
