/**
 * Black-box tests that `cachelab origin --script FILE` refuses a bad file
 * at start-up: exit code 2, nothing on stdout, and one stderr line
 * "cachelab: Cannot start origin: --script FILE: JSON.PATH: reason"
 * naming the file and where in it the problem is.
 */

import assert from "../../helpers/assert.ts";
import { runCachelab } from "../../helpers/cli_process.ts";

/** [what, file text, what the line must name besides the file]. */
const BAD_FILES: [string, string, RegExp][] = [
  ["no rules key", "{}", /\brules\b/],
  ["rules not an array", '{"rules": {}}', /\brules\b/],
  ["an unknown top-level key", '{"rules": [], "extra": 1}', /\bextra\b/],
  [
    "an unknown rule key",
    '{"rules": [{"path": "/a", "responses": [{}], "paths": 1}]}',
    /rules\[0\]\.?.*\bpaths\b/,
  ],
  [
    "an unknown response key",
    '{"rules": [{"path": "/a", "responses": [{"stat": 200}]}]}',
    /rules\[0\]\.responses\[0\].*\bstat\b/,
  ],
  [
    "a path that is not a string",
    '{"rules": [{"path": 5, "responses": [{}]}]}',
    /rules\[0\]\.path/,
  ],
  [
    "a rule without responses",
    '{"rules": [{"path": "/a"}]}',
    /rules\[0\]/,
  ],
  [
    "an empty responses list",
    '{"rules": [{"path": "/a", "responses": []}]}',
    /rules\[0\]\.responses/,
  ],
  [
    "a status over 599",
    '{"rules": [{"path": "/a", "responses": [{}, {"status": 600}]}]}',
    /rules\[0\]\.responses\[1\]\.status/,
  ],
  [
    "a status under 200",
    '{"rules": [{"path": "/a", "responses": [{"status": 199}]}]}',
    /rules\[0\]\.responses\[0\]\.status/,
  ],
  [
    "a status that is not an integer",
    '{"rules": [{"path": "/a", "responses": [{"status": 200.5}]}]}',
    /rules\[0\]\.responses\[0\]\.status/,
  ],
  [
    "a status as a string",
    '{"rules": [{"path": "/a", "responses": [{"status": "200"}]}]}',
    /rules\[0\]\.responses\[0\]\.status/,
  ],
  [
    "a body that is not a string",
    '{"rules": [{"path": "/b", "responses": [{"body": 5}]}]}',
    /rules\[0\]\.responses\[0\]\.body/,
  ],
  [
    "a delay over 60000",
    '{"rules": [{"path": "/a", "responses": [{"delay": 60001}]}]}',
    /rules\[0\]\.responses\[0\]\.delay/,
  ],
  [
    "a negative delay",
    '{"rules": [{"path": "/a", "responses": [{"delay": -1}]}]}',
    /rules\[0\]\.responses\[0\]\.delay/,
  ],
  [
    "an unknown fault",
    '{"rules": [{"path": "/a", "responses": [{"fault": "boom"}]}]}',
    /rules\[0\]\.responses\[0\]\.fault/,
  ],
  [
    "fault slow with an empty body",
    '{"rules": [{"path": "/a", "responses": [{"fault": "slow"}]}]}',
    /rules\[0\]\.responses\[0\]/,
  ],
  [
    "a framing field",
    '{"rules": [{"path": "/a", "responses": [{"fields": {"Content-Length": "3"}}]}]}',
    /rules\[0\]\.responses\[0\]\.fields/,
  ],
  [
    "a Date field",
    '{"rules": [{"path": "/a", "responses": [{"fields": {"date": "x"}}]}]}',
    /rules\[0\]\.responses\[0\]\.fields/,
  ],
  [
    "a field value with CR LF",
    '{"rules": [{"path": "/a", "responses": [{"fields": {"X-A": "a\\r\\nX-Evil: 1"}}]}]}',
    /rules\[0\]\.responses\[0\]\.fields/,
  ],
  [
    "a field name that is not a token",
    '{"rules": [{"path": "/a", "responses": [{"fields": {"X A": "1"}}]}]}',
    /rules\[0\]\.responses\[0\]\.fields/,
  ],
  [
    "a field value that is a number",
    '{"rules": [{"path": "/a", "responses": [{"fields": {"X-A": 1}}]}]}',
    /rules\[0\]\.responses\[0\]\.fields/,
  ],
  [
    "a field array holding a number",
    '{"rules": [{"path": "/a", "responses": [{"fields": {"Vary": ["A", 2]}}]}]}',
    /rules\[0\]\.responses\[0\]\.fields/,
  ],
  [
    "the second rule bad",
    '{"rules": [{"path": "/a", "responses": [{}]}, {"path": "/b", "responses": [{"status": 99}]}]}',
    /rules\[1\]\.responses\[0\]\.status/,
  ],
  ["a JSON array", "[]", /./],
  ["not JSON", "rules: []", /./],
  ["truncated JSON", '{"rules": [', /./],
];

async function assertRefused(
  file: string,
  names: RegExp,
  what: string,
): Promise<string> {
  const { code, stdout, stderr } = await runCachelab([
    "origin",
    "0",
    "--script",
    file,
    "--quiet",
  ]);
  assert.equal(code, 2, `${what}: exit code (stderr ${stderr})`);
  assert.equal(stdout, "", what);
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `${what}: one line, not ${stderr}`);
  const line = lines[0]!;
  assert.ok(
    line.startsWith(`cachelab: Cannot start origin: --script ${file}: `),
    `${what}: ${line}`,
  );
  assert.match(line, names, what);
  assert.doesNotMatch(line, /\bat .*\.ts:\d+/, `${what}: no stack`);
  return line;
}

Deno.test("main.ts origin --script exits 2 with one line naming the file and the JSON path when the file is bad", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-script-bad-" });
  try {
    for (const [i, [what, text, names]] of BAD_FILES.entries()) {
      await t.step(what, async () => {
        const file = `${dir}/bad-${i}.json`;
        await Deno.writeTextFile(file, text);
        await assertRefused(file, names, what);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts origin --script gives the position of a JSON syntax error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-script-bad-" });
  try {
    const file = `${dir}/syntax.json`;
    await Deno.writeTextFile(
      file,
      '{\n  "rules": [\n    {"path": "/a",}\n  ]\n}\n',
    );
    const line = await assertRefused(file, /./, "syntax error");
    assert.match(line, /line 3|position 33\b/, line);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts origin --script exits 2 with one line when the file cannot be read", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-script-bad-" });
  try {
    await assertRefused(`${dir}/missing.json`, /./, "missing file");
    await assertRefused(dir, /./, "a folder");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
