/**
 * Tests turning a `cachelab origin` command line into an OriginConfig:
 * defaults, the root folder checks and the Cache-Control value.
 */

import assert from "../helpers/assert.ts";
import { parseCommandLine, UsageError } from "../../cli/args.ts";
import { ORIGIN_COMMAND, originPlanFrom } from "../../cli/origin.ts";

function plan(args: string[], cwd: string) {
  return originPlanFrom(parseCommandLine(args, ORIGIN_COMMAND), cwd);
}

async function withTempDir(
  body: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "cachelab-origin-cli-" }),
  );
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("originPlanFrom() serves the current directory on 127.0.0.1:20000 with no-cache by default", async () => {
  await withTempDir(async (dir) => {
    assert.deepEqual(await plan([], dir), {
      config: {
        host: "127.0.0.1",
        port: 20000,
        root: dir,
        cacheControl: "no-cache",
        headTimeoutMs: 10000,
        idleTimeoutMs: 60000,
      },
      quiet: false,
    });
  });
});

Deno.test("originPlanFrom() resolves --root against the working folder and through symlinks", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/site`);
    await Deno.symlink(`${dir}/site`, `${dir}/link`);
    assert.equal(
      (await plan(["--root", "site"], dir)).config.root,
      `${dir}/site`,
    );
    assert.equal(
      (await plan(["--root", `${dir}/link`], "/")).config.root,
      `${dir}/site`,
    );
  });
});

Deno.test("originPlanFrom() refuses a root that is missing or is a file", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/file.txt`, "x");
    await assert.rejects(
      plan(["--root", "missing"], dir),
      (e) =>
        e instanceof UsageError &&
        e.message === "--root missing does not exist",
    );
    await assert.rejects(
      plan(["--root", "file.txt"], dir),
      (e) =>
        e instanceof UsageError &&
        e.message === "--root file.txt is not a directory",
    );
  });
});

Deno.test("originPlanFrom() builds Cache-Control from --max-age or takes --cache-control verbatim", async () => {
  await withTempDir(async (dir) => {
    const cacheControl = async (args: string[]) =>
      (await plan(args, dir)).config.cacheControl;
    assert.equal(await cacheControl(["--max-age", "0"]), "max-age=0");
    assert.equal(
      await cacheControl(["--max-age", "2147483648"]),
      "max-age=2147483648",
    );
    assert.equal(
      await cacheControl(["--cache-control", "public, s-maxage=9"]),
      "public, s-maxage=9",
    );
    await assert.rejects(plan(["--max-age", "2147483649"], dir), UsageError);
    for (const bad of ["a\nb", "a\rb", "a\x00b", "caf\u00e9"]) {
      await assert.rejects(
        plan(["--cache-control", bad], dir),
        /printable ASCII/,
      );
    }
  });
});
