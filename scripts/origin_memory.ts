/**
 * Checks that the origin streams files: serves a sparse 1 GiB file from a
 * temp dir through an origin running in a child process, downloads it
 * with curl, and reads the child's peak resident memory (VmHWM) from
 * /proc. Prints the numbers; exits 1 when the peak is over the budget or
 * the download is incomplete.
 *
 * Usage: deno run -A scripts/origin_memory.ts [SIZE_MIB] [BUDGET_MIB]
 *
 * Must not be imported by the product; Linux only (/proc).
 */

const MIB = 1024 * 1024;
const sizeMib = Number(Deno.args[0] ?? 1024);
const budgetMib = Number(Deno.args[1] ?? 150);
if (!Number.isInteger(sizeMib) || sizeMib <= 0) {
  console.error("Cannot run: SIZE_MIB must be a positive integer");
  Deno.exit(2);
}
if (!Number.isFinite(budgetMib) || budgetMib <= 0) {
  console.error("Cannot run: BUDGET_MIB must be a positive number");
  Deno.exit(2);
}

const dir = await Deno.makeTempDir({ prefix: "cachelab-memory-" });
const root = `${dir}/root`;
await Deno.mkdir(root);
const size = sizeMib * MIB;
await Deno.writeTextFile(`${root}/big.bin`, "");
await Deno.truncate(`${root}/big.bin`, size); // sparse: no disk used

const modUrl = new URL("../origin/mod.ts", import.meta.url).href;
const serveScript = `${dir}/serve.ts`;
await Deno.writeTextFile(
  serveScript,
  `import { startOrigin } from ${JSON.stringify(modUrl)};
const server = await startOrigin({
  host: "127.0.0.1", port: 0, root: ${JSON.stringify(root)},
  cacheControl: "no-cache", headTimeoutMs: 10000, idleTimeoutMs: 60000,
});
console.log("listening on http://127.0.0.1:" + server.addr.port);
Deno.addSignalListener("SIGTERM", async () => {
  await server.shutdown(1000);
  Deno.exit(0);
});
`,
);

const config = new URL("../deno.json", import.meta.url).pathname;
const child = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "--config", config, serveScript],
  stdout: "piped",
  stderr: "inherit",
}).spawn();

let exitCode = 1;
try {
  const port = await readPort(child.stdout);
  const baseline = await readStatusKiB(child.pid, "VmRSS");
  const started = performance.now();
  const curl = await new Deno.Command("curl", {
    args: [
      "-sS",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code} %{size_download}",
      `http://127.0.0.1:${port}/big.bin`,
    ],
    stdout: "piped",
  }).output();
  const seconds = (performance.now() - started) / 1000;
  const peakKiB = await readStatusKiB(child.pid, "VmHWM"); // kernel-kept peak RSS
  const [code, bytes] = new TextDecoder().decode(curl.stdout).trim().split(" ");
  const peakMib = peakKiB / 1024;
  console.log(
    `file: ${sizeMib} MiB, downloaded: ${bytes} bytes, status ${code}`,
  );
  console.log(
    `origin RSS: baseline ${(baseline / 1024).toFixed(1)} MiB, peak ${
      peakMib.toFixed(1)
    } MiB (budget ${budgetMib} MiB), ${seconds.toFixed(1)} s`,
  );
  const complete = code === "200" && Number(bytes) === size;
  if (!complete) console.error("FAIL: the download is incomplete");
  if (peakMib > budgetMib) console.error("FAIL: peak RSS over budget");
  exitCode = complete && peakMib <= budgetMib ? 0 : 1;
} finally {
  child.kill("SIGTERM");
  await child.status;
  await Deno.remove(dir, { recursive: true });
}
Deno.exit(exitCode);

/** Reads the child's first stdout line, `listening on http://HOST:PORT`. */
async function readPort(stream: ReadableStream<Uint8Array>): Promise<number> {
  const decoder = new TextDecoder();
  let text = "";
  const reader = stream.getReader();
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) {
      throw new Error("Cannot start origin: it exited before listening");
    }
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  stream.cancel().catch(() => {});
  const match = /listening on http:\/\/[^:]+:(\d+)/.exec(text);
  if (!match) throw new Error(`Cannot start origin: it printed ${text}`);
  return Number(match[1]);
}

/** A "kB" field of /proc/PID/status, in KiB. */
async function readStatusKiB(pid: number, field: string): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  if (!match) throw new Error(`Cannot read ${field} of process ${pid}`);
  return Number(match[1]);
}
