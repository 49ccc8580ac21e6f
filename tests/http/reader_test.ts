import assert from "../helpers/assert.ts";
import { isHttpError } from "../../http/errors.ts";
import { DEFAULT_HEAD_LIMITS, type HeadLimits } from "../../http/head.ts";
import { BufferedReader } from "../../http/reader.ts";
import { ScriptedSource } from "../helpers/byte_io.ts";
import { text } from "../helpers/wire_text.ts";

const HEAD = "GET / HTTP/1.1\r\nHost: a\r\nX-Long: " + "v".repeat(300) +
  "\r\n\r\n";
const SMALL: HeadLimits = { maxLine: 20, maxHead: 60, maxFields: 10 };

function reader(parts: string[], size?: number): BufferedReader {
  return new BufferedReader(new ScriptedSource(parts), size);
}

async function rejectsKind(work: Promise<unknown>, kind: string) {
  await assert.rejects(work, (e) => isHttpError(e) && e.kind === kind);
}

Deno.test("BufferedReader.readHead() returns the head up to its empty line (RFC 9112 §2.1)", async () => {
  const r = reader([HEAD]);
  assert.equal(await r.readHead(DEFAULT_HEAD_LIMITS), HEAD);
  assert.equal(await r.readHead(DEFAULT_HEAD_LIMITS), null);
});

Deno.test("BufferedReader.readHead() returns the same head when bytes arrive one per read", async () => {
  const r = new BufferedReader(ScriptedSource.bytewise(HEAD + HEAD), 16);
  assert.equal(await r.readHead(DEFAULT_HEAD_LIMITS), HEAD);
  assert.equal(await r.readHead(DEFAULT_HEAD_LIMITS), HEAD);
  assert.equal(await r.readHead(DEFAULT_HEAD_LIMITS), null);
});

Deno.test("BufferedReader.readHead() finds the end of a head split at every position", async () => {
  const input = "GET / HTTP/1.1\r\nHost: a\r\n\r\nNEXT";
  for (let cut = 1; cut < input.length; cut++) {
    const r = reader([input.slice(0, cut), input.slice(cut)], 8);
    assert.equal(
      await r.readHead(DEFAULT_HEAD_LIMITS),
      input.slice(0, -4),
      `cut at ${cut}`,
    );
    assert.equal(
      text(r.takeBuffered()) +
        text((await r.readChunk(10)) ?? new Uint8Array()),
      "NEXT",
    );
  }
});

Deno.test("BufferedReader.readHead() skips leading empty lines (RFC 9112 §2.2)", async () => {
  const r = reader(["\r\n\n", "\r\n" + HEAD]);
  assert.equal(await r.readHead(DEFAULT_HEAD_LIMITS), HEAD);
});

Deno.test("BufferedReader.readHead() ends a head at bare LF LF (RFC 9112 §2.2)", async () => {
  const r = reader(["GET / HTTP/1.1\nHost: a\n\nrest"]);
  assert.equal(
    await r.readHead(DEFAULT_HEAD_LIMITS),
    "GET / HTTP/1.1\nHost: a\n\n",
  );
  assert.equal(r.buffered, 4);
});

Deno.test("BufferedReader.readHead() keeps pipelined bytes for the next message (RFC 9112 §9.3.2)", async () => {
  const second = "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n";
  const r = reader([HEAD + second + "abc" + HEAD]);
  assert.equal(await r.readHead(DEFAULT_HEAD_LIMITS), HEAD);
  assert.equal(await r.readHead(DEFAULT_HEAD_LIMITS), second);
  assert.equal(text((await r.readChunk(3))!), "abc");
  assert.equal(await r.readHead(DEFAULT_HEAD_LIMITS), HEAD);
  assert.equal(r.buffered, 0);
});

Deno.test("BufferedReader.readHead() returns null when the source ends before any byte", async () => {
  assert.equal(await reader([]).readHead(DEFAULT_HEAD_LIMITS), null);
  assert.equal(await reader(["\r\n\r\n"]).readHead(DEFAULT_HEAD_LIMITS), null);
});

Deno.test('BufferedReader.readHead() throws "truncated" when the source ends inside a head', async () => {
  await rejectsKind(
    reader(["GET / HTTP/1.1\r\nHost: a\r\n"]).readHead(DEFAULT_HEAD_LIMITS),
    "truncated",
  );
  await rejectsKind(reader(["G"]).readHead(DEFAULT_HEAD_LIMITS), "truncated");
});

Deno.test("BufferedReader.readHead() throws the given kind when the start line exceeds maxLine (RFC 9112 §3)", async () => {
  const line = "GET /" + "a".repeat(30) + " HTTP/1.1\r\n\r\n";
  await rejectsKind(
    reader([line]).readHead(SMALL, "uri-too-long"),
    "uri-too-long",
  );
  await rejectsKind(reader([line]).readHead(SMALL), "head-too-large");
  const noLf = "GET /" + "a".repeat(30);
  await rejectsKind(
    reader([noLf, "x".repeat(100)]).readHead(SMALL, "uri-too-long"),
    "uri-too-long",
  );
});

Deno.test("BufferedReader.readHead() accepts a start line of exactly maxLine however it is split", async () => {
  const line = "GET /aaaaaaa HTTP/1.1"; // 21 bytes
  const limits = { ...SMALL, maxLine: line.length };
  const head = `${line}\r\n\r\n`;
  for (let cut = 1; cut < head.length; cut++) {
    const r = reader([head.slice(0, cut), head.slice(cut)]);
    assert.equal(
      await r.readHead(limits, "uri-too-long"),
      head,
      `cut at ${cut}`,
    );
  }
  const r = new BufferedReader(ScriptedSource.bytewise(head), 4);
  assert.equal(await r.readHead(limits, "uri-too-long"), head);
});

Deno.test('BufferedReader.readHead() throws "head-too-large" when the head exceeds maxHead (RFC 6585 §5)', async () => {
  const fields = (n: number) => "X: " + "v".repeat(n) + "\r\n";
  const start = "GET / HTTP/1.1\r\n";
  const exact = start + fields(60 - start.length - 7) + "\r\n";
  assert.equal(exact.length, 60);
  assert.equal(await reader([exact]).readHead(SMALL), exact);
  const over = start + fields(60 - start.length - 6) + "\r\n";
  assert.equal(over.length, 61);
  await rejectsKind(reader([over]).readHead(SMALL), "head-too-large");
  await rejectsKind(
    new BufferedReader(ScriptedSource.bytewise(over), 8).readHead(SMALL),
    "head-too-large",
  );
});

Deno.test('BufferedReader.readHead() throws "head-too-large" just past 64 KiB in one read and without an end', async () => {
  const start = "GET / HTTP/1.1\r\nHost: a\r\n";
  const big = start + "X: " + "v".repeat(64 * 1024) + "\r\n\r\n";
  await rejectsKind(
    reader([big]).readHead(DEFAULT_HEAD_LIMITS),
    "head-too-large",
  );
  const slightlyOver = start + "X: " +
    "v".repeat(64 * 1024 - start.length - 6) + "\r\n\r\n";
  assert.equal(slightlyOver.length, 64 * 1024 + 1);
  await rejectsKind(
    reader([slightlyOver]).readHead(DEFAULT_HEAD_LIMITS),
    "head-too-large",
  );
  const endless = Array.from(
    { length: 40 },
    () => "Y: " + "z".repeat(4000) + "\r\n",
  );
  await rejectsKind(
    reader([start, ...endless]).readHead(DEFAULT_HEAD_LIMITS),
    "head-too-large",
  );
});

Deno.test("BufferedReader.readLine() returns a line without CRLF or LF", async () => {
  const r = reader(["5;ext=1\r\nabc\n\r\n"]);
  assert.equal(await r.readLine(100), "5;ext=1");
  assert.equal(await r.readLine(100), "abc");
  assert.equal(await r.readLine(0), "");
});

Deno.test('BufferedReader.readLine() throws "framing" when the line is longer than max', async () => {
  await rejectsKind(reader(["abcdef\r\n"]).readLine(5), "framing");
  await rejectsKind(reader(["abcdefgh"]).readLine(5), "framing");
  await rejectsKind(
    new BufferedReader(ScriptedSource.bytewise("x".repeat(50)), 4).readLine(5),
    "framing",
  );
});

Deno.test('BufferedReader.readLine() throws "truncated" when the source ends before LF', async () => {
  await rejectsKind(reader(["abc"]).readLine(10), "truncated");
  await rejectsKind(reader([]).readLine(10), "truncated");
});

Deno.test("BufferedReader.readChunk() returns buffered bytes first, then reads the source", async () => {
  const r = reader(["GET / HTTP/1.1\r\n\r\nabc", "defgh"]);
  await r.readHead(DEFAULT_HEAD_LIMITS);
  assert.equal(text((await r.readChunk(2))!), "ab");
  assert.equal(text((await r.readChunk(100))!), "c");
  assert.equal(text((await r.readChunk(3))!), "def");
  assert.equal(text((await r.readChunk(100))!), "gh");
  assert.equal(await r.readChunk(100), null);
  assert.equal(await r.readChunk(100), null);
});

Deno.test("BufferedReader.readChunk() hands out chunks that later reads do not overwrite", async () => {
  const parts = [
    "H\r\n\r\n" + "a".repeat(10),
    "b".repeat(10),
    "c".repeat(70_000),
    "d".repeat(70_000),
    "e".repeat(10),
  ];
  const r = reader(parts, 16);
  await r.readHead(DEFAULT_HEAD_LIMITS);
  const chunks: Uint8Array[] = [];
  for (
    let c = await r.readChunk(80_000);
    c !== null;
    c = await r.readChunk(80_000)
  ) {
    chunks.push(c);
  }
  const got = chunks.map(text).join("");
  assert.equal(got, parts.join("").slice(5));
  assert.equal(chunks[0]!.every((b) => b === 0x61), true);
  assert.equal(chunks[1]!.every((b) => b === 0x62), true);
});

Deno.test("BufferedReader.takeBuffered() returns and removes the unread bytes (for an upgrade)", async () => {
  const r = reader(["CONNECT a:1 HTTP/1.1\r\nHost: a:1\r\n\r\n\x16\x03\x01"]);
  await r.readHead(DEFAULT_HEAD_LIMITS);
  assert.equal(r.buffered, 3);
  assert.deepEqual([...r.takeBuffered()], [0x16, 0x03, 0x01]);
  assert.equal(r.buffered, 0);
  assert.equal(r.takeBuffered().length, 0);
});

Deno.test("BufferedReader.readChunk() keeps up to `lookahead` bytes past `max` buffered", async () => {
  const small = reader(["abcNEXT"], 16);
  assert.equal(text((await small.readChunk(3, 8))!), "abc");
  assert.equal(small.buffered, 4, "read ahead into the buffer");
  assert.equal(text(small.takeBuffered()), "NEXT");
  const large = reader(["x".repeat(40_000) + "NEXT"], 16);
  const chunk = (await large.readChunk(40_000, 8))!;
  assert.equal(chunk.length, 40_000);
  assert.equal(text(large.takeBuffered()), "NEXT");
  const none = reader(["abcNEXT"], 16);
  assert.equal(text((await none.readChunk(3))!), "abc");
  assert.equal(none.buffered, 0, "no lookahead: nothing read past max");
});

/** A source whose reads wait until the test hands out the next part. */
class GatedSource {
  reads = 0;
  #pending: ((part: string | null) => void)[] = [];
  #queued: (string | null)[] = [];

  read(p: Uint8Array): Promise<number | null> {
    this.reads++;
    const take = (part: string | null) => {
      if (part === null) return null;
      p.set(new TextEncoder().encode(part));
      return part.length;
    };
    const queued = this.#queued.shift();
    if (queued !== undefined) return Promise.resolve(take(queued));
    return new Promise((resolve) =>
      this.#pending.push((part) => resolve(take(part)))
    );
  }

  /** Completes the pending read (or the next one) with `part`; null is the end. */
  give(part: string | null): void {
    const waiting = this.#pending.shift();
    if (waiting) waiting(part);
    else this.#queued.push(part);
  }
}

Deno.test("BufferedReader.prefetch() read becomes the first read of the next head", async () => {
  const source = new GatedSource();
  const r = new BufferedReader(source, 64);
  const prefetched = r.prefetch();
  assert.equal(r.prefetch(), prefetched, "one read in flight at a time");
  const head = r.readHead(DEFAULT_HEAD_LIMITS); // waits on the same read
  source.give("HTTP/1.1 200 OK\r\n");
  assert.equal(await prefetched, 17);
  source.give("A: b\r\n\r\n");
  assert.equal(await head, "HTTP/1.1 200 OK\r\nA: b\r\n\r\n");
  assert.equal(source.reads, 2, "no read was started beside the prefetch");
});

Deno.test("BufferedReader.prefetch() shows bytes that arrive while nobody reads, buffered for the next read", async () => {
  const source = new GatedSource();
  const r = new BufferedReader(source, 64);
  const prefetched = r.prefetch();
  source.give("late body");
  assert.equal(await prefetched, 9);
  assert.equal(r.buffered, 9);
  assert.equal(text((await r.readChunk(100))!), "late body");
  assert.equal(source.reads, 1);
});

Deno.test("BufferedReader.prefetch() reports the end of input, and readChunk() then returns null", async () => {
  const source = new GatedSource();
  const r = new BufferedReader(source, 64);
  const prefetched = r.prefetch();
  const chunk = r.readChunk(10);
  source.give(null);
  assert.equal(await prefetched, null);
  assert.equal(await chunk, null);
  assert.equal(r.ended, true);
  assert.equal(await r.readHead(DEFAULT_HEAD_LIMITS), null);
});

Deno.test("BufferedReader.prefetch() refuses while bytes are buffered", async () => {
  const r = reader(["HTTP/1.1 200 OK\r\n\r\nextra"]);
  await r.readHead(DEFAULT_HEAD_LIMITS);
  assert.throws(() => r.prefetch(), /Cannot prefetch/);
});
