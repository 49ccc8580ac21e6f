/**
 * Wire tests of every way the proxy refuses a request or reports a broken
 * upstream: a clear status, a short text body naming the reason, the
 * connection closed where framing is in doubt, the upstream untouched when
 * the request was bad.
 */

import { assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import {
  exchange,
  RawClient,
  respondInOrder,
  ScriptedServer,
} from "../helpers/raw_peer.ts";
import { startTestProxy } from "../helpers/proxy.ts";

const H = "Host: h\r\n";

const BAD_REQUESTS: [string, string, number][] = [
  [
    "Content-Length with Transfer-Encoding",
    `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    400,
  ],
  [
    "differing duplicate Content-Length",
    `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`,
    400,
  ],
  [
    "unknown transfer coding",
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\n`,
    400,
  ],
  ["invalid header name", `GET / HTTP/1.1\r\n${H}Bad Name: x\r\n\r\n`, 400],
  ["space before colon", `GET / HTTP/1.1\r\n${H}X-A : x\r\n\r\n`, 400],
  ["obs-fold", `GET / HTTP/1.1\r\n${H}X-A: x\r\n  folded\r\n\r\n`, 400],
  ["NUL in a value", `GET / HTTP/1.1\r\n${H}X-A: a\x00b\r\n\r\n`, 400],
  ["missing Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", 400],
  ["bad version", `GET / HTTP/1.x\r\n${H}\r\n`, 400],
  ["HTTP/2.0 request line", `GET / HTTP/2.0\r\n${H}\r\n`, 505],
  [
    "oversize request line",
    `GET /${"a".repeat(9000)} HTTP/1.1\r\n${H}\r\n`,
    414,
  ],
  [
    "oversize head",
    `GET / HTTP/1.1\r\n${H}${"X-Big: " + "b".repeat(1000) + "\r\n"}`.repeat(
      70,
    ) + "\r\n",
    431,
  ],
  [
    "too many fields",
    `GET / HTTP/1.1\r\n${H}${"X-F: 1\r\n".repeat(101)}\r\n`,
    431,
  ],
];

for (const [what, request, status] of BAD_REQUESTS) {
  Deno.test(`proxy answers ${status} and closes for a request with ${what}, never contacting the upstream`, async () => {
    await using upstream = ScriptedServer.start(respondInOrder([]));
    await using proxy = await startTestProxy(upstream.port);
    const { responses, end } = await exchange(proxy.addr, request);
    assertEquals(responses.map((r) => r.status), [status]);
    assertEquals(responses[0]!.head.header("connection"), "close");
    assertEquals(responses[0]!.bodyText.startsWith(`${status} `), true);
    assertEquals(end === "close" || end === "reset", true);
    assertEquals(upstream.connections, 0);
  });
}

Deno.test("proxy answers 400 and closes on a bad chunk size in the request body", async () => {
  await using upstream = ScriptedServer.start(async (peer) => {
    await peer.readUntilClose();
  });
  await using proxy = await startTestProxy(upstream.port);
  const { responses, end } = await exchange(
    proxy.addr,
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
  );
  assertEquals(responses.map((r) => r.status), [400]);
  assertEquals(end === "close" || end === "reset", true);
});

Deno.test("proxy answers 502 naming the reason when the upstream refuses connections", async () => {
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = closed.addr.port;
  closed.close();
  await using proxy = await startTestProxy(port);
  const { responses } = await exchange(
    proxy.addr,
    `GET / HTTP/1.1\r\n${H}\r\n`,
    { responses: 1 },
  );
  assertEquals(responses[0]!.status, 502);
  assertStringIncludes(responses[0]!.bodyText, "cannot connect");
  assertEquals(proxy.stats.get("errors.connect-failed"), 1);
});

Deno.test("proxy answers 504 when the upstream does not answer within the response timeout", async () => {
  await using upstream = ScriptedServer.start(async (peer) => {
    await peer.readRequest();
    await peer.readUntilClose(); // never answers
  });
  await using proxy = await startTestProxy(upstream.port, {
    responseTimeoutMs: 200,
  });
  const { responses } = await exchange(
    proxy.addr,
    `GET / HTTP/1.1\r\n${H}\r\n`,
    { responses: 1 },
  );
  assertEquals(responses[0]!.status, 504);
  assertStringIncludes(responses[0]!.bodyText, "timed out");
  assertEquals(proxy.stats.get("errors.response-timeout"), 1);
});

Deno.test("proxy answers 504 when connecting to the upstream takes longer than the connect timeout", async () => {
  // A listener that never accepts: once its accept queue is full the kernel
  // drops further SYNs, so the next connect hangs (Deno's backlog is 511).
  const blackhole = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const fillers: Deno.TcpConn[] = [];
  try {
    for (let i = 0; i < 2048; i++) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), 200);
      try {
        fillers.push(
          await Deno.connect({
            hostname: "127.0.0.1",
            port: blackhole.addr.port,
            signal: abort.signal,
          }),
        );
      } catch {
        break; // the queue is full
      } finally {
        clearTimeout(timer);
      }
    }
    await using proxy = await startTestProxy(blackhole.addr.port, {
      connectTimeoutMs: 300,
    });
    const { responses } = await exchange(
      proxy.addr,
      `GET / HTTP/1.1\r\n${H}\r\n`,
      { responses: 1 },
    );
    assertEquals(responses[0]!.status, 504);
    assertEquals(proxy.stats.get("errors.connect-timeout"), 1);
  } finally {
    for (const c of fillers) c.close();
    blackhole.close();
  }
});

const BAD_RESPONSES: [string, string][] = [
  ["garbage instead of a status line", "SSH-2.0-OpenSSH\r\n\r\n"],
  [
    "both Content-Length and Transfer-Encoding",
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\nok",
  ],
  [
    "differing Content-Length values",
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
  ],
  [
    "an invalid field",
    "HTTP/1.1 200 OK\r\nBad Field: 1\r\nContent-Length: 2\r\n\r\nok",
  ],
  ["a close before any byte", ""],
];

for (const [what, reply] of BAD_RESPONSES) {
  Deno.test(`proxy answers 502 when the upstream sends ${what}`, async () => {
    await using upstream = ScriptedServer.start(async (peer) => {
      await peer.readRequest();
      await peer.write(reply);
    });
    await using proxy = await startTestProxy(upstream.port);
    const { responses } = await exchange(
      proxy.addr,
      `GET / HTTP/1.1\r\n${H}\r\n`,
      { responses: 1 },
    );
    assertEquals(responses[0]!.status, 502);
    assertEquals(
      responses[0]!.head.header("content-type"),
      "text/plain; charset=utf-8",
    );
  });
}

Deno.test("proxy refuses absolute-form requests with 403 under --no-forward", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([]));
  await using proxy = await startTestProxy(upstream.port, { forward: false });
  const { responses } = await exchange(
    proxy.addr,
    `GET http://127.0.0.1:${upstream.port}/ HTTP/1.1\r\n${H}\r\n`,
    { responses: 1 },
  );
  assertEquals(responses[0]!.status, 403);
  assertEquals(upstream.connections, 0);
});

Deno.test("proxy refuses with 508 a forward request that would loop back to itself", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([]));
  await using proxy = await startTestProxy(upstream.port);
  const { responses } = await exchange(
    proxy.addr,
    `GET http://127.0.0.1:${proxy.port}/ HTTP/1.1\r\n${H}\r\n`,
    { responses: 1 },
  );
  assertEquals(responses[0]!.status, 508);
  assertEquals(proxy.openConnections <= 1, true);
});

Deno.test("proxy answers TRACE with Max-Forwards: 0 itself (RFC 9110 §7.6.2)", async () => {
  await using upstream = ScriptedServer.start(respondInOrder([]));
  await using proxy = await startTestProxy(upstream.port);
  const { responses } = await exchange(
    proxy.addr,
    `TRACE /t HTTP/1.1\r\n${H}Max-Forwards: 0\r\n\r\n`,
    { responses: 1 },
  );
  assertEquals(responses[0]!.status, 200);
  assertEquals(responses[0]!.head.header("content-type"), "message/http");
  assertEquals(
    responses[0]!.bodyText,
    `TRACE /t HTTP/1.1\r\n${H}Max-Forwards: 0\r\n\r\n`,
  );
  assertEquals(upstream.connections, 0);
});

Deno.test("proxy keeps serving after a client disconnects mid-response, and does not reuse that upstream connection", async () => {
  const big = "x".repeat(512 * 1024);
  await using upstream = ScriptedServer.start(async (peer) => {
    for (;;) {
      const req = await peer.readRequest();
      if (!req) return;
      const body = req.head.startLine.includes("/big") ? big : "ok";
      await peer.write(
        `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
    }
  });
  await using proxy = await startTestProxy(upstream.port);
  const quitter = await RawClient.connect(proxy.addr);
  await quitter.write(`GET /big HTTP/1.1\r\n${H}\r\n`);
  await quitter.readUntil((t) => t.length > 1000);
  quitter.close();
  const { responses } = await exchange(
    proxy.addr,
    `GET /small HTTP/1.1\r\n${H}\r\n`,
    { responses: 1 },
  );
  assertEquals(responses[0]!.bodyText, "ok");
  assertEquals(upstream.connections, 2);
});
