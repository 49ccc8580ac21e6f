/**
 * Tests turning a `cachelab lab` command line into a LabPlan (cli/lab.ts):
 * the three ports and their defaults, PORT 0, the origin's folder and the
 * cache folder left to a temporary one (the lessons: lessons_test.ts).
 */

import assert from "../helpers/assert.ts";
import { parseCommandLine, UsageError } from "../../cli/args.ts";
import type { EnvLookup } from "../../cli/cache_flags.ts";
import { LAB_COMMAND, labPlanFrom } from "../../cli/lab.ts";

const HOME_ONLY: EnvLookup = (
  name,
) => (name === "HOME" ? "/home/u" : undefined);

async function plan(args: string[]) {
  return await labPlanFrom(
    parseCommandLine(args, LAB_COMMAND),
    HOME_ONLY,
    "/work",
  );
}

async function rejects(args: string[], message: RegExp) {
  await assert.rejects(
    plan(args),
    (error) => error instanceof UsageError && message.test(error.message),
  );
}

Deno.test("labPlanFrom() gives ports 12345, 12346 and 20000, the demo copy and a temporary cache when no flag is given", async () => {
  const p = await plan([]);
  assert.equal(p.host, "127.0.0.1");
  assert.equal(p.port, 12345);
  assert.deepEqual(p.admin, {
    host: "127.0.0.1",
    port: 12346,
    flags: "--admin-port",
  });
  assert.equal(p.originPort, 20000);
  assert.equal(p.root, undefined);
  assert.equal(p.cache.dir, undefined); // not the user's ~/.cache/cachelab
  assert.equal(p.cache.maxStaleOnErrorSeconds, 86400);
  assert.equal(p.quiet, false);
});

Deno.test("labPlanFrom() picks free ports for all three when PORT is 0, unless a port flag says otherwise", async () => {
  const zero = await plan(["0"]);
  assert.deepEqual([zero.port, zero.admin.port, zero.originPort], [0, 0, 0]);
  const some = await plan(["0", "--origin-port", "30000"]);
  assert.deepEqual([some.port, some.admin.port, some.originPort], [
    0,
    0,
    30000,
  ]);
});

Deno.test("labPlanFrom() takes the proxy's cache flags and keeps a given --cache-dir", async () => {
  const p = await plan([
    "--cache-dir",
    "/tmp/c",
    "--max-stale-on-error",
    "0",
    "--skip-binary",
  ]);
  assert.equal(p.cache.dir, "/tmp/c");
  assert.equal(p.cache.maxStaleOnErrorSeconds, 0);
  assert.equal(p.cache.skipBinary, true);
});

Deno.test("labPlanFrom() refuses ports that collide, a missing --root and a bad port", async () => {
  await rejects(["8000", "--admin-port", "8000"], /must differ/);
  await rejects(["--origin-port", "12345"], /must differ/);
  await rejects(["--root", "/no/such/folder/here"], /does not exist/);
  await rejects(["--admin-port", "70000"], /--admin-port/);
  await rejects(["--no-cache"], /unknown flag --no-cache/);
});

Deno.test("labPlanFrom() asks for a lesson on the lab's ports with --lesson, and refuses a bad one or port 0", async () => {
  assert.equal((await plan([])).lesson, undefined);
  assert.deepEqual((await plan(["--lesson", "3"])).lesson, {
    which: 3,
    urls: {
      proxy: "http://127.0.0.1:12345",
      admin: "http://127.0.0.1:12346",
      origin: "http://127.0.0.1:20000",
    },
  });
  assert.deepEqual(
    (await plan(["8000", "--origin-port", "8002", "--lesson", "all"])).lesson,
    {
      which: "all",
      urls: {
        proxy: "http://127.0.0.1:8000",
        admin: "http://127.0.0.1:12346",
        origin: "http://127.0.0.1:8002",
      },
    },
  );
  await rejects(["--lesson", "0"], /--lesson must be a lesson number/);
  await rejects(["--lesson", "first"], /--lesson must be a lesson number/);
  await rejects(["0", "--lesson", "1"], /not 0/);
});
