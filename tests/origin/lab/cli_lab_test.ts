/**
 * Black-box tests of `cachelab origin --lab`, spawned: the first stdout
 * line is still `listening on ...`, curl gets the issue's example from
 * /lab/headers, files are served beside the lab; without --lab the
 * /lab/ paths are files like any other.
 */

import assert from "../../helpers/assert.ts";
import { LineProcess, REPO, runToEnd } from "../../helpers/cli_process.ts";

const LISTENING = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/;
const DEMO = `${REPO}demo`;

/** `curl -si URL`: the status line, the fields (lower-cased names) and the body. */
async function curl(url: string): Promise<{
  statusLine: string;
  fields: [string, string][];
  body: string;
}> {
  const { code, stdout, stderr } = await runToEnd("curl", ["-si", url]);
  assert.equal(code, 0, stderr);
  const headEnd = stdout.indexOf("\r\n\r\n");
  const [statusLine, ...lines] = stdout.slice(0, headEnd).split("\r\n");
  return {
    statusLine: statusLine!,
    fields: lines.map((line) => {
      const colon = line.indexOf(":");
      return [
        line.slice(0, colon).toLowerCase(),
        line.slice(colon + 1).trim(),
      ];
    }),
    body: stdout.slice(headEnd + 4),
  };
}

Deno.test("main.ts origin --lab prints its address first and answers curl on /lab/headers", async () => {
  await using origin = await LineProcess.cachelab([
    "origin",
    "0",
    "--root",
    DEMO,
    "--lab",
  ]);
  const port = (await origin.waitFor(LISTENING))[1];
  assert.equal(origin.seen.length, 1, "the listening line comes first");
  const base = `http://127.0.0.1:${port}`;
  const res = await curl(
    `${base}/lab/headers?Cache-Control=max-age%3D10&Vary=Accept-Language`,
  );
  assert.equal(res.statusLine, "HTTP/1.1 200 OK");
  assert.deepEqual(
    res.fields.filter(([n]) => n === "cache-control" || n === "vary"),
    [["cache-control", "max-age=10"], ["vary", "Accept-Language"]],
  );
  assert.equal(res.body, "request 1 for /lab/headers\n");
  const again = await curl(`${base}/lab/headers`);
  assert.equal(again.body, "request 2 for /lab/headers\n");
  assert.deepEqual(again.fields.filter(([n]) => n === "cache-control"), []);
  const file = await curl(`${base}/1.txt`);
  assert.equal(file.body, await Deno.readTextFile(`${DEMO}/1.txt`));
  const count = await curl(`${base}/lab/count?path=/lab/headers`);
  assert.equal(count.body, "2\n");
  origin.signal("SIGTERM");
  const { code } = await origin.finish();
  assert.equal(code, 0);
});

Deno.test("main.ts origin without --lab serves no /lab/ routes", async () => {
  await using origin = await LineProcess.cachelab([
    "origin",
    "0",
    "--root",
    DEMO,
    "--quiet",
  ]);
  const port = (await origin.waitFor(LISTENING))[1];
  const res = await curl(`http://127.0.0.1:${port}/lab/headers?X-A=1`);
  assert.match(res.statusLine, /^HTTP\/1\.1 404 /);
  assert.deepEqual(res.fields.filter(([n]) => n === "x-a"), []);
  origin.signal("SIGTERM");
  assert.equal((await origin.finish()).code, 0);
});
