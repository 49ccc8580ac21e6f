import assert from "../helpers/assert.ts";
import { readAll } from "../../http/body.ts";
import {
  checkRequestSize,
  readResponse,
  writeRequest,
} from "../../http/client.ts";
import { isHttpError } from "../../http/errors.ts";
import { type Field, FieldList } from "../../http/headers.ts";
import type { HeadLimits } from "../../http/head.ts";
import { BufferedReader } from "../../http/reader.ts";
import type { RequestHead, ResponseHead } from "../../http/types.ts";
import { FakeBody, RecordingSink, ScriptedSource } from "../helpers/byte_io.ts";
import { respondInOrder, ScriptedServer } from "../helpers/raw_peer.ts";
import { bytes, text } from "../helpers/wire_text.ts";

function post(fields: Field[] = []): RequestHead {
  return {
    method: "POST",
    target: "/up",
    version: "HTTP/1.1",
    headers: new FieldList([["Host", "a"], ...fields]),
  };
}

function reader(...parts: string[]): BufferedReader {
  return new BufferedReader(new ScriptedSource(parts));
}

Deno.test("writeRequest() drops framing fields when there is no body (RFC 9112 §6.3)", async () => {
  const sink = new RecordingSink();
  const head = post([["Content-Length", "9"], [
    "Transfer-Encoding",
    "chunked",
  ]]);
  assert.equal(await writeRequest(sink, head, null), 0);
  assert.equal(sink.text, "POST /up HTTP/1.1\r\nHost: a\r\n\r\n");
});

Deno.test("writeRequest() sends a byte body with Content-Length in one write (RFC 9112 §6.2)", async () => {
  const sink = new RecordingSink();
  const head = post([["Transfer-Encoding", "chunked"], [
    "Content-Length",
    "1",
  ]]);
  assert.equal(await writeRequest(sink, head, bytes("hello")), 5);
  assert.equal(sink.writes.length, 1);
  assert.equal(
    sink.text,
    "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
  );
});

Deno.test("writeRequest() sends a reader of known length with Content-Length", async () => {
  const sink = new RecordingSink();
  await writeRequest(sink, post(), new FakeBody(["he", "llo"], { length: 5 }));
  assert.equal(
    sink.text,
    "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
  );
});

Deno.test("writeRequest() sends a reader of unknown length chunked, trailers included (RFC 9112 §7.1)", async () => {
  const sink = new RecordingSink();
  const trailers = new FieldList([["X-T", "1"]]);
  const head = post([["Content-Length", "3"]]);
  await writeRequest(sink, head, new FakeBody(["abc"], { trailers }));
  assert.equal(
    sink.text,
    "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
  );
});

Deno.test("readResponse() reads a final response and its body", async () => {
  const r = reader("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
  const res = await readResponse(r, "GET");
  assert.ok(res);
  assert.equal(res.head.status, 200);
  assert.deepEqual(res.framing, { kind: "length", length: 5 });
  assert.equal(text(await readAll(res.body)), "hello");
  assert.equal(res.body.complete, true);
});

Deno.test("readResponse() passes each 1xx to onInterim, then returns the final response (RFC 9110 §15.2)", async () => {
  const r = reader(
    "HTTP/1.1 100 Continue\r\n\r\n",
    "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n",
    "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
  );
  const interim: ResponseHead[] = [];
  const res = await readResponse(r, "POST", {
    onInterim: async (head) => {
      await Promise.resolve();
      interim.push(head);
    },
  });
  assert.deepEqual(interim.map((h) => h.status), [100, 103]);
  assert.equal(interim[1]!.headers.first("link"), "</s.css>; rel=preload");
  assert.equal(res?.head.status, 201);
  assert.equal(text(await readAll(res!.body)), "ok");
});

Deno.test("readResponse() returns 101 as the final response with no body when the request asked to upgrade (RFC 9110 §15.2.2)", async () => {
  const r = reader("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\nRAW");
  const res = await readResponse(r, "GET", { upgrade: true });
  assert.equal(res?.head.status, 101);
  assert.deepEqual(res?.framing, { kind: "none" });
  assert.equal(text(r.takeBuffered()), "RAW");
});

Deno.test('readResponse() throws "unrequested" on a 101 when the request asked for no upgrade, interim or not (RFC 9110 §7.8)', async () => {
  const switched = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\nRAW";
  for (
    const parts of [[switched], ["HTTP/1.1 100 Continue\r\n\r\n", switched]]
  ) {
    const interim: number[] = [];
    await assert.rejects(
      readResponse(reader(...parts), "GET", {
        onInterim: (h) => void interim.push(h.status),
      }),
      (e) => isHttpError(e, "unrequested") && /101/.test(e.message),
    );
    assert.deepEqual(interim, parts.length === 2 ? [100] : []);
  }
});

Deno.test('readResponse() throws "unrequested" on a 101 to CONNECT even when upgrading (RFC 9110 §9.3.6)', async () => {
  const r = reader("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n");
  await assert.rejects(
    readResponse(r, "CONNECT", { upgrade: true }),
    (e) => isHttpError(e, "unrequested"),
  );
});

Deno.test('readResponse() throws "unrequested" on a 2xx to a CONNECT not meant to open a tunnel, and accepts it for a tunnel (RFC 9110 §9.3.6)', async () => {
  for (const status of ["200 OK", "204 No Content", "299 Whatever"]) {
    await assert.rejects(
      readResponse(reader(`HTTP/1.1 ${status}\r\n\r\n`), "CONNECT"),
      (e) => isHttpError(e, "unrequested"),
      status,
    );
  }
  const tunnel = reader("HTTP/1.1 200 OK\r\n\r\nTLS");
  const res = await readResponse(tunnel, "CONNECT", { upgrade: true });
  assert.deepEqual(res?.framing, { kind: "none" });
  assert.equal(text(tunnel.takeBuffered()), "TLS");
});

Deno.test("readResponse() reads a refusal of CONNECT as an ordinary response", async () => {
  const r = reader(
    "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 2\r\n\r\nno",
  );
  const res = await readResponse(r, "CONNECT");
  assert.equal(res?.head.status, 407);
  assert.equal(text(await readAll(res!.body)), "no");
});

Deno.test("readResponse() returns null when the connection closes before any byte", async () => {
  assert.equal(await readResponse(reader(), "GET"), null);
});

Deno.test('readResponse() throws "truncated" when the connection closes after an interim response', async () => {
  await assert.rejects(
    readResponse(reader("HTTP/1.1 100 Continue\r\n\r\n"), "GET"),
    (e) => isHttpError(e, "truncated"),
  );
});

Deno.test('readResponse() throws "truncated" when the connection closes inside the head', async () => {
  await assert.rejects(
    readResponse(reader("HTTP/1.1 200 OK\r\nContent-Le"), "GET"),
    (e) => isHttpError(e, "truncated"),
  );
});

Deno.test("readResponse() gives a HEAD response no body and leaves the next response buffered (RFC 9110 §9.3.2)", async () => {
  const r = reader(
    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
    "HTTP/1.1 204 No Content\r\n\r\n",
  );
  const head = await readResponse(r, "HEAD");
  assert.deepEqual(head?.framing, { kind: "none" });
  assert.equal(head?.body.complete, true);
  const next = await readResponse(r, "GET");
  assert.equal(next?.head.status, 204);
});

Deno.test("readResponse() reads a response without length until close (RFC 9112 §6.3 rule 8)", async () => {
  const r = reader("HTTP/1.0 200 OK\r\n\r\npart one ", "part two");
  const res = await readResponse(r, "GET");
  assert.deepEqual(res?.framing, { kind: "until-close" });
  assert.equal(text(await readAll(res!.body)), "part one part two");
  assert.equal(res?.body.complete, false);
});

Deno.test("readResponse() throws on a malformed or smuggling-shaped response (RFC 9112 §6.3)", async () => {
  await assert.rejects(
    readResponse(reader("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n"), "GET"),
    (e) => isHttpError(e, "malformed"),
  );
  await assert.rejects(
    readResponse(
      reader(
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
      ),
      "GET",
    ),
    (e) => isHttpError(e, "framing"),
  );
});

Deno.test("writeRequest() and readResponse() exchange exact bytes with a scripted server over TCP", async () => {
  await using origin = ScriptedServer.start(respondInOrder([
    "HTTP/1.1 100 Continue\r\n\r\n" +
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    "HTTP/1.1 204 No Content\r\n\r\n",
  ]));
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: origin.port });
  try {
    const reader = new BufferedReader(conn);
    await writeRequest(conn, post([["Expect", "100-continue"]]), bytes("hi"));
    const interim: number[] = [];
    const res = await readResponse(reader, "POST", {
      onInterim: (h) => void interim.push(h.status),
    });
    assert.deepEqual(interim, [100]);
    assert.equal(text(await readAll(res!.body)), "abc");
    assert.equal(res!.body.complete, true);
    const get: RequestHead = { ...post(), method: "GET", target: "/y" };
    await writeRequest(conn, get, null);
    const second = await readResponse(reader, "GET");
    assert.equal(second?.head.status, 204);
    assert.equal(await readResponse(reader, "GET"), null);
  } finally {
    conn.close();
  }
  assert.equal(origin.connections, 1);
  assert.deepEqual(origin.requests.map((r) => r.raw), [
    "POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
    "GET /y HTTP/1.1\r\nHost: a\r\n\r\n",
  ]);
  assert.equal(origin.requests[0]!.bodyText, "hi");
});

Deno.test("readResponse() returns null when a kept-alive connection was closed by the server", async () => {
  await using origin = ScriptedServer.start(async (peer) => {
    await peer.readRequest();
    peer.close(); // a stale keep-alive connection: no response at all
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: origin.port });
  try {
    await writeRequest(conn, { ...post(), method: "GET" }, null);
    assert.equal(await readResponse(new BufferedReader(conn), "GET"), null);
  } finally {
    conn.close();
  }
  assert.equal(
    origin.peers[0]!.receivedText,
    "GET /up HTTP/1.1\r\nHost: a\r\n\r\n",
  );
});

Deno.test("checkRequestSize() refuses a head over the limits, counting the framing field writeRequest may add", () => {
  const limits: HeadLimits = { maxLine: 40, maxHead: 200, maxFields: 4 };
  const fits = (fields: Field[], target = "/up") => {
    try {
      checkRequestSize({ ...post(fields), target }, limits);
      return "fits";
    } catch (e) {
      assert.equal(isHttpError(e, "head-too-large"), true);
      return "431";
    }
  };
  assert.equal(fits([["A", "1"], ["B", "2"]]), "fits"); // 3 fields + framing = 4
  assert.equal(fits([["A", "1"], ["B", "2"], ["C", "3"]]), "431"); // 4 + framing = 5
  assert.equal(fits([], `/${"x".repeat(40)}`), "431"); // request line over 40
  // "POST /up HTTP/1.1\r\n" (19) + "Host: a\r\n" (9) + "\r\n" (2) + framing (34) = 64 bytes
  assert.equal(fits([["V", "x".repeat(200 - 64 - 5)]]), "fits"); // "V: " + CRLF = 5
  assert.equal(fits([["V", "x".repeat(200 - 64 - 4)]]), "431");
});
