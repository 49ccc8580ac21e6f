/**
 * Tests `cachelab origin --lab` and `--script FILE` on the command line:
 * the plan they give, and a bad script stopping the origin at start-up
 * with one line and exit code 2.
 */

import assert from "../helpers/assert.ts";
import { parseCommandLine, UsageError } from "../../cli/args.ts";
import { ORIGIN_COMMAND, originPlanFrom } from "../../cli/origin.ts";
import { runCachelab } from "../helpers/cli_process.ts";

function plan(args: string[], cwd: string) {
  return originPlanFrom(parseCommandLine(args, ORIGIN_COMMAND), cwd);
}

Deno.test("originPlanFrom() turns the lab on when --lab is given, and leaves it off without it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.deepEqual((await plan(["--lab"], dir)).config.lab, {});
    assert.equal((await plan([], dir)).config.lab, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("originPlanFrom() reads the script relative to the folder it runs in when --script is given", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/seq.json`,
      '{"rules":[{"path":"/seq","responses":[{"status":204}]}]}',
    );
    assert.deepEqual((await plan(["--script", "seq.json"], dir)).config.lab, {
      script: {
        rules: [{
          path: "/seq",
          responses: [{ status: 204, fields: [], body: "", delay: 0 }],
        }],
      },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("originPlanFrom() refuses a missing script with a UsageError naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      plan(["--script", "none.json"], dir),
      UsageError,
      "--script none.json: cannot be read: ",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const BAD_FILES: [string, string, string][] = [
  [
    "a status out of range",
    '{"rules":[{"path":"/a","responses":[{"status":200},{"status":700}]}]}',
    "rules[0].responses[1].status: expected an integer from 200 to 599",
  ],
  [
    "bad JSON",
    '{"rules": [\n}',
    'not JSON: unexpected "}" at line 2, column 1',
  ],
  [
    "an unknown key",
    '{"rules":[{"path":"/a","responses":[{"stauts":200}]}]}',
    "rules[0].responses[0].stauts: unknown key",
  ],
];

for (const [what, text, says] of BAD_FILES) {
  Deno.test(`main.ts origin --script exits 2 with one line when the file has ${what}`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/bad.json`, text);
      const { code, stdout, stderr } = await runCachelab(
        ["origin", "0", "--script", "bad.json"],
        { cwd: dir },
      );
      assert.equal(code, 2);
      assert.equal(stdout, "");
      const lines = stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, stderr);
      assert.ok(
        lines[0]!.startsWith(
          `cachelab: Cannot start origin: --script bad.json: ${says}`,
        ),
        lines[0],
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
