/** Tests reading /proc for the bench's peak RSS (scripts/bench/procfs.ts). */

import assert from "../helpers/assert.ts";
import {
  descendantsOf,
  parsePsParents,
  parseVmHwmKiB,
  parseVmRssKiB,
  processTree,
} from "../../scripts/bench/procfs.ts";

Deno.test("parseVmHwmKiB() reads the peak resident size when the status has it", () => {
  const status =
    "Name:\tnginx\nVmPeak:\t  20000 kB\nVmHWM:\t   5120 kB\nVmRSS:\t 4096 kB\n";
  assert.equal(parseVmHwmKiB(status), 5120);
  assert.equal(parseVmHwmKiB("Name:\tkthreadd\n"), undefined);
});

Deno.test("parseVmRssKiB() reads the resident size now when the status has it", () => {
  const status =
    "Name:\tdeno\nVmPeak:\t  20000 kB\nVmHWM:\t   5120 kB\nVmRSS:\t 4096 kB\n";
  assert.equal(parseVmRssKiB(status), 4096);
  assert.equal(parseVmRssKiB("Name:\tkthreadd\n"), undefined);
});

Deno.test("parsePsParents() reads pid and parent pairs and skips other lines", () => {
  const text = "    1     0\n  4200     1\n  4242  4200\nPID PPID\n\n";
  assert.deepEqual(
    [...parsePsParents(text)],
    [[1, 0], [4200, 1], [4242, 4200]],
  );
});

Deno.test("descendantsOf() finds children and grandchildren but not siblings", () => {
  const parents = new Map([
    [10, 1],
    [11, 10],
    [12, 10],
    [13, 11],
    [20, 1],
  ]);
  assert.deepEqual(descendantsOf(10, parents).sort(), [10, 11, 12, 13]);
  assert.deepEqual(descendantsOf(20, parents), [20]);
});

Deno.test("processTree() lists a child process under this test's process", async () => {
  const child = new Deno.Command("sleep", {
    args: ["30"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const tree = await processTree(Deno.pid);
    assert.equal(tree[0], Deno.pid);
    assert.ok(tree.includes(child.pid));
    assert.ok(!(await processTree(child.pid)).includes(Deno.pid));
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
});

// peakRssMiB() reads /proc/PID/status, which Deno allows only with
// --allow-all (the bench has it, the test task has not); its parsing is
// tested above through parseVmHwmKiB().
