/**
 * CLI tests of `cachelab cache`'s command line, as a process: the help
 * of the command and of each action, and bad input as one stderr line
 * with exit code 2. Running the actions is tests/e2e/cache_cli_test.ts's.
 */

import assert from "../helpers/assert.ts";
import { REPO, runCachelab } from "../helpers/cli_process.ts";

Deno.test("main.ts --help lists cache beside origin and proxy", async () => {
  const { code, stdout } = await runCachelab(["--help"]);
  assert.equal(code, 0);
  assert.match(
    stdout,
    /^ {2}cachelab cache ls\|show\|purge\|stats \[OPTIONS\]$/m,
  );
  assert.match(stdout, /^ {2}cache +Lists, shows and purges the entries/m);
});

Deno.test("main.ts cache --help gives each action's usage and exits 0", async () => {
  const { code, stdout, stderr } = await runCachelab(["cache", "--help"]);
  assert.equal(code, 0);
  assert.equal(stderr, "");
  for (
    const usage of [
      "cachelab cache ls [--prefix URL] [--limit N] [--cache-dir DIR | --admin URL | --store URL] [--json]",
      "cachelab cache show URL [--cache-dir DIR | --admin URL | --store URL] [--json]",
      "cachelab cache purge URL | --prefix P | --all [--cache-dir DIR | --admin URL | --store URL] [--json]",
      "cachelab cache stats [--cache-dir DIR | --admin URL | --store URL] [--json]",
    ]
  ) {
    assert.ok(stdout.includes(`\n  ${usage}\n`), usage);
  }
});

Deno.test("main.ts cache ACTION --help prints the action's usage and flags", async () => {
  const flags: Record<string, string[]> = {
    ls: [
      "--prefix URL",
      "--limit N",
      "--cache-dir DIR",
      "--admin URL",
      "--json",
    ],
    show: ["URL", "--cache-dir DIR", "--admin URL", "--json"],
    purge: ["--prefix P", "--all", "--cache-dir DIR", "--admin URL", "--json"],
    stats: ["--cache-dir DIR", "--admin URL", "--json"],
  };
  for (const [action, names] of Object.entries(flags)) {
    const { code, stdout, stderr } = await runCachelab([
      "cache",
      action,
      "--help",
    ]);
    assert.equal(code, 0);
    assert.equal(stderr, "");
    assert.match(stdout, new RegExp(`^Usage: cachelab cache ${action} `));
    for (const name of names) {
      assert.match(
        stdout,
        new RegExp(`^ {2}${name} `, "m"),
        `${action} ${name}`,
      );
    }
  }
});

Deno.test("main.ts cache exits 2 with one line for bad input", async () => {
  const cases: [string[], string][] = [
    [
      [],
      "Cannot run cache: give an action: ls, show, purge or stats (see cachelab cache --help)",
    ],
    [
      ["list"],
      'Cannot run cache: unknown action "list": give ls, show, purge or stats (see cachelab cache --help)',
    ],
    [
      ["ls", "--bogus"],
      "Cannot run cache ls: unknown flag --bogus (see cachelab cache ls --help)",
    ],
    [
      ["ls", "--cache-dir", "/tmp", "--admin", "http://127.0.0.1:1"],
      "Cannot run cache ls: give one of --cache-dir, --admin and --store (see cachelab cache ls --help)",
    ],
    [
      ["stats", "--cache-dir", "/tmp", "--store", "redis://127.0.0.1:1"],
      "Cannot run cache stats: give one of --cache-dir, --admin and --store (see cachelab cache stats --help)",
    ],
    [
      ["stats", "--store", "redis://127.0.0.1"],
      'Cannot run cache stats: --store must be file or redis://HOST:PORT[/DB], not "redis://127.0.0.1" (see cachelab cache stats --help)',
    ],
    [
      ["ls", "--limit", "0", "--admin", "http://127.0.0.1:1"],
      'Cannot run cache ls: --limit must be a whole number from 1 to 100000, not "0" (see cachelab cache ls --help)',
    ],
    [
      ["ls", "--admin", "ftp://127.0.0.1:1"],
      'Cannot run cache ls: --admin must be http://HOST:PORT of an admin listener, not "ftp://127.0.0.1:1" (see cachelab cache ls --help)',
    ],
    [
      ["ls", "extra"],
      'Cannot run cache ls: unexpected argument "extra" (see cachelab cache ls --help)',
    ],
    [
      ["show", "--admin", "http://127.0.0.1:1"],
      "Cannot run cache show: give the URL to show (see cachelab cache show --help)",
    ],
    [
      ["purge", "--admin", "http://127.0.0.1:1"],
      "Cannot run cache purge: give exactly one of URL, --prefix P or --all (see cachelab cache purge --help)",
    ],
    [
      ["purge", "http://a.test/", "--all"],
      "Cannot run cache purge: give exactly one of URL, --prefix P or --all (see cachelab cache purge --help)",
    ],
    [
      ["purge", "--prefix=", "--admin", "http://127.0.0.1:1"],
      "Cannot run cache purge: the prefix to purge is empty (see cachelab cache purge --help)",
    ],
  ];
  for (const [args, line] of cases) {
    const run = await runCachelab(["cache", ...args]);
    assert.deepEqual(
      run,
      { code: 2, signal: null, stdout: "", stderr: `cachelab: ${line}\n` },
      args.join(" "),
    );
  }
});

Deno.test("README.md shows the exact text of cachelab cache --help", async () => {
  const readme = await Deno.readTextFile(`${REPO}README.md`);
  const { stdout } = await runCachelab(["cache", "--help"]);
  assert.ok(
    readme.includes("```text\n$ cachelab cache --help\n" + stdout + "```"),
    'README.md has the output of "cachelab cache --help"; paste it again',
  );
});

Deno.test("main.ts cache exits 1 with one line when the --admin listener cannot be reached", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close(); // nothing listens there now
  const run = await runCachelab([
    "cache",
    "stats",
    "--admin",
    `http://127.0.0.1:${port}`,
  ]);
  assert.equal(run.code, 1);
  assert.equal(run.stdout, "");
  assert.match(
    run.stderr,
    new RegExp(
      `^cachelab: Cannot run cache stats: the admin API at http://127\\.0\\.0\\.1:${port} cannot be reached: [^\\n]+\\n$`,
    ),
  );
});
