/**
 * Tests the launcher `./cachelab` at the repository root: it runs main.ts
 * with the compile task's runtime flags, from any folder, as the
 * assignment ran the program (`./cachelab origin 20000`).
 */

import assert from "./helpers/assert.ts";
import { LineProcess, REPO, runToEnd } from "./helpers/cli_process.ts";
import { productPermissions } from "../scripts/product_permissions.ts";

const LAUNCHER = `${REPO}cachelab`;

/** The words of the launcher's script that are runtime flags. */
function launcherFlags(script: string): string[] {
  return script.split(/\s+/).filter((word) =>
    word.startsWith("--allow-") || word.startsWith("--v8-flags=")
  );
}

Deno.test("./cachelab runs deno with exactly the compile task's runtime flags", async () => {
  const script = await Deno.readTextFile(LAUNCHER);
  const expected = productPermissions(
    await Deno.readTextFile(`${REPO}deno.json`),
  );
  assert.deepEqual(launcherFlags(script), expected);
  assert.ok((await Deno.stat(LAUNCHER)).mode! & 0o111, "it is executable");
});

Deno.test("./cachelab prints the version and serves files as an origin from another folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-launcher-" });
  try {
    const version = await runToEnd(LAUNCHER, ["--version"], { cwd: dir });
    assert.equal(version.code, 0, version.stderr);
    const denoJson = JSON.parse(await Deno.readTextFile(`${REPO}deno.json`));
    assert.equal(version.stdout, `cachelab ${denoJson.version}\n`);

    await Deno.writeTextFile(
      `${dir}/hello.txt`,
      "hello through the launcher\n",
    );
    await using origin = new LineProcess(LAUNCHER, ["origin", "0", "--quiet"], {
      cwd: dir,
    });
    const port =
      (await origin.waitFor(/^listening on http:\/\/127\.0\.0\.1:(\d+)$/))[1];
    const response = await fetch(`http://127.0.0.1:${port}/hello.txt`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "hello through the launcher\n");
    origin.signal("SIGTERM");
    assert.equal((await origin.finish()).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
