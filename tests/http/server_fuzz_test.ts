/**
 * A bounded random-input test of serveHttp(): a seeded generator mutates
 * valid requests (byte flips, truncations, random field lines, huge lines,
 * framing conflicts) and sends each on its own connection. Every
 * connection must end closed, with nothing but well-formed 1xx, 200 or
 * 4xx/505 responses; the server must report no internal error and still
 * answer a valid request afterwards. Replay a failure with its seed.
 */
import assert from "../helpers/assert.ts";
import { readAll } from "../../http/body.ts";
import { FieldList } from "../../http/headers.ts";
import { Prng } from "../helpers/prng.ts";
import { exchange, RawClient } from "../helpers/raw_peer.ts";
import { startTestServer } from "../helpers/test_server.ts";
import { parseResponses } from "../helpers/wire_text.ts";

const SEED = 0x5eed_2026;
const CASES = 300;

const TEMPLATES = [
  "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
  "POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world",
  "PUT /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
  "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n",
  "POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
  "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n",
];

const NASTY_LINES = [
  "Transfer-Encoding: chunked",
  "Content-Length: 5",
  "Content-Length: 5, 6",
  "Content-Length: -1",
  "Transfer-Encoding: gzip, chunked",
  "Host: other",
  " folded",
  "Bad Name: x",
  "X: \x00",
  "",
];

/** Random bytes drawn mostly from the characters HTTP cares about. */
function randomBytes(rng: Prng, n: number): string {
  const alphabet = 'aZ09 :;,\t\r\n\x00\x7f\xff/?%-="';
  let out = "";
  for (let i = 0; i < n; i++) {
    out += rng.next() < 0.7
      ? rng.pick([...alphabet])
      : String.fromCharCode(rng.int(256));
  }
  return out;
}

/** One mutated request; the name of the mutation is for failure messages. */
function mutate(rng: Prng): { how: string; bytes: string } {
  const base = rng.pick(TEMPLATES);
  const at = rng.int(base.length);
  switch (rng.int(7)) {
    case 0: {
      let s = base;
      for (let i = 0, n = 1 + rng.int(4); i < n; i++) {
        const p = rng.int(s.length);
        s = s.slice(0, p) + String.fromCharCode(rng.int(256)) + s.slice(p + 1);
      }
      return { how: "byte flips", bytes: s };
    }
    case 1:
      return { how: "truncation", bytes: base.slice(0, at) };
    case 2: {
      const eol = base.indexOf("\r\n") + 2;
      const line = rng.next() < 0.5
        ? rng.pick(NASTY_LINES)
        : randomBytes(rng, 1 + rng.int(60));
      return {
        how: "inserted field line",
        bytes: base.slice(0, eol) + line + "\r\n" + base.slice(eol),
      };
    }
    case 3: {
      const size = rng.pick([8200, 20_000, 70_000]);
      const eol = base.indexOf("\r\n") + 2;
      const where = rng.int(3);
      if (where === 0) {
        const target = `/${"t".repeat(size)}`;
        return { how: "huge target", bytes: base.replace(" /", ` ${target}`) };
      }
      const huge = where === 1
        ? `X-Huge: ${"h".repeat(size)}\r\n`
        : `${"A".repeat(size)}\r\n`;
      return {
        how: "huge line",
        bytes: base.slice(0, eol) + huge + base.slice(eol),
      };
    }
    case 4:
      return { how: "random bytes", bytes: randomBytes(rng, 1 + rng.int(300)) };
    case 5:
      return {
        how: "inserted control byte",
        bytes: base.slice(0, at) +
          rng.pick(["\r", "\n", "\x00", " ", "\t", "\r\n"]) +
          base.slice(at),
      };
    default:
      return { how: "CRs dropped", bytes: base.replaceAll("\r", "") };
  }
}

const ALLOWED = new Set([100, 200, 400, 414, 431, 505]);

Deno.test("serveHttp() answers 300 seeded malformed requests with 4xx or a close and keeps serving", async () => {
  await using t = startTestServer(async (req) => {
    await readAll(req.body, 1 << 20);
    return { status: 200, headers: new FieldList(), body: null };
  }, { headTimeoutMs: 2000, idleTimeoutMs: 2000 });
  const rng = new Prng(SEED);
  const statuses = new Map<number, number>();
  for (let i = 0; i < CASES; i++) {
    const { how, bytes } = mutate(rng);
    const label = `case ${i} (${how}, seed ${SEED}): ${
      JSON.stringify(bytes.slice(0, 120))
    }`;
    using c = await RawClient.connect(t.addr);
    await c.write(bytes).catch(() => {}); // the server may close first
    await c.closeWrite().catch(() => {});
    const { text, end } = await c.readUntilClose();
    assert.notEqual(end, "open", label);
    const { responses, rest } = parseResponses(text, [], true);
    assert.equal(
      rest,
      "",
      `${label}: unparsable output ${JSON.stringify(rest.slice(0, 80))}`,
    );
    for (const r of responses) {
      assert.ok(ALLOWED.has(r.status), `${label}: status ${r.status}`);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
  }
  assert.deepEqual(t.errors, []);
  assert.ok((statuses.get(400) ?? 0) > 0, "some cases must be refused");
  assert.ok((statuses.get(200) ?? 0) > 0, "some cases must still be valid");
  const { responses } = await exchange(
    t.addr,
    "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    {
      responses: 1,
    },
  );
  assert.equal(responses[0]!.status, 200);
});
