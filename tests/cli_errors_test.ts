/**
 * Tests that every kind of bad `cachelab` input ends the same way: exit
 * code 2, exactly one line on stderr naming the problem, no stack trace,
 * and nothing on stdout.
 */

import assert from "./helpers/assert.ts";
import { REPO, runCachelab, runToEnd } from "./helpers/cli_process.ts";

const aFile = `${REPO}demo/1.txt`;
const BAD_INPUTS: { args: string[]; says: RegExp }[] = [
  { args: ["serve"], says: /Cannot run: unknown command "serve"/ },
  { args: ["--verbose"], says: /Cannot run: unknown flag "--verbose"/ },
  {
    args: ["origin", "--bogus"],
    says: /Cannot start origin: unknown flag --bogus/,
  },
  { args: ["origin", "-x"], says: /Cannot start origin: unknown flag -x/ },
  {
    args: ["origin", "70000"],
    says: /PORT must be a number from 0 to 65535, not "70000"/,
  },
  {
    args: ["origin", "http"],
    says: /PORT must be a number from 0 to 65535, not "http"/,
  },
  { args: ["origin", "-1"], says: /"-1" is not a valid argument/ },
  { args: ["origin", "1", "2"], says: /unexpected argument "2"/ },
  {
    args: ["origin", "--root", "/no/such/dir"],
    says: /--root \/no\/such\/dir does not exist/,
  },
  {
    args: ["origin", "--root", aFile],
    says: /--root .*1\.txt is not a directory/,
  },
  { args: ["origin", "--root"], says: /--root needs a value/ },
  {
    args: ["origin", "--root", "demo", "--root", "."],
    says: /--root is given more than once/,
  },
  { args: ["origin", "--quiet=yes"], says: /--quiet takes no value/ },
  {
    args: ["origin", "--host", "a b"],
    says: /--host must be a host name or IP address/,
  },
  {
    args: ["origin", "--max-age", "5", "--cache-control", "public"],
    says: /--max-age and --cache-control cannot be used together/,
  },
  {
    args: ["origin", "--max-age", "-5"],
    says: /--max-age needs a value; write --max-age=-5/,
  },
  {
    args: ["origin", "--max-age=-5"],
    says: /--max-age must be a whole number/,
  },
  {
    args: ["origin", "--max-age", "1.5"],
    says: /--max-age must be a whole number/,
  },
  {
    args: ["origin", "--cache-control", "a\r\nX-Evil: 1"],
    says: /without CR, LF/,
  },
  {
    args: ["origin", "--cache-control", " "],
    says: /--cache-control must not be empty/,
  },
  {
    args: ["origin", "--timeout-idle", "0"],
    says: /--timeout-idle must be a number of seconds/,
  },
  { args: ["proxy", "99999"], says: /PORT must be a number from 0 to 65535/ },
  {
    args: ["proxy", "0", "0"],
    says: /UPSTREAM_PORT must be a number from 1 to 65535/,
  },
  { args: ["proxy", "0", "20000", "3"], says: /unexpected argument "3"/ },
  {
    args: ["proxy", "0", "20000", "--upstream", "example.test:80"],
    says: /UPSTREAM_PORT and --upstream cannot be used together/,
  },
  {
    args: ["proxy", "--upstream", "example.test"],
    says: /--upstream must be HOST:PORT/,
  },
  {
    args: ["proxy", "--upstream", "::1:8080"],
    says: /IPv6 address in brackets/,
  },
  {
    args: ["proxy", "--upstream", "[::1]:0"],
    says: /the port of --upstream must be/,
  },
  {
    args: ["proxy", "--connect-ports", "443,ssh"],
    says: /--connect-ports must be a number/,
  },
  {
    args: ["proxy", "--timeout-connect", "0"],
    says: /--timeout-connect must be a number/,
  },
  {
    args: ["proxy", "--timeout-response", "1e3"],
    says: /--timeout-response must be a number/,
  },
  {
    args: ["proxy", "--timeout-head", "-1"],
    says: /--timeout-head needs a value/,
  },
  {
    args: ["proxy", "--timeout-idle", "9999999"],
    says: /--timeout-idle must be at most/,
  },
  {
    args: ["proxy", "--max-connections", "0"],
    says: /--max-connections must be a whole/,
  },
  {
    args: ["proxy", "--max-upstream-connections", "0"],
    says: /--max-upstream-connections must be a whole number from 1/,
  },
  {
    args: ["proxy", "--max-upstream-connections", "2.5"],
    says: /--max-upstream-connections must be a whole/,
  },
  {
    args: ["proxy", "--max-upstream-connections", "-3"],
    says: /--max-upstream-connections needs a value/,
  },
  {
    args: ["proxy", "--max-upstream-connections", "lots"],
    says: /--max-upstream-connections must be a whole/,
  },
  {
    args: ["proxy", "--cache-size", "lots"],
    says: /--cache-size must be a size like/,
  },
  {
    args: ["proxy", "--cache-size", "10XB"],
    says: /--cache-size must be a size like/,
  },
  {
    args: ["proxy", "--cache-size", "1.5"],
    says: /--cache-size must be a whole number of bytes/,
  },
  {
    args: ["proxy", "--cache-size", "0"],
    says: /--cache-size must be at least 4160 bytes \(a 4KiB block/,
  },
  {
    args: ["proxy", "--cache-size", "4KiB"], // stores nothing: one entry takes a block and a directory entry
    says: /--cache-size must be at least 4160 bytes/,
  },
  {
    args: ["proxy", "--cache-size", "1MiB", "--max-object-size", "2MiB"],
    says: /--max-object-size 2MiB is larger than --cache-size 1MiB/,
  },
  {
    args: ["proxy", "--memory-cache-size", "2GiB"],
    says: /--memory-cache-size 2GiB is larger than --cache-size 1GiB/,
  },
  {
    args: ["proxy", "--no-cache", "--cache-size", "1GiB"],
    says: /--cache-size cannot be used with --no-cache/,
  },
  {
    args: ["proxy", "--no-cache", "--skip-binary"],
    says: /--skip-binary cannot be used/,
  },
  {
    args: ["proxy", "--targeted-fields", "CDN-Cache-Control,,X"],
    says: /--targeted-fields must be comma-separated header field names/,
  },
  {
    args: ["proxy", "--targeted-fields", "Cache-Control"],
    says: /--targeted-fields cannot name Cache-Control/,
  },
  {
    args: ["proxy", "--max-stale-on-error", "1.5"],
    says: /--max-stale-on-error must be a whole number from 0/,
  },
  {
    args: ["proxy", "--max-stale-on-error", "-1"],
    says: /--max-stale-on-error needs a value/,
  },
  {
    args: ["proxy", "--no-cache", "--store-set-cookie"],
    says: /--store-set-cookie cannot be used with --no-cache/,
  },
  {
    args: ["proxy", "--cache-dir", aFile],
    says: /cache folder .*1\.txt is not a directory/,
  },
];

for (const { args, says } of BAD_INPUTS) {
  Deno.test(`main.ts exits 2 with one line on stderr when given ${JSON.stringify(args)}`, async () => {
    const { code, stdout, stderr } = await runCachelab(args, { cwd: REPO });
    assert.equal(
      code,
      2,
      `exit code for ${JSON.stringify(args)}; stderr: ${stderr}`,
    );
    assert.equal(stdout, "");
    assert.match(stderr, /^cachelab: Cannot [^\n]+\n$/, "exactly one line");
    assert.match(stderr, says);
    assert.doesNotMatch(stderr, /\bat .*\.ts:\d+/, "no stack trace");
  });
}

Deno.test("main.ts proxy exits 2 when no cache folder can be found in the environment", async () => {
  const info = await runToEnd(Deno.execPath(), ["info", "--json"]);
  const denoDir: string = JSON.parse(info.stdout).denoDir;
  const { code, stderr } = await runCachelab(["proxy", "0"], {
    clearEnv: true,
    env: { DENO_DIR: denoDir },
  });
  assert.equal(code, 2);
  assert.match(
    stderr,
    /^cachelab: Cannot start proxy: give --cache-dir \(neither XDG_CACHE_HOME/,
  );
});
