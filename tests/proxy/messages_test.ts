import { assertEquals } from "../helpers/assert.ts";
import { FieldList } from "../../http/headers.ts";
import type { RequestHead } from "../../http/types.ts";
import {
  answersItself,
  downstreamFields,
  newViaName,
  upstreamRequest,
} from "../../proxy/messages.ts";

const VIA_NAME = newViaName();

const reverse = {
  kind: "reverse" as const,
  host: "127.0.0.1",
  port: 20000,
  path: "/x",
  authority: "proxy.test",
};

function request(
  fields: [string, string][],
  version: "HTTP/1.1" | "HTTP/1.0" = "HTTP/1.1",
): RequestHead {
  return {
    method: "GET",
    target: "/x",
    version,
    headers: new FieldList(fields),
  };
}

Deno.test("upstreamRequest() removes hop-by-hop fields, including those named in Connection (RFC 9110 §7.6.1)", () => {
  const head = upstreamRequest(
    request([
      ["Host", "proxy.test"],
      ["Connection", "keep-alive, X-Secret"],
      ["X-Secret", "1"],
      ["Keep-Alive", "timeout=5"],
      ["Proxy-Authorization", "Basic eA=="],
      ["TE", "trailers"],
      ["Upgrade", "h2c"],
      ["Proxy-Connection", "keep-alive"],
      ["Accept", "*/*"],
    ]),
    { route: reverse, clientAddr: "10.0.0.1", viaName: VIA_NAME },
  );
  assertEquals(head.headers.toArray(), [
    ["Host", "proxy.test"],
    ["Accept", "*/*"],
    ["Via", `1.1 ${VIA_NAME}`],
    ["X-Forwarded-For", "10.0.0.1"],
  ]);
  assertEquals([head.method, head.target, head.version], [
    "GET",
    "/x",
    "HTTP/1.1",
  ]);
});

Deno.test("upstreamRequest() appends to Via and X-Forwarded-For, keeping order and casing (RFC 9110 §7.6.3)", () => {
  const head = upstreamRequest(
    request([["host", "proxy.test"], ["via", "1.0 first"], [
      "x-forwarded-for",
      "1.2.3.4",
    ]], "HTTP/1.0"),
    { route: reverse, clientAddr: "10.0.0.1", viaName: VIA_NAME },
  );
  assertEquals(head.headers.toArray(), [
    ["host", "proxy.test"],
    ["via", `1.0 first, 1.0 ${VIA_NAME}`],
    ["x-forwarded-for", "1.2.3.4, 10.0.0.1"],
  ]);
});

Deno.test("upstreamRequest() sets Host from the URL when forward proxying (RFC 9112 §3.2.2)", () => {
  const head = upstreamRequest(
    request([["Host", "wrong.test"]]),
    {
      route: { ...reverse, kind: "forward", authority: "origin.test:8080" },
      clientAddr: "10.0.0.1",
      viaName: VIA_NAME,
    },
  );
  assertEquals(head.headers.first("host"), "origin.test:8080");
});

Deno.test("upstreamRequest() keeps Host in place when Connection names it (RFC 9112 §3.2)", () => {
  const head = upstreamRequest(
    request([["host", "A.test"], ["Connection", "Host, X-Hop"], [
      "X-Hop",
      "1",
    ], ["Accept", "*/*"]]),
    {
      route: { ...reverse, authority: "A.test" },
      clientAddr: "10.0.0.1",
      viaName: VIA_NAME,
    },
  );
  assertEquals(head.headers.toArray(), [
    ["host", "A.test"],
    ["Accept", "*/*"],
    ["Via", `1.1 ${VIA_NAME}`],
    ["X-Forwarded-For", "10.0.0.1"],
  ]);
});

Deno.test("upstreamRequest() gives a request without Host the route's authority as its first field, reverse or forward (RFC 9112 §3.2)", () => {
  for (const kind of ["reverse", "forward"] as const) {
    const head = upstreamRequest(
      request([["Accept", "*/*"]], "HTTP/1.0"),
      {
        route: { ...reverse, kind, authority: "127.0.0.1:20000" },
        clientAddr: "10.0.0.1",
        viaName: VIA_NAME,
      },
    );
    assertEquals(head.version, "HTTP/1.1");
    assertEquals(head.headers.toArray(), [
      ["Host", "127.0.0.1:20000"],
      ["Accept", "*/*"],
      ["Via", `1.0 ${VIA_NAME}`],
      ["X-Forwarded-For", "10.0.0.1"],
    ], kind);
  }
});

Deno.test("upstreamRequest() decrements Max-Forwards for OPTIONS and TRACE only (RFC 9110 §7.6.2)", () => {
  const options = upstreamRequest(
    { ...request([["Host", "h"], ["Max-Forwards", "3"]]), method: "OPTIONS" },
    { route: reverse, clientAddr: "1.1.1.1", viaName: VIA_NAME },
  );
  assertEquals(options.headers.first("max-forwards"), "2");
  const get = upstreamRequest(
    request([["Host", "h"], ["Max-Forwards", "3"]]),
    { route: reverse, clientAddr: "1.1.1.1", viaName: VIA_NAME },
  );
  assertEquals(get.headers.first("max-forwards"), "3");
});

Deno.test("answersItself() is true for TRACE/OPTIONS with Max-Forwards 0 (RFC 9110 §7.6.2)", () => {
  assertEquals(
    answersItself({ ...request([["Max-Forwards", "0"]]), method: "TRACE" }),
    true,
  );
  assertEquals(
    answersItself({ ...request([["Max-Forwards", "1"]]), method: "TRACE" }),
    false,
  );
  assertEquals(
    answersItself({ ...request([["Max-Forwards", "0"]]), method: "GET" }),
    false,
  );
});

Deno.test("answersItself() reads Max-Forwards as a decimal integer: leading zeros and whitespace, never text (RFC 9110 §7.6.2)", () => {
  const cases: [string, boolean][] = [
    ["00", true],
    ["000", true],
    [" 0 ", true],
    ["01", false],
    ["-0", false],
    ["0x0", false],
    ["0.0", false],
    ["", false],
  ];
  for (const [value, itself] of cases) {
    for (const method of ["TRACE", "OPTIONS"]) {
      const head = { ...request([["Max-Forwards", value]]), method };
      assertEquals(answersItself(head), itself, `${method} "${value}"`);
    }
  }
});

Deno.test("upstreamRequest() decrements Max-Forwards read as a number and passes on a value that is not one (RFC 9110 §7.6.2)", () => {
  const cases: [string, string][] = [
    ["05", "4"],
    [" 3 ", "2"],
    ["1", "0"],
    ["99999999999999999999", String(Number.MAX_SAFE_INTEGER - 1)],
    ["-1", "-1"],
    ["2, 3", "2, 3"],
  ];
  for (const [value, forwarded] of cases) {
    const head = upstreamRequest(
      { ...request([["Host", "h"], ["Max-Forwards", value]]), method: "TRACE" },
      { route: reverse, clientAddr: "1.1.1.1", viaName: VIA_NAME },
    );
    assertEquals(head.headers.first("max-forwards"), forwarded, value);
  }
});

Deno.test("downstreamFields() strips hop-by-hop, appends Via and adds Date only when missing (RFC 9110 §6.6.1)", () => {
  const now = Date.UTC(2026, 10, 25, 7, 0, 0);
  const fields = downstreamFields(
    new FieldList([["Content-Type", "text/plain"], ["Connection", "close"], [
      "Transfer-Encoding",
      "chunked",
    ]]),
    { version: "HTTP/1.1", now, viaName: VIA_NAME },
  );
  assertEquals(fields.toArray(), [
    ["Content-Type", "text/plain"],
    ["Via", `1.1 ${VIA_NAME}`],
    ["Date", "Wed, 25 Nov 2026 07:00:00 GMT"],
  ]);
  const dated = downstreamFields(
    new FieldList([["Date", "x"]]),
    { version: "HTTP/1.0", now, viaName: VIA_NAME },
  );
  assertEquals(dated.toArray(), [["Date", "x"], ["Via", `1.0 ${VIA_NAME}`]]);
});

Deno.test("downstreamFields() relays an Age past 2^31 as 2147483648 (RFC 9111 §5.1)", () => {
  const now = Date.UTC(2026, 10, 25, 7, 0, 0);
  for (const [received, sent] of [["99999999999", "2147483648"], ["7", "7"]]) {
    const fields = downstreamFields(
      new FieldList([["Date", "x"], ["Age", received!]]),
      { version: "HTTP/1.1", now, viaName: VIA_NAME },
    );
    assertEquals(fields.first("age"), sent, received);
  }
});
