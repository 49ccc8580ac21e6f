/**
 * Found by the review of issue 12: what a running `cachelab proxy` (main.ts through
 * admin/launch.ts) serves on its admin listener, as a new user reaches it
 * from the README: /metrics, /api/events and /api/entry's explanation.
 * Real processes, port 0, a temp cache folder; every wait bounded.
 */

import assert from "../helpers/assert.ts";
import { LineProcess } from "../helpers/cli_process.ts";
import { ScriptedServer } from "../helpers/raw_peer.ts";
import { withDeadline } from "../helpers/deadline.ts";

const LISTENING = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/;
const ADMIN = /^admin on (http:\/\/127\.0\.0\.1:(\d+))$/;
const CACHEABLE =
  "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 2\r\n\r\nok";

/** A keep-alive upstream answering every request with a cacheable 200. */
function upstream(): ScriptedServer {
  return ScriptedServer.start(async (peer) => {
    for (;;) {
      const request = await peer.readRequest();
      if (!request) return;
      await peer.write(CACHEABLE);
    }
  });
}

/** Runs `body` with a proxy in front of a cacheable upstream, on a temp folder. */
async function withProxy(
  body: (proxyPort: number, admin: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-r12-" });
  try {
    await using origin = upstream();
    await using proxy = await LineProcess.cachelab([
      "proxy",
      "0",
      String(origin.port),
      "--cache-dir",
      dir,
      "--quiet",
    ]);
    const port = Number(LISTENING.exec((await proxy.nextLine()) ?? "")?.[1]);
    const admin = ADMIN.exec((await proxy.nextLine()) ?? "")?.[1];
    assert.ok(port > 0 && admin, "the proxy printed both addresses");
    await body(port, admin!);
    proxy.signal("SIGTERM");
    await proxy.finish();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("startProxyWithAdmin() serves GET /metrics counting a miss and a hit a client made", async () => {
  await withProxy(async (port, admin) => {
    for (let i = 0; i < 2; i++) {
      await (await fetch(`http://127.0.0.1:${port}/a.txt`)).text();
    }
    const res = await fetch(`${admin}/metrics`);
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.match(text, /^cachelab_requests_total\{result="MISS"\} 1$/m);
    assert.match(text, /^cachelab_requests_total\{result="HIT"\} 1$/m);
    assert.match(text, /^cachelab_cache_entries 1$/m);
  });
});

Deno.test("startProxyWithAdmin() streams GET /api/events: a request through the proxy arrives as a request event", async () => {
  await withProxy(async (port, admin) => {
    const res = await fetch(`${admin}/api/events`);
    assert.equal(res.status, 200, "GET /api/events answers 200");
    assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
    const reader = res.body!.getReader();
    await (await fetch(`http://127.0.0.1:${port}/b.txt`)).text();
    const decoder = new TextDecoder();
    let seen = "";
    try {
      await withDeadline(
        (async () => {
          while (!/event: request\n/.test(seen)) {
            const { value, done } = await reader.read();
            if (done) break;
            seen += decoder.decode(value);
          }
        })(),
        10_000,
        "reading /api/events",
      );
    } finally {
      await reader.cancel();
    }
    assert.match(seen, /event: request\ndata: \{[^\n]*"url":"\/b.txt"/);
  });
});

Deno.test("startProxyWithAdmin() gives each variant of GET /api/entry its explanation", async () => {
  await withProxy(async (port, admin) => {
    await (await fetch(`http://127.0.0.1:${port}/c.txt`)).text();
    const url = `http://127.0.0.1:${port}/c.txt`;
    const res = await fetch(
      `${admin}/api/entry?url=${encodeURIComponent(url)}`,
    );
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.variants.length, 1);
    assert.ok(
      body.variants[0].explanation !== undefined,
      `a variant carries an explanation: ${JSON.stringify(body.variants[0])}`,
    );
  });
});
