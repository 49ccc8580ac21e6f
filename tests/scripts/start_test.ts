/**
 * Tests `deno task start` (scripts/start.ts) with the task's own command
 * and free ports: the origin and the proxy come up on a copy of demo/,
 * the printed curl commands point at them and at the copy, a request and
 * an edit go through without touching the tracked demo/, SIGTERM stops
 * both and the copy is removed; bad flags start nothing.
 */

import assert from "../helpers/assert.ts";
import { LineProcess, REPO } from "../helpers/cli_process.ts";

const DENO_JSON = JSON.parse(await Deno.readTextFile(`${REPO}deno.json`));

/** `deno task start`'s command as a program and arguments, plus `extra`. */
function startCommand(extra: string[]): [string, string[]] {
  const words: string[] = DENO_JSON.tasks.start.split(/\s+/);
  assert.equal(words[0], "deno");
  return [Deno.execPath(), [...words.slice(1), ...extra]];
}

async function refusesConnections(port: string): Promise<boolean> {
  try {
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: Number(port),
    });
    conn.close();
    return false;
  } catch (error) {
    return error instanceof Deno.errors.ConnectionRefused;
  }
}

Deno.test("start.ts runs the origin on demo/ and the proxy in front of it until SIGTERM", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "cachelab-start-" });
  try {
    const [program, args] = startCommand([
      "--origin-port",
      "0",
      "--proxy-port",
      "0",
      "--cache-dir",
      cacheDir,
    ]);
    await using start = new LineProcess(program, args, { cwd: REPO });
    const originPort = (await start.waitFor(
      /^\[origin\] listening on http:\/\/127\.0\.0\.1:(\d+)$/,
    ))[1]!;
    const proxyPort = (await start.waitFor(
      /^\[proxy\] listening on http:\/\/127\.0\.0\.1:(\d+)$/,
    ))[1]!;
    const adminPort = (await start.waitFor(
      /^\[proxy\] admin on http:\/\/127\.0\.0\.1:(\d+)$/,
    ))[1]!;
    await start.waitFor(/^Ctrl-C stops both\.$/);
    const printed = start.seen.join("\n");
    assert.ok(
      printed.includes(
        `The admin listener is at http://127.0.0.1:${adminPort}: open ` +
          `http://127.0.0.1:${adminPort}/ in a browser for the live page, or\n` +
          `  curl -s localhost:${adminPort}/api/entries `,
      ),
      printed,
    );
    assert.ok(
      printed.includes(`curl -i localhost:${proxyPort}/1.txt`),
      printed,
    );
    assert.ok(
      printed.includes(`http://127.0.0.1:${originPort}/2.binary`),
      printed,
    );
    const served = /^The origin serves (\/tmp\/cachelab-demo-[^/\s]+)\/ /m
      .exec(printed)?.[1];
    assert.ok(served, printed);
    const tracked = await Deno.readTextFile(`${REPO}demo/1.txt`);
    assert.equal(await Deno.readTextFile(`${served}/1.txt`), tracked);
    const edit = new RegExp(
      `^  echo "edited \\$\\(date\\)" >> ${served}/1\\.txt$`,
      "m",
    );
    assert.match(printed, edit);

    const response = await fetch(`http://127.0.0.1:${proxyPort}/1.txt`);
    assert.equal(await response.text(), tracked);
    await Deno.writeTextFile(`${served}/1.txt`, "edited\n", { append: true }); // what the printed echo does
    const edited = await fetch(`http://127.0.0.1:${proxyPort}/1.txt`);
    assert.equal(await edited.text(), `${tracked}edited\n`);
    assert.equal(await Deno.readTextFile(`${REPO}demo/1.txt`), tracked);

    start.signal("SIGTERM");
    const { code, stderr } = await start.finish();
    assert.equal(code, 0, stderr);
    assert.match(
      stderr,
      /^\[origin\] 127\.0\.0\.1 - - .*"GET \/1\.txt HTTP\/1\.1" 200/m,
    );
    assert.match(
      stderr,
      /^\[proxy\] 127\.0\.0\.1 - - .*"GET \/1\.txt HTTP\/1\.1" 200/m,
    );
    assert.ok(await refusesConnections(originPort), "the origin has stopped");
    assert.ok(await refusesConnections(proxyPort), "the proxy has stopped");
    await assert.rejects(Deno.stat(served), Deno.errors.NotFound);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("start.ts exits 1 and says why when the origin cannot start", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [program, args] = startCommand([
    "--origin-port",
    String(taken.addr.port),
  ]);
  await using start = new LineProcess(program, args, { cwd: REPO });
  const { code, stderr } = await start.finish();
  assert.equal(code, 1);
  assert.match(
    stderr,
    new RegExp(
      `^start: the origin did not start: .*127\\.0\\.0\\.1:${taken.addr.port} is already in use$`,
      "m",
    ),
  );
});

// deno-fmt-ignore
const BAD_FLAGS: [string[], RegExp][] = [
  [["--bogus"], /unknown flag --bogus/],
  [["--proxy-port", "abc"], /--proxy-port must be a number from 0 to 65535, not "abc"/],
  [["--origin-port", "70000"], /--origin-port must be a number/],
  [["--origin-port"], /--origin-port needs a value/],
  [["--origin-port", "8000", "--proxy-port", "8000"], /must differ/],
  [["--cache-dir="], /--cache-dir needs a folder/],
  [["--proxy-port", "1", "--proxy-port", "2"], /given more than once/],
  [["8000"], /unexpected argument "8000"/],
];

for (const [extra, reason] of BAD_FLAGS) {
  Deno.test(`start.ts exits 2 with one line on stderr and starts nothing for ${extra.join(" ")}`, async () => {
    const [program, args] = startCommand(extra);
    await using start = new LineProcess(program, args, { cwd: REPO });
    const { code, stdout, stderr } = await start.finish();
    assert.equal(code, 2, stderr);
    assert.equal(stdout, "");
    assert.match(stderr, new RegExp(`^start: .*${reason.source}.*\\n$`));
    assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
  });
}

Deno.test("start.ts prints its usage and starts nothing for --help", async () => {
  const [program, args] = startCommand(["--help"]);
  await using start = new LineProcess(program, args, { cwd: REPO });
  const { code, stdout } = await start.finish();
  assert.equal(code, 0);
  assert.match(stdout, /^Usage: deno task start \[OPTIONS\]\n/);
  for (const flag of ["--origin-port N", "--proxy-port N", "--cache-dir DIR"]) {
    assert.ok(stdout.includes(flag), flag);
  }
});
