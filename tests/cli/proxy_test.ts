/**
 * Tests turning a `cachelab proxy` command line into a ProxyConfig
 * (cli/proxy.ts with the cache flags of cli/cache_flags.ts):
 * defaults, the upstream forms, connect ports, timeouts, the cache
 * folder from the environment, and sizes bounded by the cache size.
 */

import assert from "../helpers/assert.ts";
import { parseCommandLine, UsageError } from "../../cli/args.ts";
import type { EnvLookup } from "../../cli/cache_flags.ts";
import { PROXY_COMMAND, proxyPlanFrom } from "../../cli/proxy.ts";

const HOME_ONLY: EnvLookup = (
  name,
) => (name === "HOME" ? "/home/u" : undefined);

function plan(args: string[], env = HOME_ONLY) {
  return proxyPlanFrom(parseCommandLine(args, PROXY_COMMAND), env, "/work");
}

async function rejects(args: string[], message: RegExp, env = HOME_ONLY) {
  await assert.rejects(
    plan(args, env),
    (error) => error instanceof UsageError && message.test(error.message),
  );
}

Deno.test("proxyPlanFrom() gives the documented defaults when no flag is given", async () => {
  const { config, quiet } = await plan([]);
  assert.equal(quiet, false);
  assert.deepEqual(config, {
    host: "127.0.0.1",
    port: 12345,
    upstream: { host: "127.0.0.1", port: 20000 },
    forward: true,
    connectPorts: [443, 20000],
    connectTimeoutMs: 5000,
    responseTimeoutMs: 30000,
    headTimeoutMs: 10000,
    idleTimeoutMs: 60000,
    maxConnections: 1024,
    maxUpstreamConnections: 256,
    cache: {
      store: {
        kind: "file",
        dir: "/home/u/.cache/cachelab",
        sizeBytes: 1024 ** 3,
      },
      maxObjectBytes: 256 * 1024 ** 2,
      memoryBytes: 8 * 1024 ** 2,
      skipBinary: false,
      targetedFields: ["Cachelab-Cache-Control", "CDN-Cache-Control"],
      storeSetCookie: false,
      maxStaleOnErrorSeconds: 86400,
    },
  });
});

Deno.test("proxyPlanFrom() reads every flag when all are given", async () => {
  const { config, quiet } = await plan([
    "8080",
    "--upstream=[::1]:9000",
    "--host",
    "::1",
    "--no-forward",
    "--connect-ports",
    "443,8443",
    "--timeout-connect",
    "0.5",
    "--timeout-response",
    "2",
    "--timeout-head",
    "3",
    "--timeout-idle",
    "4.25",
    "--max-connections",
    "10",
    "--max-upstream-connections",
    "3",
    "--cache-dir",
    "cache",
    "--cache-size",
    "10MB",
    "--max-object-size",
    "1MB",
    "--memory-cache-size",
    "0",
    "--skip-binary",
    "--targeted-fields",
    " Edge-Cache-Control , cdn-cache-control,EDGE-cache-control",
    "--store-set-cookie",
    "--max-stale-on-error",
    "0",
    "--quiet",
  ]);
  assert.equal(quiet, true);
  assert.deepEqual(config, {
    host: "::1",
    port: 8080,
    upstream: { host: "::1", port: 9000 },
    forward: false,
    connectPorts: [443, 8443],
    connectTimeoutMs: 500,
    responseTimeoutMs: 2000,
    headTimeoutMs: 3000,
    idleTimeoutMs: 4250,
    maxConnections: 10,
    maxUpstreamConnections: 3,
    cache: {
      store: { kind: "file", dir: "/work/cache", sizeBytes: 10_000_000 },
      maxObjectBytes: 1_000_000,
      memoryBytes: 0,
      skipBinary: true,
      targetedFields: ["Edge-Cache-Control", "cdn-cache-control"],
      storeSetCookie: true,
      maxStaleOnErrorSeconds: 0,
    },
  });
});

Deno.test("proxyPlanFrom() allows CONNECT to 443 and the upstream port by default", async () => {
  assert.deepEqual((await plan(["0", "443"])).config.connectPorts, [443]);
  assert.deepEqual((await plan(["--upstream", "h:8443"])).config.connectPorts, [
    443,
    8443,
  ]);
  assert.deepEqual(
    (await plan(["--connect-ports", ""])).config.connectPorts,
    [],
  );
});

Deno.test("proxyPlanFrom() takes the cache folder from XDG_CACHE_HOME when it is absolute", async () => {
  const env = (xdg: string) => (name: string) =>
    name === "XDG_CACHE_HOME" ? xdg : "/home/u";
  assert.deepEqual(
    (await plan([], env("/var/cache"))).config.cache?.store,
    { kind: "file", dir: "/var/cache/cachelab", sizeBytes: 1024 ** 3 },
  );
  assert.deepEqual(
    (await plan([], env("relative"))).config.cache?.store,
    { kind: "file", dir: "/home/u/.cache/cachelab", sizeBytes: 1024 ** 3 },
  );
  await rejects([], /give --cache-dir/, () => undefined);
});

Deno.test("proxyPlanFrom() shrinks default object and memory sizes to a small cache", async () => {
  const cache = (await plan(["--cache-size", "1MiB"])).config.cache;
  assert.equal(cache?.maxObjectBytes, 1024 ** 2);
  assert.equal(cache?.memoryBytes, 1024 ** 2);
  await rejects(
    ["--cache-size", "1MiB", "--memory-cache-size", "2MiB"],
    /larger than/,
  );
});

Deno.test("proxyPlanFrom() leaves the cache out with --no-cache and refuses cache flags with it", async () => {
  assert.equal(
    (await plan(["--no-cache"], () => undefined)).config.cache,
    undefined,
  );
  for (
    const flag of [
      ["--cache-dir", "x"],
      ["--max-object-size", "1"],
      ["--skip-binary"],
      ["--targeted-fields", ""],
      ["--store-set-cookie"],
      ["--max-stale-on-error", "60"],
      ["--store", "redis://127.0.0.1:6380"],
      ["--store-timeout", "1"],
    ]
  ) {
    await rejects(["--no-cache", ...flag], /cannot be used with --no-cache/);
  }
});

Deno.test("proxyPlanFrom() refuses UPSTREAM_PORT together with --upstream", async () => {
  await rejects(["0", "1", "--upstream", "h:2"], /cannot be used together/);
});

Deno.test('proxyPlanFrom() turns targeted fields off with --targeted-fields "" (RFC 9213)', async () => {
  const cache = (await plan(["--targeted-fields", ""])).config.cache;
  assert.deepEqual(cache?.targetedFields, []);
  const spaces = (await plan(["--targeted-fields", "  "])).config.cache;
  assert.deepEqual(spaces?.targetedFields, []);
});

Deno.test("proxyPlanFrom() refuses a --targeted-fields list with an empty element, a non-token or Cache-Control", async () => {
  await rejects(["--targeted-fields", "A,,B"], /--targeted-fields must be/);
  await rejects(["--targeted-fields", "A,"], /--targeted-fields must be/);
  await rejects(
    ["--targeted-fields", "Edge Cache"],
    /--targeted-fields must be/,
  );
  await rejects(["--targeted-fields", "a:b"], /--targeted-fields must be/);
  await rejects(
    ["--targeted-fields", "CDN-Cache-Control,cache-control"],
    /cannot name Cache-Control/,
  );
});

Deno.test("proxyPlanFrom() reads --max-stale-on-error as whole seconds from 0 to 2^31", async () => {
  const max = (await plan(["--max-stale-on-error", "2147483648"])).config;
  assert.equal(max.cache?.maxStaleOnErrorSeconds, 2147483648);
  for (const bad of ["2147483649", "1.5", "", "x", "1e3"]) {
    await rejects(
      ["--max-stale-on-error", bad],
      /--max-stale-on-error must be a whole number from 0 to 2147483648/,
    );
  }
});

Deno.test("proxyPlanFrom() puts the admin listener on 127.0.0.1 at PORT+1 by default, 0 when PORT is 0", async () => {
  assert.deepEqual((await plan([])).admin, { host: "127.0.0.1", port: 12346 });
  assert.deepEqual((await plan(["8080"])).admin, {
    host: "127.0.0.1",
    port: 8081,
  });
  assert.deepEqual((await plan(["0"])).admin, { host: "127.0.0.1", port: 0 });
});

Deno.test("proxyPlanFrom() reads --admin-port and --admin-host, and --no-admin turns the listener off", async () => {
  assert.deepEqual(
    (await plan(["0", "--admin-port", "9000", "--admin-host", "::1"])).admin,
    { host: "::1", port: 9000 },
  );
  assert.equal((await plan(["--no-admin"])).admin, undefined);
});

Deno.test("proxyPlanFrom() throws a UsageError for --no-admin with an admin flag, a bad --admin-port, or PORT 65535 without --admin-port", async () => {
  for (
    const [args, message] of [
      [
        ["--no-admin", "--admin-port", "1"],
        "--no-admin and --admin-port cannot be used together",
      ],
      [
        ["--no-admin", "--admin-host", "::1"],
        "--no-admin and --admin-host cannot be used together",
      ],
      [
        ["--admin-port", "x"],
        '--admin-port must be a number from 0 to 65535, not "x"',
      ],
      [
        ["65535"],
        "--admin-port must be given when PORT is 65535 (PORT+1 is no port)",
      ],
    ] as const
  ) {
    await assert.rejects(
      plan([...args]),
      (error) => error instanceof UsageError && error.message === message,
      args.join(" "),
    );
  }
  assert.deepEqual((await plan(["65535", "--admin-port", "0"])).admin, {
    host: "127.0.0.1",
    port: 0,
  });
});

Deno.test("proxyPlanFrom() reads a Redis --store, its timeout and the node's memory tier without a cache cap", async () => {
  const cache = (await plan([
    "--store",
    "redis://[::1]:6380/3",
    "--store-timeout",
    "0.25",
    "--memory-cache-size",
    "2GiB",
    "--max-object-size",
    "4GiB",
  ], () => undefined)).config.cache; // no HOME needed: no folder
  assert.deepEqual(cache?.store, {
    kind: "redis",
    host: "::1",
    port: 6380,
    db: 3,
    timeoutMs: 250,
  });
  assert.equal(cache?.memoryBytes, 2 * 1024 ** 3);
  assert.equal(cache?.maxObjectBytes, 4 * 1024 ** 3);
  const plain = (await plan(["--store", "redis://h:1"])).config.cache;
  assert.deepEqual(plain?.store, {
    kind: "redis",
    host: "h",
    port: 1,
    db: 0,
    timeoutMs: 500,
  });
  assert.equal(plain?.memoryBytes, 8 * 1024 ** 2);
  const file = (await plan(["--store", "file"])).config.cache;
  assert.equal(file?.store.kind, "file");
});

Deno.test("proxyPlanFrom() refuses --cache-dir and --cache-size with a Redis --store, and --store-timeout without one", async () => {
  for (const flag of [["--cache-dir", "x"], ["--cache-size", "1GB"]]) {
    await rejects(
      ["--store", "redis://127.0.0.1:6380", ...flag],
      /^--cache-(dir|size) cannot be used with a Redis --store/,
    );
  }
  await rejects(["--store-timeout", "1"], /^--store-timeout needs a Redis/);
  await rejects(
    ["--store", "redis://h:1", "--store-timeout", "0"],
    /^--store-timeout must be a number of seconds/,
  );
});
