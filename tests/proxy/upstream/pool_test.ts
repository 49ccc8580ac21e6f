/**
 * Tests of the upstream pool with real sockets on 127.0.0.1 (the test
 * holds the upstream's side of each connection): idle connections
 * watched (end, bytes, expiry; a reset needs a peer that can send one:
 * tests/e2e/node_origin_test.ts), the Keep-Alive hint, the read kept
 * pending while idle handed over to the next response, and the cap on
 * connections per upstream. Counters are the oracle; waits are bounded.
 */

import assert from "../../helpers/assert.ts";
import { waitUntil } from "../../helpers/cache_proxy.ts";
import { text } from "../../helpers/wire_text.ts";
import { DEFAULT_HEAD_LIMITS } from "../../../http/head.ts";
import { UpstreamError } from "../../../proxy/upstream/errors.ts";
import { Stats } from "../../../proxy/stats.ts";
import {
  type PoolOptions,
  UpstreamPool,
} from "../../../proxy/upstream/pool.ts";

const HOST = "127.0.0.1";

/** A pool, a listener standing in for the upstream, and the accepted sockets. */
class Lab implements AsyncDisposable {
  readonly stats = new Stats();
  readonly pool: UpstreamPool;
  readonly listener = Deno.listen({ hostname: HOST, port: 0 });
  readonly accepted: Deno.Conn[] = [];

  constructor(options: Partial<PoolOptions> = {}) {
    this.pool = new UpstreamPool({
      connectTimeoutMs: 2000,
      responseTimeoutMs: 2000,
      idleTimeoutMs: 10_000,
      maxPerHost: 8,
      stats: this.stats,
      ...options,
    });
  }

  get port(): number {
    return this.listener.addr.port;
  }

  /** The upstream side of the next connection. */
  async accept(): Promise<Deno.Conn> {
    const conn = await this.listener.accept();
    this.accepted.push(conn);
    return conn;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.pool.close();
    this.listener.close();
    for (const conn of this.accepted) {
      try {
        conn.close();
      } catch {
        // closed by the test
      }
    }
  }
}

async function write(conn: Deno.Conn, data: string): Promise<void> {
  await conn.write(new TextEncoder().encode(data));
}

Deno.test("UpstreamPool drops an idle connection the upstream closes, counting idle_closed_eof", async () => {
  await using lab = new Lab();
  const c = await lab.pool.acquire(HOST, lab.port);
  const upstream = await lab.accept();
  lab.pool.release(c);
  assert.equal(lab.pool.idleCount, 1);
  upstream.close();
  await waitUntil(() => lab.stats.get("upstream.idle_closed_eof") === 1, "eof");
  assert.equal(lab.pool.idleCount, 0);
  assert.equal(c.closed, true);
  assert.equal(lab.pool.openCount(HOST, lab.port), 0);
  const next = await lab.pool.acquire(HOST, lab.port);
  assert.notEqual(next, c);
  await lab.accept();
  assert.equal(lab.stats.get("upstream.connects"), 2);
  assert.equal(lab.stats.get("upstream.reuses"), 0);
});

Deno.test("UpstreamPool drops an idle connection that receives any byte, counting idle_closed_bytes", async () => {
  await using lab = new Lab();
  const c = await lab.pool.acquire(HOST, lab.port);
  const upstream = await lab.accept();
  lab.pool.release(c);
  await write(upstream, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nbad!!!");
  await waitUntil(
    () => lab.stats.get("upstream.idle_closed_bytes") === 1,
    "bytes",
  );
  assert.equal(lab.pool.idleCount, 0);
  assert.equal(c.closed, true);
});

Deno.test("UpstreamPool closes an idle connection after its idle limit, counting idle_expired", async () => {
  await using lab = new Lab({ idleTimeoutMs: 30 });
  const c = await lab.pool.acquire(HOST, lab.port);
  await lab.accept();
  lab.pool.release(c);
  await waitUntil(() => lab.stats.get("upstream.idle_expired") === 1, "expiry");
  assert.equal(lab.pool.idleCount, 0);
  assert.equal(c.closed, true);
});

Deno.test("UpstreamPool keeps a connection the upstream's Keep-Alive timeout less 1 s, and not at all when that leaves nothing", async () => {
  await using lab = new Lab({ idleTimeoutMs: 60_000 });
  const c = await lab.pool.acquire(HOST, lab.port);
  await lab.accept();
  const before = Date.now();
  lab.pool.release(c, { timeoutSeconds: 3 });
  const after = Date.now();
  assert.ok(c.idleUntil >= before + 2000 && c.idleUntil <= after + 2000);
  const again = await lab.pool.acquire(HOST, lab.port);
  assert.equal(again, c);
  lab.pool.release(again, { timeoutSeconds: 1 });
  assert.equal(c.closed, true);
  assert.equal(lab.stats.get("upstream.not_pooled_short_keepalive"), 1);
  const third = await lab.pool.acquire(HOST, lab.port);
  await lab.accept();
  lab.pool.release(third, { timeoutSeconds: 120 });
  assert.ok(third.idleUntil <= Date.now() + 60_000, "our own limit is shorter");
});

Deno.test("UpstreamPool closes a connection that carried the upstream's Keep-Alive max of requests", async () => {
  await using lab = new Lab();
  const c = await lab.pool.acquire(HOST, lab.port);
  await lab.accept();
  c.beginExchange(1000);
  lab.pool.release(c, { max: 2 });
  assert.equal(lab.pool.idleCount, 1, "one of two requests used");
  const again = await lab.pool.acquire(HOST, lab.port);
  again.beginExchange(1000);
  lab.pool.release(again, { max: 2 });
  assert.equal(c.closed, true);
  assert.equal(lab.stats.get("upstream.not_pooled_max_requests"), 1);
});

Deno.test("UpstreamPool never keeps a connection with bytes buffered past the response", async () => {
  await using lab = new Lab();
  const c = await lab.pool.acquire(HOST, lab.port);
  const upstream = await lab.accept();
  await write(upstream, "okEXTRA");
  assert.equal(text((await c.reader.readChunk(2, 100))!), "ok");
  assert.equal(c.reader.buffered, 5);
  lab.pool.release(c);
  assert.equal(c.closed, true);
  assert.equal(lab.pool.idleCount, 0);
  assert.equal(lab.stats.get("upstream.not_pooled_extra_bytes"), 1);
});

Deno.test("UpstreamPool hands the read kept pending while idle to the next response when the connection is taken first", async () => {
  await using lab = new Lab();
  const c = await lab.pool.acquire(HOST, lab.port);
  const upstream = await lab.accept();
  lab.pool.release(c);
  const again = await lab.pool.acquire(HOST, lab.port);
  assert.equal(again, c);
  assert.equal(c.reused, true);
  c.beginExchange(2000);
  const head = c.reader.readHead(DEFAULT_HEAD_LIMITS);
  await write(upstream, "HTTP/1.1 204 No Content\r\n\r\n");
  assert.equal(await head, "HTTP/1.1 204 No Content\r\n\r\n");
  assert.equal(c.received, 27);
  assert.equal(c.watchFired, true, "the watch saw the bytes");
  assert.equal(lab.stats.get("upstream.idle_closed_bytes"), 0, "not idle then");
  assert.equal(c.closed, false);
  lab.pool.release(c);
  assert.equal(lab.pool.idleCount, 1, "pooled again, watched again");
  assert.equal(c.watchFired, false);
});

Deno.test("UpstreamPool makes requests beyond the cap wait: a released connection goes to the first, a closed one frees a slot", async () => {
  await using lab = new Lab({ maxPerHost: 1 });
  const first = await lab.pool.acquire(HOST, lab.port);
  await lab.accept();
  const second = lab.pool.acquire(HOST, lab.port);
  const third = lab.pool.acquire(HOST, lab.port);
  assert.equal(lab.stats.get("upstream.waits"), 2);
  lab.pool.release(first);
  assert.equal(await second, first, "handed over, not pooled");
  assert.equal(lab.pool.idleCount, 0);
  lab.pool.discard(first);
  const fresh = await third;
  await lab.accept();
  assert.notEqual(fresh, first);
  assert.equal(lab.pool.openCount(HOST, lab.port), 1);
  assert.deepEqual(
    [lab.stats.get("upstream.connects"), lab.stats.get("upstream.reuses")],
    [2, 1],
  );
});

Deno.test("UpstreamPool fails a wait for a connection after the connect timeout: wait-timeout, counted", async () => {
  await using lab = new Lab({ maxPerHost: 1, connectTimeoutMs: 50 });
  const only = await lab.pool.acquire(HOST, lab.port);
  await lab.accept();
  await assert.rejects(
    lab.pool.acquire(HOST, lab.port),
    (e) =>
      e instanceof UpstreamError && e.failure === "wait-timeout" &&
      /no connection to 127\.0\.0\.1:\d+ became free within 50 ms \(1 open, --max-upstream-connections 1\)/
        .test(e.message),
  );
  assert.equal(lab.stats.get("upstream.wait_timeouts"), 1);
  lab.pool.release(only);
  assert.equal(
    lab.pool.idleCount,
    1,
    "the timed-out request is not waiting any more",
  );
});

Deno.test("UpstreamPool.reconnect() replaces a connection in its own slot, ahead of waiting requests", async () => {
  await using lab = new Lab({ maxPerHost: 1 });
  const lost = await lab.pool.acquire(HOST, lab.port);
  await lab.accept();
  const waiting = lab.pool.acquire(HOST, lab.port);
  const fresh = await lab.pool.reconnect(lost);
  await lab.accept();
  assert.equal(lost.closed, true);
  assert.equal(fresh.reused, false);
  assert.equal(lab.pool.openCount(HOST, lab.port), 1);
  lab.pool.release(fresh);
  assert.equal(await waiting, fresh);
});

Deno.test("UpstreamPool.close() closes idle connections and fails waiting requests", async () => {
  const lab = new Lab({ maxPerHost: 1 });
  try {
    const c = await lab.pool.acquire(HOST, lab.port);
    await lab.accept();
    const waiting = lab.pool.acquire(HOST, lab.port);
    await lab.pool.close();
    await assert.rejects(waiting, UpstreamError);
    assert.equal(c.closed, true);
    assert.equal(lab.pool.openCount(HOST, lab.port), 0);
  } finally {
    await lab[Symbol.asyncDispose]();
  }
});
