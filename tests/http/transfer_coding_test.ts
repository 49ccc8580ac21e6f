/**
 * Unit tests of decoding the transfer codings beneath a response's
 * framing (RFC 9112 §7): gzip, x-gzip, deflate and layers of them, over
 * chunked and until-close bodies; bytes that do not decode are framing
 * errors, never a quiet short body; codings we cannot decode stay on the
 * bytes and are named.
 */
import assert from "../helpers/assert.ts";
import { wireBody } from "../../http/body.ts";
import { isHttpError } from "../../http/errors.ts";
import { BufferedReader } from "../../http/reader.ts";
import { FieldList } from "../../http/headers.ts";
import {
  canDecode,
  decodedBody,
  keptTransferCodings,
  splitCodings,
} from "../../http/transfer_coding.ts";
import type { BodyReader } from "../../http/types.ts";
import { ScriptedSource } from "../helpers/byte_io.ts";
import { chunkedText, compressed } from "../helpers/compress.ts";
import { bytes, join, text } from "../helpers/wire_text.ts";

const CONTENT = "the content the upstream meant. ".repeat(200);

function reader(...parts: (string | Uint8Array)[]): BufferedReader {
  return new BufferedReader(new ScriptedSource(parts), 64);
}

async function readText(body: BodyReader): Promise<string> {
  const parts: Uint8Array[] = [];
  for (let c = await body.read(); c !== null; c = await body.read()) {
    parts.push(c);
  }
  return text(join(parts));
}

Deno.test("wireBody() decodes gzip beneath until-close framing and is never reusable (RFC 9112 §6.3 rule 4, §7.2)", async () => {
  const gz = await compressed("gzip", CONTENT);
  const body = wireBody(reader(gz.subarray(0, 10), gz.subarray(10)), {
    kind: "until-close",
    codings: ["gzip"],
  });
  assert.equal(body.length, undefined);
  assert.equal(await readText(body), CONTENT);
  assert.equal(body.complete, false);
});

Deno.test("wireBody() decodes gzip beneath chunked framing and is complete after the last chunk (RFC 9112 §7)", async () => {
  const gz = await compressed("gzip", CONTENT);
  const body = wireBody(reader(chunkedText(gz, 37), "NEXT"), {
    kind: "chunked",
    codings: ["gzip"],
  });
  assert.equal(await readText(body), CONTENT);
  assert.equal(body.complete, true);
});

Deno.test("wireBody() removes layered codings last-applied first (deflate, then x-gzip) (RFC 9112 §6.1)", async () => {
  const twice = await compressed("gzip", await compressed("deflate", CONTENT));
  const body = wireBody(reader(twice), {
    kind: "until-close",
    codings: ["deflate", "x-gzip"],
  });
  assert.equal(await readText(body), CONTENT);
});

Deno.test("wireBody() passes an identity coding through unchanged", async () => {
  const body = wireBody(reader("plain"), {
    kind: "until-close",
    codings: ["identity"],
  });
  assert.equal(await readText(body), "plain");
});

Deno.test("wireBody() keeps a coding it cannot decode on the bytes and names it in transferCodings (RFC 9112 §7)", async () => {
  assert.equal(canDecode(["gzip", "deflate"]), true);
  assert.equal(canDecode(["compress"]), false);
  const body = wireBody(reader("x\x00y"), {
    kind: "until-close",
    codings: ["compress"],
  });
  assert.deepEqual(body.transferCodings, ["compress"]);
  assert.equal(body.length, undefined);
  assert.equal(await readText(body), "x\x00y");
  const chunked = wireBody(reader("3\r\nabc\r\n0\r\n\r\n"), {
    kind: "chunked",
    codings: ["x-weird"],
  });
  assert.equal(await readText(chunked), "abc");
  assert.deepEqual(chunked.transferCodings, ["x-weird"]);
  assert.equal(chunked.complete, true);
});

Deno.test("wireBody() decodes the codings applied after the last one it cannot decode, and keeps the rest (RFC 9112 §6.1)", async () => {
  const gz = await compressed("gzip", "weird bytes");
  const body = wireBody(reader(gz), {
    kind: "until-close",
    codings: ["x-weird", "gzip"],
  });
  assert.deepEqual(body.transferCodings, ["x-weird"]);
  assert.equal(await readText(body), "weird bytes");
  const none = wireBody(reader(gz), {
    kind: "until-close",
    codings: ["gzip"],
  });
  assert.equal(none.transferCodings, undefined);
});

Deno.test("splitCodings() decodes from the last applied back to the last coding it cannot decode", () => {
  const cases: [string[], string[], string[]][] = [
    [["gzip"], [], ["gzip"]],
    [["x-weird"], ["x-weird"], []],
    [["gzip", "x-weird"], ["gzip", "x-weird"], []],
    [["x-weird", "gzip", "deflate"], ["x-weird"], ["gzip", "deflate"]],
    [["deflate", "compress", "identity"], ["deflate", "compress"], [
      "identity",
    ]],
    [[], [], []],
  ];
  for (const [codings, kept, decoded] of cases) {
    assert.deepEqual(splitCodings(codings), { kept, decoded }, codings.join());
  }
});

Deno.test("keptTransferCodings() names what stays on a response body, chunked and decodable codings aside", () => {
  const cases: [string[], string[] | undefined][] = [
    [[], undefined],
    [["chunked"], undefined],
    [["gzip, chunked"], undefined],
    [["gzip"], undefined],
    [["X-Weird, chunked"], ["x-weird"]],
    [["x-weird"], ["x-weird"]],
    [["compress;level=3", "gzip", "chunked"], ["compress"]],
    [["gzip, x-weird"], ["gzip", "x-weird"]],
  ];
  for (const [values, kept] of cases) {
    const fields = new FieldList(values.map((v) => ["Transfer-Encoding", v]));
    assert.deepEqual(keptTransferCodings(fields), kept, values.join(" | "));
  }
});

const BROKEN: [string, (gz: Uint8Array) => Uint8Array][] = [
  ["cut short by the close", (gz) => gz.subarray(0, gz.length - 6)],
  ["followed by stray bytes", (gz) => join([gz, bytes("junk")])],
  ["not gzip at all", () => bytes("<html>not gzip</html>")],
];
for (const [what, damage] of BROKEN) {
  Deno.test(`wireBody() throws a framing error when gzip content is ${what}`, async () => {
    const gz = damage(await compressed("gzip", CONTENT));
    const body = wireBody(reader(gz), {
      kind: "until-close",
      codings: ["gzip"],
    });
    await assert.rejects(readText(body), (e) => isHttpError(e, "framing"));
    assert.equal(await body.read(), null);
  });
}

Deno.test("decodedBody() passes on the wire body's own error (a chunked body cut short)", async () => {
  const gz = await compressed("gzip", CONTENT);
  const cut = chunkedText(gz, 50).slice(0, 120);
  const body = wireBody(reader(cut), { kind: "chunked", codings: ["gzip"] });
  await assert.rejects(readText(body), (e) => isHttpError(e, "truncated"));
});

Deno.test("decodedBody() cancels the wire body when cancelled part-way", async () => {
  const gz = await compressed("gzip", CONTENT);
  let cancelled = 0;
  const wire = {
    length: undefined,
    complete: false,
    parts: [gz.subarray(0, 100), gz.subarray(100)],
    read() {
      return Promise.resolve(this.parts.shift() ?? null);
    },
    trailers: () => undefined,
    cancel() {
      cancelled++;
      return Promise.resolve();
    },
  };
  const body = decodedBody(wire, ["gzip"]);
  assert.ok((await body.read()) !== null);
  await body.cancel();
  assert.equal(cancelled, 1);
  assert.equal(await body.read(), null);
  assert.equal(body.complete, false);
});
