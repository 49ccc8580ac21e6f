/**
 * Unit tests of serveConnection() over an in-memory connection, for the
 * cases a real socket cannot script from Deno: a peer reset in the middle
 * of a request body, and the hand-over of buffered bytes to an upgrade.
 */
import assert from "../helpers/assert.ts";
import { readAll } from "../../http/body.ts";
import {
  type ConnectionContext,
  ConnectionState,
  type Handler,
  serveConnection,
} from "../../http/connection.ts";
import { DEFAULT_HEAD_LIMITS } from "../../http/head.ts";
import { EventCounter } from "../helpers/deadline.ts";
import { textResponse } from "../helpers/test_server.ts";
import { bytes, join, text } from "../helpers/wire_text.ts";

/** A connection whose reads follow a script: bytes, then an error or EOF. */
class FakeConn {
  readonly written: Uint8Array[] = [];
  closed = 0;
  readonly remoteAddr = { transport: "tcp", hostname: "10.0.0.9", port: 1 };
  #reads: (string | Error)[];

  constructor(reads: (string | Error)[]) {
    this.#reads = reads;
  }

  read(p: Uint8Array): Promise<number | null> {
    const next = this.#reads.shift();
    if (next === undefined) return Promise.resolve(null);
    if (next instanceof Error) return Promise.reject(next);
    p.set(bytes(next));
    return Promise.resolve(next.length);
  }

  write(p: Uint8Array): Promise<number> {
    this.written.push(p.slice());
    return Promise.resolve(p.length);
  }

  close(): void {
    this.closed++;
  }

  get text(): string {
    return text(join(this.written));
  }
}

function context(handler: Handler) {
  const events = new EventCounter();
  const errors: unknown[] = [];
  const ctx: ConnectionContext = {
    handler,
    limits: DEFAULT_HEAD_LIMITS,
    headTimeoutMs: 10_000,
    idleTimeoutMs: 10_000,
    stopping: () => false,
    log: () => {},
    count: events.add,
    reportError: (e) => errors.push(e),
  };
  return { ctx, events, errors };
}

async function serve(conn: FakeConn, ctx: ConnectionContext): Promise<void> {
  await serveConnection(
    conn as unknown as Deno.Conn,
    new ConnectionState(),
    ctx,
  );
}

Deno.test("serveConnection() reports no internal error when the peer resets during the request body", async () => {
  let failure: unknown;
  const { ctx, errors } = context(async (req) => {
    try {
      await readAll(req.body);
    } catch (e) {
      failure = e;
      throw e;
    }
    return textResponse("read");
  });
  const conn = new FakeConn([
    "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc",
    new Deno.errors.ConnectionReset("reset by peer"),
  ]);
  await serve(conn, ctx);
  assert.ok(failure instanceof Deno.errors.ConnectionReset);
  assert.deepEqual(errors, []);
  assert.equal(conn.closed >= 1, true);
});

Deno.test("serveConnection() reports a handler's own error and answers 500", async () => {
  const { ctx, errors } = context(() => Promise.reject(new TypeError("bug")));
  const conn = new FakeConn(["GET / HTTP/1.1\r\nHost: t\r\n\r\n"]);
  await serve(conn, ctx);
  assert.equal(errors.length, 1);
  assert.match(conn.text, /^HTTP\/1\.1 500 Internal Server Error\r\n/);
  assert.equal(conn.closed >= 1, true);
});

Deno.test("serveConnection() hands the bytes after the head to an upgrade and stops serving", async () => {
  let handed = "";
  let upgradedConn: unknown;
  const { ctx, events } = context(() =>
    Promise.resolve({
      status: 200,
      reason: "Connection Established",
      headers: textResponse("").headers,
      upgrade: (conn, buffered) => {
        upgradedConn = conn;
        handed = text(buffered);
        return Promise.resolve();
      },
    })
  );
  const conn = new FakeConn([
    "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n\x16\x03\x01hello",
    "GET /not-http HTTP/1.1\r\nHost: t\r\n\r\n",
  ]);
  await serve(conn, ctx);
  assert.equal(upgradedConn, conn);
  assert.equal(handed, "\x16\x03\x01hello");
  assert.match(conn.text, /^HTTP\/1\.1 200 Connection Established\r\n/);
  assert.doesNotMatch(conn.text, /Content-Length/);
  assert.equal(events.get("request"), 1);
});

Deno.test("serveConnection() logs the peer address from the connection", async () => {
  const lines: string[] = [];
  const { ctx } = context(() => Promise.resolve(textResponse("hi")));
  ctx.log = (e) => lines.push(`${e.remoteAddr} ${e.requestLine} ${e.status}`);
  await serve(
    new FakeConn(["GET /x HTTP/1.0\r\n\r\n"]),
    ctx,
  );
  assert.deepEqual(lines, ["10.0.0.9 GET /x HTTP/1.0 200"]);
});

// deno-fmt-ignore
const NEVER_FINAL: [what: string, request: string, status: number, upgrade: boolean][] = [
  ["101 without an upgrade", "GET / HTTP/1.1\r\nHost: t\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n", 101, false],
  ["101 to a request that asked for no upgrade", "GET / HTTP/1.1\r\nHost: t\r\n\r\n", 101, true],
  ["101 to an HTTP/1.0 request with Upgrade", "GET / HTTP/1.0\r\nUpgrade: x\r\n\r\n", 101, true],
  ["103 as the final response", "GET / HTTP/1.1\r\nHost: t\r\n\r\n", 103, false],
];

for (const [what, request, status, upgrade] of NEVER_FINAL) {
  Deno.test(`serveConnection() answers 500 and reports a handler's ${what}, never sending it (RFC 9110 §15.2)`, async () => {
    let upgraded = false;
    const { ctx, errors } = context(() =>
      Promise.resolve({
        status,
        headers: textResponse("").headers,
        upgrade: upgrade
          ? () => Promise.resolve(void (upgraded = true))
          : undefined,
      })
    );
    const conn = new FakeConn([request]);
    await serve(conn, ctx);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /Cannot send/);
    assert.match(conn.text, /^HTTP\/1\.1 500 Internal Server Error\r\n/);
    assert.doesNotMatch(conn.text, /HTTP\/1\.1 1\d\d/);
    assert.equal(upgraded, false);
  });
}

Deno.test("serveConnection() sends a 101 that hands the connection to its upgrade when the request asked to upgrade (RFC 9110 §15.2.2)", async () => {
  let handed = "";
  const { ctx, errors } = context(() =>
    Promise.resolve({
      status: 101,
      headers: textResponse("").headers,
      upgrade: (_conn, buffered) =>
        Promise.resolve(void (handed = text(buffered))),
    })
  );
  const conn = new FakeConn([
    "GET / HTTP/1.1\r\nHost: t\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\nNEW",
  ]);
  await serve(conn, ctx);
  assert.deepEqual(errors, []);
  assert.match(conn.text, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.equal(handed, "NEW");
});

Deno.test("serveConnection() lets a handler send 103 but refuses 101 as an interim response (RFC 9110 §15.2.2)", async () => {
  const { ctx, errors } = context(async (req) => {
    await req.sendInterim(103);
    await req.sendInterim(101);
    return textResponse("not reached");
  });
  const conn = new FakeConn(["GET / HTTP/1.1\r\nHost: t\r\n\r\n"]);
  await serve(conn, ctx);
  assert.match(
    conn.text,
    /^HTTP\/1\.1 103 Early Hints\r\n\r\nHTTP\/1\.1 500 Internal Server Error\r\n/,
  );
  assert.doesNotMatch(conn.text, /101/);
  assert.equal(errors.length, 1);
});
