import assert from "../helpers/assert.ts";
import { bytesBody, EMPTY_BODY, readAll, wireBody } from "../../http/body.ts";
import { isHttpError } from "../../http/errors.ts";
import type { Framing } from "../../http/framing.ts";
import { DEFAULT_HEAD_LIMITS } from "../../http/head.ts";
import { BufferedReader } from "../../http/reader.ts";
import type { BodyReader } from "../../http/types.ts";
import { FakeBody, ScriptedSource } from "../helpers/byte_io.ts";
import { text } from "../helpers/wire_text.ts";

const CHUNKED: Framing = { kind: "chunked" };

/** A reader over `parts`, or over their bytes one per read. */
function source(parts: string[], bytewise = false): BufferedReader {
  const src = bytewise
    ? ScriptedSource.bytewise(parts.join(""))
    : new ScriptedSource(parts);
  return new BufferedReader(src, 16);
}

/** Reads every chunk, keeping each as returned (to check ownership). */
async function drain(body: BodyReader): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for (let c = await body.read(); c !== null; c = await body.read()) {
    chunks.push(c);
  }
  return chunks;
}

async function bodyText(body: BodyReader): Promise<string> {
  return (await drain(body)).map(text).join("");
}

async function rejectsKind(work: Promise<unknown>, kind: string) {
  await assert.rejects(work, (e) => isHttpError(e) && e.kind === kind);
}

Deno.test("wireBody() with none framing is empty and complete (RFC 9112 §6.3 rule 7)", async () => {
  const r = source(["next"]);
  const body = wireBody(r, { kind: "none" });
  assert.equal(body.length, 0);
  assert.equal(body.complete, true);
  assert.equal(await body.read(), null);
  assert.equal(r.buffered, 0);
});

for (const bytewise of [false, true]) {
  const how = bytewise ? "one byte per read" : "in two reads";
  Deno.test(`wireBody() with length framing reads exactly its bytes and leaves the rest when they arrive ${how} (RFC 9112 §6.2)`, async () => {
    const r = source(["hello wor", "ldNEXT MESSAGE\r\n\r\n"], bytewise);
    const body = wireBody(r, { kind: "length", length: 11 });
    assert.equal(body.length, 11);
    assert.equal(body.complete, false);
    assert.equal(await bodyText(body), "hello world");
    assert.equal(body.complete, true);
    assert.equal(await r.readHead(DEFAULT_HEAD_LIMITS), "NEXT MESSAGE\r\n\r\n");
  });

  Deno.test(`wireBody() with chunked framing decodes chunks, extensions and trailers when they arrive ${how} (RFC 9112 §7.1)`, async () => {
    const wire = [
      "5;name=value;flag\r\nhello\r\n",
      "1 ; bws=ok\r\n,\r\n",
      'A;q="quoted;str"\r\n world!!!!\r\n',
      "000\r\nX-Checksum: abc\r\nX-Other:  d \r\n\r\n",
      "GET /next HTTP/1.1\r\n\r\n",
    ];
    const r = source(wire, bytewise);
    const body = wireBody(r, CHUNKED);
    assert.equal(body.length, undefined);
    assert.equal(await bodyText(body), "hello, world!!!!");
    assert.equal(body.complete, true);
    assert.deepEqual(body.trailers()?.toArray(), [
      ["X-Checksum", "abc"],
      ["X-Other", "d"],
    ]);
    assert.equal(
      await r.readHead(DEFAULT_HEAD_LIMITS),
      "GET /next HTTP/1.1\r\n\r\n",
    );
  });
}

Deno.test("wireBody() with chunked framing accepts upper and lower case hex and LF-only lines (RFC 9112 §7.1)", async () => {
  const body = wireBody(
    source(["a\r\n0123456789\r\nB\n01234567890\n0\n\n"]),
    CHUNKED,
  );
  assert.equal(await bodyText(body), "012345678901234567890");
  assert.equal(body.trailers(), undefined);
  assert.equal(body.complete, true);
});

Deno.test("wireBody() chunks stay intact after later reads reuse the buffer", async () => {
  const parts = ["4\r\naaaa\r\n", "4\r\nbbbb\r\n", "4\r\ncccc\r\n0\r\n\r\n"];
  const chunks = await drain(wireBody(source(parts), CHUNKED));
  assert.deepEqual(chunks.map(text), ["aaaa", "bbbb", "cccc"]);
  const lengthChunks = await drain(
    wireBody(source(["abc", "def", "ghi"]), { kind: "length", length: 9 }),
  );
  assert.equal(lengthChunks.map(text).join(""), "abcdefghi");
  assert.equal(text(lengthChunks[0]!), "abc");
});

const badSizes: [string, string][] = [
  ["a non-hex size", "g\r\n"],
  ["an empty size", "\r\n"],
  ["a negative size", "-5\r\n"],
  ["a 0x prefix", "0x5\r\n"],
  ["a leading space", " 5\r\n"],
  ["a sign", "+5\r\n"],
  ["a 16-digit size", "1000000000000000\r\n"],
  ["a size past 2^53", "fffffffffffffff\r\n"],
  ["a size line longer than 4 KiB", "5;" + "x".repeat(5000) + "\r\n"],
];
for (const [what, line] of badSizes) {
  Deno.test(`wireBody() with chunked framing throws "framing" on ${what} (RFC 9112 §7.1)`, async () => {
    const body = wireBody(source([line + "hello\r\n0\r\n\r\n"]), CHUNKED);
    await rejectsKind(drain(body), "framing");
    assert.equal(body.complete, false);
  });
}

Deno.test('wireBody() with chunked framing throws "framing" when data is not followed by CRLF (RFC 9112 §7.1)', async () => {
  await rejectsKind(
    drain(wireBody(source(["5\r\nhelloX\r\n0\r\n\r\n"]), CHUNKED)),
    "framing",
  );
  await rejectsKind(
    drain(wireBody(source(["5\r\nhello0\r\n\r\n"]), CHUNKED)),
    "framing",
  );
  await rejectsKind(
    drain(wireBody(source(["5\r\nhelloXYZ"]), CHUNKED)),
    "framing",
  );
});

const truncations: [string, string][] = [
  ["before the size", ""],
  ["inside the size line", "5"],
  ["inside the data", "5\r\nhel"],
  ["before the CRLF after data", "5\r\nhello"],
  ["before the last chunk", "5\r\nhello\r\n"],
  ["inside the trailers", "0\r\nX-T: 1\r\n"],
  ["before the final CRLF", "0\r\n"],
];
for (const [what, wire] of truncations) {
  Deno.test(`wireBody() with chunked framing throws "truncated" when the input ends ${what}`, async () => {
    const body = wireBody(source([wire]), CHUNKED);
    await rejectsKind(drain(body), "truncated");
    assert.equal(body.complete, false);
  });
}

Deno.test('wireBody() with length framing throws "truncated" rather than end short (RFC 9112 §8)', async () => {
  const body = wireBody(source(["only five"]), { kind: "length", length: 20 });
  const seen: string[] = [];
  await rejectsKind(
    (async () => {
      for (let c = await body.read(); c !== null; c = await body.read()) {
        seen.push(text(c));
      }
    })(),
    "truncated",
  );
  assert.equal(seen.join(""), "only five");
  assert.equal(body.complete, false);
});

Deno.test('wireBody() with chunked framing throws "framing" on an obs-folded trailer (RFC 9112 §7.1.2)', async () => {
  const body = wireBody(source(["0\r\nX-T: a\r\n b\r\n\r\n"]), CHUNKED);
  await rejectsKind(drain(body), "framing");
});

Deno.test('wireBody() with chunked framing throws "framing" when the trailers exceed 16 KiB', async () => {
  const trailers = Array.from(
    { length: 10 },
    (_, i) => `X-${i}: ${"t".repeat(2000)}\r\n`,
  );
  const body = wireBody(source(["0\r\n", ...trailers, "\r\n"]), CHUNKED);
  await rejectsKind(drain(body), "framing");
});

Deno.test("wireBody() with until-close framing reads to the end and is never reusable (RFC 9112 §6.3 rule 8)", async () => {
  const body = wireBody(source(["abc", "def"]), { kind: "until-close" });
  assert.equal(body.length, undefined);
  assert.equal(await bodyText(body), "abcdef");
  assert.equal(body.complete, false);
  assert.equal(await body.read(), null);
});

Deno.test("wireBody() cancel() ends the body without marking it complete", async () => {
  const partial = wireBody(source(["abc", "def"]), {
    kind: "length",
    length: 6,
  });
  await partial.read();
  await partial.cancel();
  assert.equal(await partial.read(), null);
  assert.equal(partial.complete, false);
  const chunked = wireBody(source(["3\r\nabc\r\n0\r\n\r\n"]), CHUNKED);
  await chunked.read();
  await chunked.cancel();
  assert.equal(await chunked.read(), null);
  assert.equal(chunked.complete, false);
});

Deno.test("wireBody() cancel() after the end keeps the body complete", async () => {
  const body = wireBody(source(["abc"]), { kind: "length", length: 3 });
  await drain(body);
  await body.cancel();
  assert.equal(body.complete, true);
});

Deno.test("bytesBody() yields its bytes once with their length", async () => {
  const body = bytesBody(new TextEncoder().encode("hi"));
  assert.equal(body.length, 2);
  assert.equal(await bodyText(body), "hi");
  assert.equal(await body.read(), null);
  assert.equal(bytesBody(new Uint8Array()).length, 0);
  assert.equal(await bytesBody(new Uint8Array()).read(), null);
});

Deno.test("EMPTY_BODY has length 0 and no chunks", async () => {
  assert.equal(EMPTY_BODY.length, 0);
  assert.equal(await EMPTY_BODY.read(), null);
  assert.equal(EMPTY_BODY.trailers(), undefined);
});

Deno.test("readAll() joins every chunk", async () => {
  const all = await readAll(new FakeBody(["ab", "", "cd"]));
  assert.equal(text(all), "abcd");
});

Deno.test("readAll() throws and cancels the body when it is larger than max", async () => {
  const body = new FakeBody(["abc", "def"]);
  await assert.rejects(
    readAll(body, 5),
    /Cannot read body: larger than 5 bytes/,
  );
  assert.equal(body.cancelled, true);
});

Deno.test("wireBody() with a length reads past the body's end when it can, so bytes right behind it show as buffered", async () => {
  for (const size of [5, 20_000, 100_000]) {
    const r = new BufferedReader(
      new ScriptedSource(["x".repeat(size) + "EXTRA"]),
      16 * 1024,
    );
    const body = wireBody(r, { kind: "length", length: size });
    assert.equal((await bodyText(body)).length, size);
    assert.equal(body.complete, true);
    assert.equal(r.buffered, 5, `a ${size}-byte body`);
    assert.equal(text(r.takeBuffered()), "EXTRA");
  }
});
