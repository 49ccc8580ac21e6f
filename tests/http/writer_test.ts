import assert from "../helpers/assert.ts";
import { isHttpError } from "../../http/errors.ts";
import { FieldList } from "../../http/headers.ts";
import { lastChunk, writeAll, writeMessage } from "../../http/writer.ts";
import { FakeBody, RecordingSink } from "../helpers/byte_io.ts";
import { bytes, text } from "../helpers/wire_text.ts";

const HEAD = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
const CHUNKED_HEAD = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

Deno.test("writeAll() writes every byte when the sink takes few at a time", async () => {
  const sink = new RecordingSink({ maxPerWrite: 3 });
  await writeAll(sink, bytes("0123456789"));
  assert.equal(sink.text, "0123456789");
  assert.equal(sink.writes.length, 4);
});

Deno.test("writeMessage() writes a head and a small body in one write", async () => {
  const sink = new RecordingSink();
  const n = await writeMessage(sink, HEAD, bytes("hello"), "length", 5);
  assert.equal(n, 5);
  assert.equal(sink.writes.length, 1);
  assert.equal(sink.text, HEAD + "hello");
});

Deno.test("writeMessage() writes a large body after the head, byte-exact", async () => {
  const sink = new RecordingSink();
  const body = new Uint8Array(200_000).map((_, i) => i % 251);
  const head = "HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n";
  await writeMessage(sink, head, body, "length", body.length);
  assert.equal(sink.text, head + text(body));
});

Deno.test("writeMessage() writes only the head when the body is null", async () => {
  const sink = new RecordingSink();
  assert.equal(await writeMessage(sink, HEAD, null, "length", 5), 0);
  assert.equal(sink.text, HEAD);
});

Deno.test("writeMessage() keeps obs-text in the head byte-exact", async () => {
  const sink = new RecordingSink();
  const head = "HTTP/1.1 200 D\xe9j\xe0\r\nX: \xff\x80\r\n\r\n";
  await writeMessage(sink, head, null, "length");
  assert.deepEqual(sink.writes[0], bytes(head));
});

Deno.test('writeMessage() throws "framing" and cancels when a body reader is longer than its length (RFC 9112 §6.2)', async () => {
  const sink = new RecordingSink();
  const body = new FakeBody(["hel", "lo!"], { length: 5 });
  await assert.rejects(
    writeMessage(sink, HEAD, body, "length", 5),
    (e) => isHttpError(e, "framing"),
  );
  assert.equal(body.cancelled, true);
  assert.equal(sink.text, HEAD + "hel");
});

Deno.test('writeMessage() throws "truncated" when a body reader is shorter than its length (RFC 9112 §6.2)', async () => {
  const sink = new RecordingSink();
  await assert.rejects(
    writeMessage(sink, HEAD, new FakeBody(["hel"], { length: 5 }), "length", 5),
    (e) => isHttpError(e, "truncated"),
  );
});

Deno.test("writeMessage() throws when a byte body does not match the declared length, writing nothing", async () => {
  for (const declared of [3, 7]) {
    const sink = new RecordingSink();
    await assert.rejects(
      writeMessage(sink, HEAD, bytes("hello"), "length", declared),
      (e) => isHttpError(e),
    );
    assert.equal(sink.writes.length, 0, `declared ${declared}`);
  }
});

Deno.test("writeMessage() takes a body reader's own length when none is declared", async () => {
  const sink = new RecordingSink();
  await writeMessage(
    sink,
    HEAD,
    new FakeBody(["hel", "lo"], { length: 5 }),
    "length",
  );
  assert.equal(sink.text, HEAD + "hello");
  await assert.rejects(
    writeMessage(new RecordingSink(), HEAD, new FakeBody(["x"]), "length"),
    /Cannot write body/,
  );
});

Deno.test("writeMessage() writes chunked coding with trailers exactly (RFC 9112 §7.1)", async () => {
  const sink = new RecordingSink();
  const trailers = new FieldList([["X-Sum", "abc"], ["X-N", "2"]]);
  const body = new FakeBody(["hello", "", "x".repeat(26)], { trailers });
  const n = await writeMessage(sink, CHUNKED_HEAD, body, "chunked");
  assert.equal(n, 31);
  assert.equal(
    sink.text,
    CHUNKED_HEAD + "5\r\nhello\r\n1a\r\n" + "x".repeat(26) +
      "\r\n0\r\nX-Sum: abc\r\nX-N: 2\r\n\r\n",
  );
});

Deno.test("writeMessage() writes an empty chunked body as the last chunk only (RFC 9112 §7.1)", async () => {
  const sink = new RecordingSink();
  await writeMessage(sink, CHUNKED_HEAD, new FakeBody([]), "chunked");
  assert.equal(sink.text, CHUNKED_HEAD + "0\r\n\r\n");
  const bytesSink = new RecordingSink();
  await writeMessage(bytesSink, CHUNKED_HEAD, new Uint8Array(), "chunked");
  assert.equal(bytesSink.text, CHUNKED_HEAD + "0\r\n\r\n");
  assert.equal(bytesSink.writes.length, 1);
});

Deno.test("writeMessage() writes a byte body as one chunk in one write when chunked", async () => {
  const sink = new RecordingSink();
  await writeMessage(sink, CHUNKED_HEAD, bytes("hello"), "chunked");
  assert.equal(sink.text, CHUNKED_HEAD + "5\r\nhello\r\n0\r\n\r\n");
  assert.equal(sink.writes.length, 1);
});

Deno.test("writeMessage() never writes the last chunk when the body fails mid-way (RFC 9112 §7.1)", async () => {
  const sink = new RecordingSink();
  const body = new FakeBody(["hello", "world"], { failAt: 1 });
  await assert.rejects(
    writeMessage(sink, CHUNKED_HEAD, body, "chunked"),
    /scripted failure/,
  );
  assert.equal(body.cancelled, true);
  assert.equal(sink.text, CHUNKED_HEAD + "5\r\nhello\r\n");
  assert.equal(sink.text.includes("0\r\n\r\n"), false);
});

Deno.test("writeMessage() writes raw bodies as they are (close-delimited)", async () => {
  const sink = new RecordingSink();
  const head = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
  const n = await writeMessage(sink, head, new FakeBody(["ab", "cd"]), "raw");
  assert.equal(n, 4);
  assert.equal(sink.text, head + "abcd");
});

Deno.test("lastChunk() is 0 CRLF CRLF, with trailer fields between when given (RFC 9112 §7.1.2)", () => {
  assert.equal(text(lastChunk()), "0\r\n\r\n");
  assert.equal(text(lastChunk(new FieldList())), "0\r\n\r\n");
  assert.equal(
    text(lastChunk(new FieldList([["X-Sum", "0"]]))),
    "0\r\nX-Sum: 0\r\n\r\n",
  );
});

Deno.test("lastChunk() leaves out fields that may not be trailers (RFC 9110 §6.5.1)", () => {
  const trailers = new FieldList([
    ["Content-Length", "5"],
    ["X-Sum", "1"],
    ["Transfer-Encoding", "chunked"],
    ["HOST", "evil.example"],
    ["Authorization", "Basic eA=="],
    ["Cache-Control", "max-age=9"],
    ["Content-Type", "text/html"],
    ["Trailer", "X-Sum"],
    ["Server-Timing", "db;dur=5"],
  ]);
  assert.equal(
    text(lastChunk(trailers)),
    "0\r\nX-Sum: 1\r\nServer-Timing: db;dur=5\r\n\r\n",
  );
  assert.equal(trailers.size, 9); // the caller's list is left as it was
});

Deno.test("writeMessage() cancels a streamed body when the head cannot be written", async () => {
  const sink = {
    write: () => Promise.reject(new Deno.errors.BrokenPipe("client gone")),
  };
  const body = new FakeBody(["hello"], { length: 5 });
  await assert.rejects(
    () => writeMessage(sink, HEAD, body, "length", 5),
    Deno.errors.BrokenPipe,
  );
  assert.equal(body.cancelled, true);
});

Deno.test("writeMessage() assembles a small head and body in the sink's scratch buffer", async () => {
  const sink = Object.assign(new RecordingSink(), {
    buffer: new Uint8Array(64),
    scratch() {
      return this.buffer;
    },
  });
  await writeMessage(sink, HEAD, bytes("hello"), "length", 5);
  assert.equal(sink.writes.length, 1);
  assert.equal(sink.text, `${HEAD}hello`);
});

Deno.test("writeMessage() keeps obs-text in a head byte-exact when a scratch buffer is lent", async () => {
  const sink = Object.assign(new RecordingSink(), {
    scratch: () => new Uint8Array(256),
  });
  const head = "HTTP/1.1 200 \xe9t\xe9\r\nContent-Length: 2\r\n\r\n";
  await writeMessage(sink, head, bytes("ok"), "length", 2);
  assert.equal(sink.text, `${head}ok`); // one char per byte: 0xe9 stayed one byte
});

Deno.test("writeMessage() sends the head with the body's first bytes from the scratch buffer, then the rest in place, when the body does not fit it", async () => {
  const scratch = new Uint8Array(1024);
  const sink = Object.assign(new RecordingSink(), { scratch: () => scratch });
  const body = new Uint8Array(5000).map((_, i) => i % 251);
  const head = "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n";
  await writeMessage(sink, head, body, "length", body.length);
  assert.deepEqual(sink.writes.map((w) => w.length), [
    1024,
    head.length + 5000 - 1024,
  ]);
  assert.equal(sink.text, head + text(body));
});

Deno.test("writeMessage() writes a chunked body byte-exact when the scratch buffer ends inside it (RFC 9112 §7.1)", async () => {
  const sink = Object.assign(new RecordingSink(), {
    scratch: () => new Uint8Array(100),
  });
  const body = new Uint8Array(300).map((_, i) => i % 249);
  await writeMessage(sink, CHUNKED_HEAD, body, "chunked");
  assert.equal(
    sink.text,
    `${CHUNKED_HEAD}${(300).toString(16)}\r\n${text(body)}\r\n0\r\n\r\n`,
  );
  assert.equal(sink.writes[0]!.length, 100);
});
