import { assertEquals } from "../helpers/assert.ts";
import { FieldList } from "../../http/headers.ts";
import {
  canonicalHost,
  loopsBack,
  mayReachGuarded,
  viaNamesSelf,
} from "../../proxy/loops.ts";
import { newViaName } from "../../proxy/messages.ts";

const VIA_NAME = newViaName();

Deno.test("canonicalHost() reads every spelling of an address as the URL parser does", () => {
  const cases: [string, string][] = [
    ["127.0.0.1", "127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["0x7f.1", "127.0.0.1"],
    ["0177.0.0.1", "127.0.0.1"],
    ["2130706433", "127.0.0.1"],
    ["127.0.0.1.", "127.0.0.1"],
    ["0", "0.0.0.0"],
    ["LOCALHOST", "localhost"],
    ["localhost.", "localhost"],
    ["[::1]", "::1"],
    ["::1", "::1"],
    ["[0:0:0:0:0:0:0:1]", "::1"],
    ["[::ffff:127.0.0.1]", "127.0.0.1"],
    ["::FFFF:7F00:1", "127.0.0.1"],
    ["[::]", "::"],
    ["Example.TEST", "example.test"],
    ["fe80::1%eth0", "fe80::1%eth0"], // refused by the URL parser: kept as it is
  ];
  for (const [host, canonical] of cases) {
    assertEquals(canonicalHost(host), canonical, host);
  }
});

const V4: Deno.NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 8 };
const ALL: Deno.NetAddr = { transport: "tcp", hostname: "0.0.0.0", port: 8 };
const V6: Deno.NetAddr = { transport: "tcp", hostname: "::1", port: 8 };
const LAN: Deno.NetAddr = { transport: "tcp", hostname: "192.0.2.7", port: 8 };

Deno.test("loopsBack() is true for every spelling of the loopback address it listens on", () => {
  for (
    const host of [
      "127.0.0.1",
      "127.1",
      "0x7f.1",
      "2130706433",
      "::ffff:127.0.0.1",
      "[::ffff:127.0.0.1]",
      "localhost",
      "LOCALHOST",
      "localhost.",
      "a.localhost",
      "0.0.0.0",
    ]
  ) {
    assertEquals(loopsBack({ host: host, port: 8 }, V4), true, host);
  }
  for (const host of ["127.0.0.2", "::1", "example.test", "192.0.2.7"]) {
    assertEquals(loopsBack({ host: host, port: 8 }, V4), false, host);
  }
  assertEquals(loopsBack({ host: "127.0.0.1", port: 9 }, V4), false); // another port
});

Deno.test("loopsBack() is true for the whole loopback when it listens on every address", () => {
  for (
    const host of ["127.0.0.2", "127.1", "::1", "[0:0:0:0:0:0:0:1]", "::", "0"]
  ) {
    assertEquals(loopsBack({ host: host, port: 8 }, ALL), true, host);
  }
  assertEquals(loopsBack({ host: "example.test", port: 8 }, ALL), false);
});

Deno.test("loopsBack() knows IPv6 loopback and specific addresses", () => {
  for (const host of ["::1", "[0:0:0:0:0:0:0:1]", "localhost", "::"]) {
    assertEquals(loopsBack({ host: host, port: 8 }, V6), true, host);
  }
  assertEquals(loopsBack({ host: "127.0.0.1", port: 8 }, V6), false);
  assertEquals(loopsBack({ host: "192.0.2.7", port: 8 }, LAN), true);
  assertEquals(loopsBack({ host: "3221225991", port: 8 }, LAN), true); // 192.0.2.7 as one integer
  assertEquals(loopsBack({ host: "127.0.0.1", port: 8 }, LAN), false);
});

Deno.test("viaNamesSelf() is true only when a Via hop names this instance (RFC 9110 §7.6.3)", () => {
  const via = (value: string) => new FieldList([["Via", value]]);
  assertEquals(viaNamesSelf(via(`1.1 ${VIA_NAME}`), VIA_NAME), true);
  assertEquals(
    viaNamesSelf(via(`1.0 a, 1.1 ${VIA_NAME.toUpperCase()} (x)`), VIA_NAME),
    true,
  );
  assertEquals(viaNamesSelf(via(`HTTP/1.1 ${VIA_NAME}:12345`), VIA_NAME), true);
  assertEquals(
    viaNamesSelf(via("1.1 cachelab-00000000, 1.1 cachelab"), VIA_NAME),
    false,
  );
  assertEquals(viaNamesSelf(via(`1.1 x${VIA_NAME}`), VIA_NAME), false);
  assertEquals(viaNamesSelf(new FieldList(), VIA_NAME), false);
});

Deno.test("mayReachGuarded() refuses every host at the port of a listener on all addresses, and only the loopback spellings of one on 127.0.0.1", () => {
  const port = 9001;
  const at = (hostname: string): Deno.NetAddr => ({
    transport: "tcp",
    hostname,
    port,
  });
  for (const wildcard of ["0.0.0.0", "::"]) {
    for (const host of ["192.0.2.2", "[2001:db8::1]", "myhost", "127.0.0.1"]) {
      assertEquals(mayReachGuarded({ host, port }, at(wildcard)), true, host);
    }
    assertEquals(
      mayReachGuarded({ host: "192.0.2.2", port: port + 1 }, at(wildcard)),
      false,
    );
  }
  assertEquals(mayReachGuarded({ host: "127.1", port }, at("127.0.0.1")), true);
  assertEquals(
    mayReachGuarded({ host: "192.0.2.2", port }, at("127.0.0.1")),
    false,
  );
});
