/**
 * Black-box wire tests of what `/lab/headers` refuses with 400 and a
 * one-line reason: framing and connection fields (and Date, Host), names
 * that are not tokens, values with CR, LF or NUL, a bad `status=` or
 * `fail-after=`. The refused field must never reach the wire.
 */

import assert from "../../helpers/assert.ts";
import type { WireResponse } from "../../helpers/wire_text.ts";
import { ask, fieldsNamed, startLabOrigin } from "./lab_origin.ts";

function assertRefused(res: WireResponse, query: string): void {
  assert.equal(res.head.startLine, "HTTP/1.1 400 Bad Request", query);
  assert.match(res.bodyText, /^[^\r\n]+\n?$/, `one line for ${query}`);
  assert.deepEqual(fieldsNamed(res, ["X-Evil"]), [], query);
}

const REFUSED_NAMES = [
  "Content-Length",
  "Transfer-Encoding",
  "Connection",
  "Keep-Alive",
  "Proxy-Connection",
  "TE",
  "Trailer",
  "Upgrade",
  "Host",
  "Date",
];

for (const name of REFUSED_NAMES) {
  Deno.test(`startOrigin() with lab answers /lab/headers 400 when asked for ${name}`, async () => {
    await using o = await startLabOrigin();
    for (const spelled of [name, name.toLowerCase(), name.toUpperCase()]) {
      const query = `/lab/headers?X-A=1&${spelled}=5`;
      const res = await ask(o, query);
      assertRefused(res, query);
      assert.deepEqual(fieldsNamed(res, ["X-A"]), [], query);
    }
  });
}

const BAD_VALUES: [string, string][] = [
  ["CR LF", "a%0D%0AX-Evil:%201"],
  ["LF", "a%0AX-Evil:%201"],
  ["CR", "a%0DX-Evil:%201"],
  ["NUL", "a%00b"],
  ["ESC", "a%1Bb"],
  ["DEL", "a%7Fb"],
  // U+010A would be written as its low byte, 0x0A: a LF in the head
  ["U+010A (a LF once cut to one byte)", "a%C4%8AX-Evil:%201"],
  ["U+20AC", "%E2%82%AC"],
];

for (const [what, value] of BAD_VALUES) {
  Deno.test(`startOrigin() with lab answers /lab/headers 400 when a value holds ${what}`, async () => {
    await using o = await startLabOrigin();
    const query = `/lab/headers?X-A=${value}`;
    assertRefused(await ask(o, query), query);
  });
}

const BAD_NAMES = ["X%20A", "X(A)", "X%3AA", "X%0AEvil", "%C3%A9", ""];

Deno.test("startOrigin() with lab answers /lab/headers 400 when a name is not a token", async () => {
  await using o = await startLabOrigin();
  for (const name of BAD_NAMES) {
    const query = `/lab/headers?${name}=1`;
    assertRefused(await ask(o, query), query);
  }
});

const BAD_PARAMETERS = [
  "status=199",
  "status=600",
  "status=20",
  "status=2000",
  "status=abc",
  "status=",
  "status=200.5",
  "status=-200",
  "fail-after=-1",
  "fail-after=x",
  "fail-after=1.5",
  "fail-after=",
];

Deno.test("startOrigin() with lab answers /lab/headers 400 when status= or fail-after= is bad", async () => {
  await using o = await startLabOrigin();
  for (const parameter of BAD_PARAMETERS) {
    const query = `/lab/headers?X-A=1&${parameter}`;
    assertRefused(await ask(o, query), query);
  }
});
