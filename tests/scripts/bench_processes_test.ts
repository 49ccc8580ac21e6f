/**
 * Tests the bench's child processes (scripts/bench/processes.ts): quoting
 * through sh, free ports, waiting for a server and stopping it.
 */

import assert from "../helpers/assert.ts";
import {
  Children,
  freePorts,
  pinnedShellCommand,
  shellQuote,
} from "../../scripts/bench/processes.ts";

Deno.test("shellQuote() survives sh with quotes, spaces and dollars", async () => {
  const word = `it's a "$HOME" \\ test`;
  const output = await new Deno.Command("sh", {
    args: ["-c", `printf %s ${shellQuote(word)}`],
  }).output();
  assert.equal(new TextDecoder().decode(output.stdout), word);
});

Deno.test("pinnedShellCommand() prefixes taskset only when a core is given", () => {
  assert.equal(
    pinnedShellCommand(["nginx", "-c", "/t/n.conf"], "/t/log", 0),
    "exec 'taskset' '-c' '0' 'nginx' '-c' '/t/n.conf' >>'/t/log' 2>&1",
  );
  assert.equal(
    pinnedShellCommand(["squid"], "/t/log", undefined),
    "exec 'squid' >>'/t/log' 2>&1",
  );
});

Deno.test("freePorts() gives distinct ports", () => {
  const ports = freePorts(4);
  assert.equal(new Set(ports).size, 4);
  for (const port of ports) assert.ok(port > 0 && port < 65536);
});

Deno.test("Children waits for a server's port, logs its output and stops it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-bench-test-" });
  const children = new Children();
  try {
    const [port] = freePorts(1) as [number];
    const script =
      `console.log("up"); Deno.listen({ hostname: "127.0.0.1", port: ${port} }); setInterval(() => {}, 1000);`;
    const child = children.start("server", [Deno.execPath(), "eval", script], {
      cwd: dir,
      logFile: `${dir}/server.log`,
    });
    await children.waitUntilListening(child, port, 20_000);
    await children.stopAll();
    assert.equal(child.exited, true);
    assert.equal(await Deno.readTextFile(`${dir}/server.log`), "up\n");
  } finally {
    await children.stopAll();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Children.waitUntilListening() fails with the log's end when the server exits", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-bench-test-" });
  const children = new Children();
  try {
    const [port] = freePorts(1) as [number];
    const child = children.start("broken", [
      "sh",
      "-c",
      "echo bad config; exit 1",
    ], {
      cwd: dir,
      logFile: `${dir}/broken.log`,
    });
    await assert.rejects(
      children.waitUntilListening(child, port, 20_000),
      /^Error: Cannot start broken: it exited; its log ends with:\nbad config$/,
    );
  } finally {
    await children.stopAll();
    await Deno.remove(dir, { recursive: true });
  }
});
