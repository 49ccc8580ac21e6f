/**
 * Wire tests of the proxy's connection cap at the numbers of issue 8:
 * `--max-connections 1024` with 3,000 idle keep-alive clients, and with
 * 1,000 clients trickling their heads. A new client must be answered
 * without waiting for any timeout: the timeouts are 60 s and the counters
 * say why it got in (idle connections closed to admit it, no admission
 * that waited for a timeout). The latency seen is printed for the record,
 * never asserted.
 */
import assert from "../helpers/assert.ts";
import { Crowd } from "../helpers/crowd.ts";
import { withDeadline } from "../helpers/deadline.ts";
import { RawClient, ScriptedServer } from "../helpers/raw_peer.ts";
import { startTestProxy } from "../helpers/proxy.ts";
import { waitUntil } from "../helpers/cache_proxy.ts";

const GET = (target: string) => `GET ${target} HTTP/1.1\r\nHost: h\r\n\r\n`;
const CAP = 1024;
const LONG = {
  maxConnections: CAP,
  headTimeoutMs: 60_000,
  idleTimeoutMs: 60_000,
};

/** A keep-alive upstream answering "ok" to everything, patient for 60 s. */
function okUpstream(): ScriptedServer {
  return ScriptedServer.start(async (peer) => {
    for (;;) {
      const request = await peer.readRequest();
      if (!request) return;
      await peer.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }
  }, { deadlineMs: 60_000 });
}

/** Connects, asks, reads the answer; returns the status and the time taken. */
async function timedRequest(
  addr: { port: number },
): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  using c = await RawClient.connect(addr);
  await c.write(GET("/new"));
  const res = await withDeadline(c.readResponse(), 10_000, "the new request");
  return { status: res.status, ms: performance.now() - started };
}

Deno.test("proxy with --max-connections 1024 answers a new client at once past 3,000 idle keep-alive clients", async () => {
  await using upstream = okUpstream();
  await using proxy = await startTestProxy(upstream.port, LONG);
  const baseline = await timedRequest(proxy.addr); // alone, for comparison
  await waitUntil(() => proxy.openConnections === 0, "the first client gone");
  using crowd = new Crowd();
  const opening = performance.now();
  await crowd.addIdle(proxy.addr, 3000, (i) => GET(`/idle/${i}`));
  const openedMs = performance.now() - opening;
  const { status, ms } = await timedRequest(proxy.addr);
  assert.equal(status, 200);
  const s = proxy.stats;
  assert.equal(s.get("downstream.idle_closed_to_admit"), 3000 + 1 - CAP);
  assert.equal(s.get("downstream.admissions_waited"), 0);
  assert.equal(s.get("downstream.admissions_waited_for_timeout"), 0);
  assert.equal(s.get("downstream.timeout:idle"), 0);
  assert.equal(s.get("downstream.timeout:head"), 0);
  assert.equal(proxy.openConnections, CAP);
  console.log(
    `  alone: ${baseline.ms.toFixed(1)} ms; 3,000 idle clients opened in ${
      openedMs.toFixed(0)
    } ms; the next client was answered in ${ms.toFixed(1)} ms`,
  );
  crowd[Symbol.dispose]();
});

Deno.test("proxy with --max-connections 1024 answers a new client at once while 1,000 clients trickle their heads", async () => {
  await using upstream = okUpstream();
  await using proxy = await startTestProxy(upstream.port, LONG);
  using crowd = new Crowd();
  await crowd.addIdle(proxy.addr, 100, (i) => GET(`/idle/${i}`));
  const tricklers = await crowd.addTricklers(
    proxy.addr,
    1000,
    (i) => `GET /trickle/${i}`,
  );
  for (const c of tricklers) await c.write("-"); // still trickling
  const { status, ms } = await timedRequest(proxy.addr);
  assert.equal(status, 200);
  const s = proxy.stats;
  assert.equal(s.get("downstream.idle_closed_to_admit"), 100 + 1000 + 1 - CAP);
  assert.equal(s.get("downstream.admissions_waited"), 0);
  assert.equal(s.get("downstream.admissions_waited_for_timeout"), 0);
  assert.equal(s.get("downstream.timeout:head"), 0);
  console.log(
    `  with 1,000 trickling clients the next client was answered in ${
      ms.toFixed(1)
    } ms`,
  );
  const last = tricklers.at(-1)!; // the tricklers were never closed to admit anyone
  await last.write(" HTTP/1.1\r\nHost: h\r\n\r\n");
  assert.equal((await last.readResponse()).status, 200);
  crowd[Symbol.dispose]();
});
