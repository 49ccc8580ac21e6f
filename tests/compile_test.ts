/**
 * Tests `deno task compile`: the compile task's own command builds a
 * binary (into a temp folder), which prints its version and serves files
 * as an origin until SIGTERM.
 *
 * `deno compile` needs denort, the runtime it wraps: from DENORT_BIN, or
 * downloaded from dl.deno.land. When neither is available (no network),
 * the test is registered as ignored, so it is reported as skipped, never
 * as passed.
 */

import assert from "./helpers/assert.ts";
import { LineProcess, REPO, runToEnd } from "./helpers/cli_process.ts";

const DENO_JSON = JSON.parse(await Deno.readTextFile(`${REPO}deno.json`));

/** Whether denort can be downloaded, asked once with a bounded probe. */
async function denortReachable(): Promise<boolean> {
  const url =
    `https://dl.deno.land/release/v${Deno.version.deno}/denort-${Deno.build.target}.zip`;
  try {
    const response = await fetch(url, {
      method: "HEAD",
      signal: AbortSignal.timeout(2000),
    });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

const canCompile = Deno.env.get("DENORT_BIN") !== undefined ||
  await denortReachable();

/** The compile task's arguments with its `-o` output replaced. */
function compileArgs(output: string): string[] {
  const words: string[] = DENO_JSON.tasks.compile.split(/\s+/);
  assert.equal(words[0], "deno");
  const args = words.slice(1);
  const at = args.indexOf("-o");
  assert.ok(at !== -1, "the compile task names its output with -o");
  args[at + 1] = output;
  return args;
}

Deno.test({
  name:
    "deno task compile builds a binary that prints its version and serves files",
  ignore: !canCompile,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cachelab-compile-" });
    try {
      const binary = `${dir}/cachelab`;
      const built = await runToEnd(Deno.execPath(), compileArgs(binary), {
        cwd: REPO,
      }, 300_000);
      assert.equal(built.code, 0, built.stderr);

      const version = await runToEnd(binary, ["--version"]);
      assert.equal(version.stdout, `cachelab ${DENO_JSON.version}\n`);

      await Deno.mkdir(`${dir}/site`);
      await Deno.writeTextFile(
        `${dir}/site/hello.txt`,
        "hello from the binary\n",
      );
      await using origin = new LineProcess(binary, [
        "origin",
        "0",
        "--root",
        `${dir}/site`,
      ]);
      const port =
        (await origin.waitFor(/^listening on http:\/\/127\.0\.0\.1:(\d+)$/))[1];
      const response = await fetch(`http://127.0.0.1:${port}/hello.txt`);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), "hello from the binary\n");
      origin.signal("SIGTERM");
      assert.equal((await origin.finish()).code, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
