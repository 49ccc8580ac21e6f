/**
 * A bounded random-input test: seeded mutations of valid requests thrown
 * at the proxy (each on its own connection, with a well-behaved upstream
 * behind it). Every connection must end with a response or a close, the
 * process must not throw, and a valid request afterwards gets its 200.
 */

import { assertEquals } from "../helpers/assert.ts";
import { Prng } from "../helpers/prng.ts";
import { exchange, RawClient, ScriptedServer } from "../helpers/raw_peer.ts";
import { startTestProxy } from "../helpers/proxy.ts";

const SEEDS = [1, 2, 3];
const CASES_PER_SEED = 100;

const VALID = [
  "GET /a HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n",
  "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
  "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
  "GET http://127.0.0.1:1/x HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n",
  "HEAD / HTTP/1.0\r\n\r\n",
];
const JUNK = [
  "\x00",
  "\r",
  "\n",
  " ",
  ":",
  "\x7f",
  "\xff",
  "Transfer-Encoding: chunked\r\n",
  "Content-Length: 9\r\n",
  "\r\n\r\n",
  "%",
  "HTTP/1.1",
];

function mutate(rng: Prng, input: string): string {
  let s = input;
  const edits = 1 + rng.int(4);
  for (let i = 0; i < edits; i++) {
    const at = rng.int(s.length + 1);
    switch (rng.int(5)) {
      case 0: // flip a byte
        s = s.slice(0, at) + String.fromCharCode(rng.int(256)) +
          s.slice(at + 1);
        break;
      case 1: // truncate
        s = s.slice(0, at);
        break;
      case 2: // insert junk
        s = s.slice(0, at) + rng.pick(JUNK) + s.slice(at);
        break;
      case 3: // a huge line
        s = s.slice(0, at) + "X".repeat(rng.int(20000)) + s.slice(at);
        break;
      default: // duplicate a part
        s = s.slice(0, at) + s.slice(rng.int(s.length));
    }
  }
  return s;
}

Deno.test("proxy survives seeded random malformed requests and still answers a valid one", async () => {
  await using upstream = ScriptedServer.start(async (peer) => {
    for (;;) {
      const req = await peer.readRequest().catch(() => null);
      if (!req) return;
      await peer.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }
  });
  await using proxy = await startTestProxy(upstream.port, {
    headTimeoutMs: 300,
    idleTimeoutMs: 300,
  });
  let answered = 0;
  let closedSilently = 0;
  for (const seed of SEEDS) {
    const rng = new Prng(seed);
    for (let i = 0; i < CASES_PER_SEED; i++) {
      const input = mutate(rng, rng.pick(VALID));
      using client = await RawClient.connect(proxy.addr);
      await client.write(input).catch(() => {});
      await client.closeWrite().catch(() => {});
      const { text } = await client.readUntilClose();
      if (/^HTTP\/1\.1 \d{3}/.test(text)) answered++;
      else closedSilently++;
    }
  }
  assertEquals(answered + closedSilently, SEEDS.length * CASES_PER_SEED);
  const { responses } = await exchange(
    proxy.addr,
    "GET /final HTTP/1.1\r\nHost: h\r\n\r\n",
    { responses: 1 },
  );
  assertEquals([responses[0]!.status, responses[0]!.bodyText], [200, "ok"]);
});
