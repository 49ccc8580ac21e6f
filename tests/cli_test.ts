/**
 * Tests the `cachelab` command line end to end: main.ts is spawned with
 * the permissions of the compiled binary, and its exit code, stdout and
 * stderr are checked; servers are started on port 0, fetched from, and
 * stopped with a signal.
 */

import assert from "./helpers/assert.ts";
import {
  LineProcess,
  REPO,
  runCachelab,
  runToEnd,
} from "./helpers/cli_process.ts";

const VERSION: string =
  JSON.parse(await Deno.readTextFile(`${REPO}deno.json`)).version;
const DEMO = `${REPO}demo`;
const LISTENING = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/;

const ORIGIN_FLAGS = [
  "--root DIR",
  "--host HOST",
  "--max-age SECONDS",
  "--cache-control VALUE",
  "--timeout-head S",
  "--timeout-idle S",
  "--quiet",
  "--help",
];
const PROXY_FLAGS = [
  "--upstream HOST:PORT",
  "--host HOST",
  "--no-forward",
  "--connect-ports LIST",
  "--timeout-connect S",
  "--timeout-response S",
  "--timeout-head S",
  "--timeout-idle S",
  "--max-connections N",
  "--max-upstream-connections N",
  "--cache-dir DIR",
  "--cache-size BYTES",
  "--max-object-size BYTES",
  "--memory-cache-size BYTES",
  "--no-cache",
  "--skip-binary",
  "--quiet",
  "--help",
];

Deno.test("main.ts --help prints both commands on stdout and exits 0", async () => {
  for (const flag of ["--help", "-h"]) {
    const { code, stdout, stderr } = await runCachelab([flag]);
    assert.equal(code, 0);
    assert.equal(stderr, "");
    assert.match(stdout, /cachelab origin \[PORT\] \[OPTIONS\]/);
    assert.match(
      stdout,
      /cachelab proxy \[PORT\] \[UPSTREAM_PORT\] \[OPTIONS\]/,
    );
  }
});

Deno.test("main.ts origin --help lists every origin flag and its defaults", async () => {
  const { code, stdout, stderr } = await runCachelab(["origin", "--help"]);
  assert.equal(code, 0);
  assert.equal(stderr, "");
  for (const flag of ORIGIN_FLAGS) {
    assert.ok(stdout.includes(flag), `help mentions ${flag}`);
  }
  const text = stdout.replace(/\s+/g, " ");
  const defaults = [
    "20000",
    "127.0.0.1",
    "no-cache",
    "the current directory",
    "10",
    "60",
  ];
  for (const value of defaults) {
    assert.ok(
      text.includes(`(default: ${value})`),
      `help shows the default ${value}`,
    );
  }
});

Deno.test("main.ts proxy --help lists every proxy flag, its defaults and the size units", async () => {
  const { code, stdout, stderr } = await runCachelab(["proxy", "-h"]);
  assert.equal(code, 0);
  assert.equal(stderr, "");
  for (const flag of PROXY_FLAGS) {
    assert.ok(stdout.includes(flag), `help mentions ${flag}`);
  }
  const text = stdout.replace(/\s+/g, " ");
  for (
    const value of [
      "12345",
      "20000",
      "127.0.0.1:20000",
      "443 and the upstream port",
      "5",
      "30",
    ]
  ) {
    assert.ok(
      text.includes(`(default: ${value})`),
      `help shows the default ${value}`,
    );
  }
  for (
    const value of [
      "1GiB",
      "256MiB",
      "8MiB",
      "1024",
      "$XDG_CACHE_HOME/cachelab",
    ]
  ) {
    assert.ok(
      text.includes(`(default: ${value}`),
      `help shows the default ${value}`,
    );
  }
  assert.match(
    text,
    /KB, MB, GB \(powers of 1000\) or KiB, MiB, GiB \(powers of 1024\)/,
  );
});

Deno.test("main.ts --version prints the version of deno.json", async () => {
  const { code, stdout } = await runCachelab(["--version"]);
  assert.equal(code, 0);
  assert.equal(stdout, `cachelab ${VERSION}\n`);
});

Deno.test("main.ts prints the usage on stderr and exits 2 when no command is given", async () => {
  const { code, stdout, stderr } = await runCachelab([]);
  assert.equal(code, 2);
  assert.equal(stdout, "");
  assert.match(stderr, /^cachelab .*\n\nUsage:/);
});

Deno.test("README.md shows the exact --help text of each command", async () => {
  const readme = await Deno.readTextFile(`${REPO}README.md`);
  for (const command of ["origin", "proxy", "lab", "clock"]) {
    const { stdout } = await runCachelab([command, "--help"]);
    assert.ok(
      readme.includes(
        "```text\n$ cachelab " + command + " --help\n" + stdout + "```",
      ),
      `README.md has the output of "cachelab ${command} --help"; paste it again`,
    );
  }
});

/** Fetches `url` and returns status, a header and the body text. */
async function get(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  return {
    status: response.status,
    headers: response.headers,
    body: await response.text(),
  };
}

Deno.test("main.ts origin on port 0 prints its address first, serves demo/ and logs each request", async () => {
  await using origin = await LineProcess.cachelab([
    "origin",
    "0",
    "--root",
    DEMO,
  ]);
  const port = (await origin.waitFor(LISTENING))[1];
  assert.equal(origin.seen.length, 1, "the listening line comes first");
  const response = await get(`http://127.0.0.1:${port}/1.txt`);
  assert.equal(response.status, 200);
  assert.equal(response.body, await Deno.readTextFile(`${DEMO}/1.txt`));
  assert.equal(response.headers.get("cache-control"), "no-cache");
  origin.signal("SIGTERM");
  const { code, stderr } = await origin.finish();
  assert.equal(code, 0);
  assert.match(stderr, /^serving .*demo \(Cache-Control: no-cache\)$/m);
  assert.match(
    stderr,
    /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/1\.txt HTTP\/1\.1" 200 \d+$/m,
  );
});

Deno.test("main.ts origin stops with exit code 0 on SIGINT", async () => {
  await using origin = await LineProcess.cachelab([
    "origin",
    "0",
    "--root",
    DEMO,
    "--quiet",
  ]);
  await origin.waitFor(LISTENING);
  origin.signal("SIGINT");
  const { code, stdout, stderr } = await origin.finish();
  assert.equal(code, 0);
  assert.equal(stderr, "", "--quiet writes nothing on stderr");
  assert.match(stdout, /^listening on [^\n]+\n$/);
});

Deno.test("main.ts origin sends the Cache-Control value of --max-age or --cache-control", async () => {
  const cases = [
    { flags: ["--max-age", "60"], expected: "max-age=60" },
    {
      flags: ["--cache-control", "public, max-age=5"],
      expected: "public, max-age=5",
    },
  ];
  for (const { flags, expected } of cases) {
    await using origin = await LineProcess.cachelab([
      "origin",
      "0",
      "--root",
      DEMO,
      ...flags,
    ]);
    const port = (await origin.waitFor(LISTENING))[1];
    const response = await get(`http://127.0.0.1:${port}/2.binary`);
    assert.equal(response.headers.get("cache-control"), expected);
    origin.signal("SIGTERM");
    assert.equal((await origin.finish()).code, 0);
  }
});

Deno.test("main.ts origin prints an IPv6 address in brackets when --host is ::1", async () => {
  await using origin = await LineProcess.cachelab([
    "origin",
    "0",
    "--root",
    DEMO,
    "--host",
    "::1",
    "--quiet",
  ]);
  const port =
    (await origin.waitFor(/^listening on http:\/\/\[::1\]:(\d+)$/))[1];
  const response = await get(`http://[::1]:${port}/notes/3.txt`);
  assert.equal(response.status, 200);
  origin.signal("SIGTERM");
  assert.equal((await origin.finish()).code, 0);
});

Deno.test("main.ts origin exits 1 with one line when its port is in use", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { code, stdout, stderr } = await runCachelab([
    "origin",
    String(taken.addr.port),
    "--root",
    DEMO,
  ]);
  assert.equal(code, 1);
  assert.equal(stdout, "");
  assert.equal(
    stderr,
    `cachelab: Cannot start origin: 127.0.0.1:${taken.addr.port} is already in use\n`,
  );
});

Deno.test("main.ts proxy on port 0 forwards to the origin as reverse and forward proxy", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "cachelab-cli-" });
  try {
    await using origin = await LineProcess.cachelab([
      "origin",
      "0",
      "--root",
      DEMO,
      "--quiet",
    ]);
    const originPort = (await origin.waitFor(LISTENING))[1]!;
    await using proxy = await LineProcess.cachelab([
      "proxy",
      "0",
      originPort,
      "--cache-dir",
      cacheDir,
    ]);
    const proxyPort = (await proxy.waitFor(LISTENING))[1];
    const expected = await Deno.readTextFile(`${DEMO}/1.txt`);
    const reverse = await get(`http://127.0.0.1:${proxyPort}/1.txt`);
    assert.equal(reverse.status, 200);
    assert.equal(reverse.body, expected);
    const forward = await runToEnd("curl", [
      "-s",
      "-x",
      `http://127.0.0.1:${proxyPort}`,
      `http://127.0.0.1:${originPort}/1.txt`,
    ]);
    assert.equal(forward.stdout, expected);
    proxy.signal("SIGTERM");
    const stopped = await proxy.finish();
    assert.equal(stopped.code, 0);
    assert.ok(
      stopped.stderr.includes(`cache: ${cacheDir} (up to 1GiB`),
      stopped.stderr,
    );
    assert.match(stopped.stderr, /"GET \/1\.txt HTTP\/1\.1" 200/);
    assert.match(
      stopped.stderr,
      /"GET http:\/\/127\.0\.0\.1:\d+\/1\.txt HTTP\/1\.1" 200/,
    );
    origin.signal("SIGTERM");
    assert.equal((await origin.finish()).code, 0);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("main.ts proxy --no-cache starts without a cache folder", async () => {
  await using proxy = await LineProcess.cachelab(["proxy", "0", "--no-cache"]);
  await proxy.waitFor(LISTENING);
  proxy.signal("SIGTERM");
  const { code, stderr } = await proxy.finish();
  assert.equal(code, 0);
  assert.match(stderr, /^cache: off \(--no-cache\)$/m);
});
