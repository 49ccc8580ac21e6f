/**
 * Table tests of the argument readers: ports, sizes, seconds, counts,
 * hosts, HOST:PORT and field-name lists, each accepted and rejected form.
 */

import assert from "../helpers/assert.ts";
import { UsageError } from "../../cli/args.ts";
import {
  formatByteSize,
  hostForUrl,
  parseByteSize,
  parseCount,
  parseFieldNameList,
  parseHost,
  parseHostPort,
  parseListenPort,
  parsePortList,
  parseRedisUrl,
  parseRemotePort,
  parseSecondsAsMs,
} from "../../cli/values.ts";

function rejects(read: () => unknown, message: RegExp): void {
  assert.throws(
    read,
    (error) => error instanceof UsageError && message.test(error.message),
  );
}

Deno.test("parseListenPort() accepts 0..65535 and rejects the rest", () => {
  assert.equal(parseListenPort("0", "PORT"), 0);
  assert.equal(parseListenPort("20000", "PORT"), 20000);
  assert.equal(parseListenPort("65535", "PORT"), 65535);
  for (const bad of ["65536", "-1", "", "12a", "1e3", " 80", "0x50", "80.0"]) {
    rejects(
      () => parseListenPort(bad, "PORT"),
      /^PORT must be a number from 0 to 65535/,
    );
  }
});

Deno.test("parseRemotePort() rejects port 0 because nothing can be reached there", () => {
  assert.equal(parseRemotePort("1", "UPSTREAM_PORT"), 1);
  rejects(
    () => parseRemotePort("0", "UPSTREAM_PORT"),
    /from 1 to 65535, not "0"/,
  );
});

Deno.test("parsePortList() reads a comma list, drops repeats, and reads '' as no ports", () => {
  assert.deepEqual(parsePortList("443, 8443,443", "--connect-ports"), [
    443,
    8443,
  ]);
  assert.deepEqual(parsePortList("", "--connect-ports"), []);
  rejects(() => parsePortList("443,,80", "--connect-ports"), /--connect-ports/);
  rejects(() => parsePortList("https", "--connect-ports"), /not "https"/);
});

Deno.test("parseByteSize() reads plain bytes, decimal and binary units", () => {
  const cases: [string, number][] = [
    ["0", 0],
    ["1048576", 1048576],
    ["10B", 10],
    ["1KB", 1000],
    ["1KiB", 1024],
    ["512MiB", 512 * 1024 ** 2],
    ["2MB", 2_000_000],
    ["1GiB", 1024 ** 3],
    ["1.5GB", 1_500_000_000],
    ["1.5KiB", 1536],
    ["64 mib", 64 * 1024 ** 2],
  ];
  for (const [text, bytes] of cases) {
    assert.equal(parseByteSize(text, "--cache-size"), bytes, text);
  }
});

Deno.test("parseByteSize() rejects unknown units, fractions of a byte and huge sizes", () => {
  for (const bad of ["", "lots", "10XB", "1K", "1G", "-1MiB", "1,5GB", "GiB"]) {
    rejects(
      () => parseByteSize(bad, "--cache-size"),
      /^--cache-size must be a size like/,
    );
  }
  rejects(() => parseByteSize("1.5", "--cache-size"), /whole number of bytes/);
  rejects(() => parseByteSize("99999999GiB", "--cache-size"), /too large/);
});

Deno.test("formatByteSize() names the largest binary unit that divides the size", () => {
  assert.equal(formatByteSize(1024 ** 3), "1GiB");
  assert.equal(formatByteSize(256 * 1024 ** 2), "256MiB");
  assert.equal(formatByteSize(1536), "1536B");
  assert.equal(formatByteSize(2048), "2KiB");
  assert.equal(formatByteSize(0), "0B");
});

Deno.test("parseSecondsAsMs() reads decimals greater than 0 as milliseconds", () => {
  assert.equal(parseSecondsAsMs("5", "--timeout-connect"), 5000);
  assert.equal(parseSecondsAsMs("0.5", "--timeout-connect"), 500);
  assert.equal(parseSecondsAsMs(".25", "--timeout-connect"), 250);
  assert.equal(
    parseSecondsAsMs("2147483.647", "--timeout-connect"),
    2_147_483_647,
  );
  for (const bad of ["0", "0.0001", "-1", "", "abc", "1e3", "Infinity", "5s"]) {
    rejects(() => parseSecondsAsMs(bad, "--timeout-connect"), /greater than 0/);
  }
  rejects(
    () => parseSecondsAsMs("2147484", "--timeout-idle"),
    /at most 2147483.647 seconds/,
  );
});

Deno.test("parseCount() accepts whole numbers within the range only", () => {
  const range = { min: 1, max: 10 };
  assert.equal(parseCount("10", "--max-connections", range), 10);
  for (const bad of ["0", "11", "1.5", "", "ten"]) {
    rejects(() => parseCount(bad, "--max-connections", range), /from 1 to 10/);
  }
});

Deno.test("parseHost() strips IPv6 brackets and rejects spaces and slashes", () => {
  assert.equal(parseHost("127.0.0.1", "--host"), "127.0.0.1");
  assert.equal(parseHost("[::1]", "--host"), "::1");
  assert.equal(parseHost("::1", "--host"), "::1");
  assert.equal(parseHost("my-host.example", "--host"), "my-host.example");
  for (const bad of ["", "a b", "a/b", "http://x", "[::1"]) {
    rejects(
      () => parseHost(bad, "--host"),
      /^--host must be a host name or IP address/,
    );
  }
});

Deno.test("parseHostPort() reads HOST:PORT and [IPv6]:PORT", () => {
  assert.deepEqual(parseHostPort("example.test:8080", "--upstream"), {
    host: "example.test",
    port: 8080,
  });
  assert.deepEqual(parseHostPort("[::1]:20000", "--upstream"), {
    host: "::1",
    port: 20000,
  });
  rejects(
    () => parseHostPort("example.test", "--upstream"),
    /must be HOST:PORT/,
  );
  rejects(
    () => parseHostPort("::1:80", "--upstream"),
    /IPv6 address in brackets/,
  );
  rejects(() => parseHostPort(":80", "--upstream"), /the host of --upstream/);
  rejects(() => parseHostPort("h:", "--upstream"), /the port of --upstream/);
  rejects(
    () => parseHostPort("h:70000", "--upstream"),
    /the port of --upstream/,
  );
});

Deno.test("hostForUrl() puts IPv6 addresses in brackets only", () => {
  assert.equal(hostForUrl("::1"), "[::1]");
  assert.equal(hostForUrl("127.0.0.1"), "127.0.0.1");
  assert.equal(hostForUrl("localhost"), "localhost");
});

Deno.test("parseFieldNameList() reads field names in order, keeps one of each name whatever its case, and reads '' as none", () => {
  assert.deepEqual(parseFieldNameList("", "LIST"), []);
  assert.deepEqual(parseFieldNameList(" ", "LIST"), []);
  assert.deepEqual(
    parseFieldNameList("CDN-Cache-Control, x_y ,cdn-cache-control", "LIST"),
    ["CDN-Cache-Control", "x_y"],
  );
  for (const bad of [",", "a,", ",a", "a b", "a:b", "a;b", "é"]) {
    rejects(
      () => parseFieldNameList(bad, "LIST"),
      /^LIST must be comma-separated header field names/,
    );
  }
});

Deno.test("parseRedisUrl() reads redis://HOST:PORT[/DB] and rejects the rest", () => {
  assert.deepEqual(parseRedisUrl("redis://127.0.0.1:6379", "--store"), {
    host: "127.0.0.1",
    port: 6379,
    db: 0,
  });
  assert.deepEqual(parseRedisUrl("redis://r.lan:6380/15", "--store"), {
    host: "r.lan",
    port: 6380,
    db: 15,
  });
  assert.deepEqual(parseRedisUrl("redis://[::1]:1/", "--store"), {
    host: "::1",
    port: 1,
    db: 0,
  });
  const shape = /^--store must be file or redis:\/\/HOST:PORT\[\/DB\], not "/;
  for (
    const bad of [
      "file2",
      "rediss://h:1",
      "http://h:1",
      "redis://h",
      "redis://:1",
      "redis://h:1/0/x",
      "redis://h:1?db=2",
      " redis://h:1",
    ]
  ) {
    rejects(() => parseRedisUrl(bad, "--store"), shape);
  }
  for (const bad of ["redis://:pw@h:1", "redis://user:pw@h:1/0"]) {
    rejects(
      () => parseRedisUrl(bad, "--store"),
      /^--store cannot carry a user or password/,
    );
  }
  rejects(
    () => parseRedisUrl("redis://h:0", "--store"),
    /^the port of --store must be a number from 1 to 65535/,
  );
  rejects(
    () => parseRedisUrl("redis://h:1/16", "--store"),
    /^the database of --store must be a whole number from 0 to 15, not "16"/,
  );
  rejects(
    () => parseRedisUrl("redis://h a:1", "--store"),
    /^the host of --store must be a host name/,
  );
});
