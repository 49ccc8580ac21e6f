/**
 * Failing test found by the review of issue 8: `deno task
 * start` with an unknown option. It fails before starting any server.
 */

import assert from "../helpers/assert.ts";
import { REPO } from "../helpers/cli_process.ts";

const DENO_JSON = JSON.parse(await Deno.readTextFile(`${REPO}deno.json`));

Deno.test("start.ts refuses an unknown option with one line on stderr, not an uncaught stack trace", async () => {
  const words: string[] = DENO_JSON.tasks.start.split(/\s+/);
  const output = await new Deno.Command(Deno.execPath(), {
    args: [...words.slice(1), "--bogus"],
    cwd: REPO,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const stderr = new TextDecoder().decode(output.stderr).trim();
  assert.notEqual(output.code, 0);
  assert.ok(!stderr.includes("Uncaught"), stderr);
  assert.equal(stderr.split("\n").length, 1, stderr);
  assert.ok(stderr.includes("--bogus"), stderr);
});
