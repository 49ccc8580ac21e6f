/**
 * End-to-end tests of the proxy's upstream connections against a real
 * Node.js origin (`http.createServer`, started by the test; skipped with a
 * visible reason when node is not installed): the keep-alive race for
 * every method, the origin's Keep-Alive hint, an origin restart, an idle
 * connection reset, a POST never sent twice, and the connection cap. The
 * proxy runs in-process so its counters can be read; the origin's own
 * record of what it received is the other oracle. Waits are bounded.
 */

import assert from "../helpers/assert.ts";
import { waitUntil } from "../helpers/cache_proxy.ts";
import { startTestProxy, type TestProxy } from "../helpers/proxy.ts";
import { NodeOrigin, nodeTest } from "./node_origin.ts";

/** Long enough for a loaded machine; only a bound, never an oracle. */
const WAIT_MS = 10_000;
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
const HAS_BODY = new Set(["POST", "PUT", "PATCH", "DELETE"]);

interface Answer {
  status: number;
  text: string;
}

async function send(
  client: Deno.HttpClient,
  proxy: TestProxy,
  method: string,
  path: string,
  body?: string,
): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${proxy.port}${path}`, {
    method,
    body,
    client,
  });
  return { status: res.status, text: await res.text() };
}

/** What the origin answers: "METHOD URL BODY-LENGTH\n" (nothing for HEAD). */
function echo(method: string, path: string, body = ""): Answer {
  return {
    status: 200,
    text: method === "HEAD" ? "" : `${method} ${path} ${body.length}\n`,
  };
}

function bodyFor(method: string, i: number): string | undefined {
  return HAS_BODY.has(method) ? `${method.toLowerCase()}-body-${i}` : undefined;
}

function seen(origin: NodeOrigin): string[] {
  return origin.requests.map((r) => `${r.method} ${r.url} ${r.body}`);
}

nodeTest(
  "proxy sends every method on a fresh connection after a Node.js origin silently closed the idle one: each succeeds, each arrives once",
  async () => {
    await using origin = await NodeOrigin.start({
      keepAliveTimeoutMs: 0,
      silentIdleCloseMs: 300,
    });
    await using proxy = await startTestProxy(origin.port);
    using client = Deno.createHttpClient({});
    const expected: string[] = [];
    for (const [i, method] of METHODS.entries()) {
      const body = bodyFor(method, i);
      const path = `/m${i}`;
      assert.deepEqual(
        await send(client, proxy, method, path, body),
        echo(method, path, body),
      );
      expected.push(`${method} ${path} ${body ?? ""}`);
      await waitUntil(
        () => proxy.stats.get("upstream.idle_closed_eof") === i + 1,
        `the origin's idle close after ${method}`,
        WAIT_MS,
      );
    }
    assert.deepEqual(seen(origin), expected);
    assert.equal(origin.connections, METHODS.length);
    assert.equal(proxy.stats.get("upstream.reuses"), 0);
    assert.equal(proxy.stats.get("errors.closed"), 0);
  },
);

nodeTest(
  "proxy does not pool a Node.js connection whose Keep-Alive timeout (1 s) leaves nothing after the margin: every method succeeds once",
  async () => {
    await using origin = await NodeOrigin.start({ keepAliveTimeoutMs: 1000 });
    await using proxy = await startTestProxy(origin.port);
    using client = Deno.createHttpClient({});
    for (const [i, method] of METHODS.entries()) {
      const body = bodyFor(method, i);
      const answer = await send(client, proxy, method, `/k${i}`, body);
      assert.deepEqual(answer, echo(method, `/k${i}`, body));
      await origin.waitFor(
        (e) => e.event === "client-end",
        "the proxy's close",
        i + 1,
      );
    }
    assert.equal(origin.requests.length, METHODS.length);
    assert.equal(
      proxy.stats.get("upstream.not_pooled_short_keepalive"),
      METHODS.length,
    );
  },
);

nodeTest(
  "proxy closes an idle Node.js connection before the origin's Keep-Alive timeout runs out (timeout=2: after 1 s)",
  async () => {
    await using origin = await NodeOrigin.start({ keepAliveTimeoutMs: 2000 });
    await using proxy = await startTestProxy(origin.port);
    using client = Deno.createHttpClient({});
    assert.equal((await send(client, proxy, "GET", "/a")).status, 200);
    await waitUntil(
      () => proxy.stats.get("upstream.idle_expired") === 1,
      "the proxy's own expiry",
      WAIT_MS,
    );
    await origin.waitFor((e) => e.event === "client-end", "the proxy's close");
    assert.equal(
      proxy.stats.get("upstream.idle_closed_eof"),
      0,
      "node never closed first",
    );
    assert.equal((await send(client, proxy, "POST", "/b", "x")).status, 200);
    assert.equal(origin.connections, 2);
  },
);

nodeTest(
  "proxy recovers from a Node.js origin restart: the dead pooled connections are dropped and every method succeeds once",
  async () => {
    const first = await NodeOrigin.start({ keepAliveTimeoutMs: 0 });
    await using proxy = await startTestProxy(first.port);
    using client = Deno.createHttpClient({});
    try {
      const warm = await Promise.all(
        [0, 1, 2, 3].map((i) => send(client, proxy, "GET", `/warm${i}`)),
      );
      assert.deepEqual(warm.map((a) => a.status), [200, 200, 200, 200]);
    } finally {
      await first.kill();
    }
    const pooled = first.connections;
    await waitUntil(
      () =>
        proxy.stats.get("upstream.idle_closed_eof") +
            proxy.stats.get("upstream.idle_closed_reset") === pooled,
      `${pooled} dead connections dropped`,
      WAIT_MS,
    );
    await using second = await NodeOrigin.start({
      port: first.port,
      keepAliveTimeoutMs: 0,
    });
    const expected: string[] = [];
    for (const [i, method] of METHODS.entries()) {
      const body = bodyFor(method, i);
      const answer = await send(client, proxy, method, `/r${i}`, body);
      assert.deepEqual(answer, echo(method, `/r${i}`, body));
      expected.push(`${method} /r${i} ${body ?? ""}`);
    }
    assert.deepEqual(seen(second), expected);
    assert.equal(proxy.stats.get("errors.closed"), 0);
  },
);

nodeTest(
  "proxy drops an idle connection a Node.js origin resets, counting idle_closed_reset",
  async () => {
    await using origin = await NodeOrigin.start({ keepAliveTimeoutMs: 0 });
    await using proxy = await startTestProxy(origin.port);
    using client = Deno.createHttpClient({});
    assert.equal((await send(client, proxy, "GET", "/a")).status, 200);
    await origin.resetAll();
    await waitUntil(
      () => proxy.stats.get("upstream.idle_closed_reset") === 1,
      "the reset seen",
      WAIT_MS,
    );
    assert.equal((await send(client, proxy, "PATCH", "/b", "p")).status, 200);
    assert.equal(origin.connections, 2);
  },
);

nodeTest(
  "proxy never sends a POST twice: a reused connection lost after sending gives 502, and the origin counts it once",
  async () => {
    await using origin = await NodeOrigin.start();
    await using proxy = await startTestProxy(origin.port);
    using client = Deno.createHttpClient({});
    assert.equal((await send(client, proxy, "GET", "/warm")).status, 200);
    const post = await send(client, proxy, "POST", "/drop", "once");
    assert.equal(post.status, 502);
    assert.match(post.text, /POST is not idempotent, so it is not retried/);
    assert.deepEqual(seen(origin), ["GET /warm ", "POST /drop once"]);

    assert.equal((await send(client, proxy, "GET", "/warm2")).status, 200);
    const put = await send(client, proxy, "PUT", "/drop", "twice");
    assert.equal(put.status, 502, "the retry was lost too");
    assert.deepEqual(
      seen(origin).filter((s) => s.startsWith("PUT")),
      ["PUT /drop twice", "PUT /drop twice"],
      "a PUT is sent again once",
    );
    assert.equal(proxy.stats.get("upstream.retries"), 1);
    assert.equal(proxy.stats.get("upstream.not_retried"), 1);
  },
);

nodeTest(
  "proxy keeps at most --max-upstream-connections open to a Node.js origin; the other requests wait and reuse them",
  async () => {
    await using origin = await NodeOrigin.start();
    await using proxy = await startTestProxy(origin.port, {
      maxUpstreamConnections: 2,
    });
    using client = Deno.createHttpClient({});
    const all = [0, 1, 2, 3, 4].map((i) =>
      send(client, proxy, "GET", `/hold${i}`)
    );
    await origin.waitFor((e) => e.event === "request", "two held requests", 2);
    await waitUntil(
      () => proxy.stats.get("upstream.waits") === 3,
      "three waiting requests",
      WAIT_MS,
    );
    assert.equal(origin.connections, 2);
    await origin.release();
    const answers = await Promise.all(all);
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200]);
    assert.equal(origin.requests.length, 5);
    assert.equal(origin.connections, 2);
    assert.deepEqual(
      [
        proxy.stats.get("upstream.connects"),
        proxy.stats.get("upstream.reuses"),
      ],
      [2, 3],
    );
  },
);
