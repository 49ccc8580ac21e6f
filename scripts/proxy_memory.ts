/**
 * Checks that the proxy's memory stays bounded while a large body passes
 * through it both ways (issue 3: 1 GiB under 150 MB RSS), and that a slow
 * reader slows the upstream instead of being buffered (back-pressure).
 *
 * Runs the proxy as a child process (`main.ts proxy`), an in-process raw
 * upstream that streams zeros or swallows uploads, and curl as client.
 * Prints the proxy's peak RSS (VmHWM) and exits 1 above the limit.
 *
 *   deno run -A scripts/proxy_memory.ts [--size MiB] [--limit MB]
 */

import { parseArgs } from "node:util";
import { readProductPermissions } from "./product_permissions.ts";

const { values } = parseArgs({
  options: {
    size: { type: "string", default: "1024" },
    limit: { type: "string", default: "150" },
  },
});
const SIZE = Number(values.size) * 1024 * 1024;
const LIMIT_MB = Number(values.limit);
const zeros = new Uint8Array(256 * 1024);

// Raw upstream: GET streams SIZE zero bytes; PUT reads and counts the body.
const upstream = Deno.listen({ hostname: "127.0.0.1", port: 0 });
let upstreamSent = 0;
(async () => {
  for await (const conn of upstream) serveUpstream(conn).catch(() => {});
})();

async function serveUpstream(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(256 * 1024);
  let head = "";
  while (!head.includes("\r\n\r\n")) {
    const n = await conn.read(buf);
    if (n === null) return conn.close();
    head += new TextDecoder().decode(buf.subarray(0, n));
  }
  if (head.startsWith("PUT")) {
    let got = head.length - head.indexOf("\r\n\r\n") - 4;
    while (got < SIZE) {
      const n = await conn.read(buf);
      if (n === null) break;
      got += n;
    }
    await write(
      conn,
      `HTTP/1.1 200 OK\r\nContent-Length: ${
        String(got).length
      }\r\nConnection: close\r\n\r\n${got}`,
    );
    return conn.close();
  }
  await write(
    conn,
    `HTTP/1.1 200 OK\r\nContent-Length: ${SIZE}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n`,
  );
  for (let sent = 0; sent < SIZE; sent += zeros.length) {
    const part = zeros.subarray(0, Math.min(zeros.length, SIZE - sent));
    for (let at = 0; at < part.length;) {
      at += await conn.write(part.subarray(at));
    }
    upstreamSent = sent + part.length;
  }
  conn.close();
}

async function write(conn: Deno.Conn, text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  for (let at = 0; at < bytes.length;) {
    at += await conn.write(bytes.subarray(at));
  }
}

const upPort = (upstream.addr as Deno.NetAddr).port;
const proxy = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    ...await readProductPermissions(), // the binary's permissions and V8 flags
    "main.ts",
    "proxy",
    "0",
    String(upPort),
    "--no-cache",
    "--quiet",
  ],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const reader = proxy.stdout.getReader();
const first = new TextDecoder().decode((await reader.read()).value);
reader.releaseLock();
const proxyUrl = /listening on (http:\/\/\S+)/.exec(first)?.[1];
if (!proxyUrl) throw new Error(`Cannot start proxy: got ${first}`);
proxy.stdout.cancel();

let peakKb = 0;
function rssNow(): string {
  const status = Deno.readTextFileSync(`/proc/${proxy.pid}/status`);
  return `${
    (Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024).toFixed(1)
  } MB now, ${
    (Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024).toFixed(1)
  } MB peak`;
}
console.log(`proxy RSS at start: ${rssNow()}`);
const sampler = setInterval(() => {
  try {
    const status = Deno.readTextFileSync(`/proc/${proxy.pid}/status`);
    peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
  } catch { /* process gone */ }
}, 100);

async function curl(args: string[]): Promise<string> {
  const out = await new Deno.Command("curl", { args: ["-sS", ...args] })
    .output();
  if (!out.success) {
    throw new Error(`curl failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

const mib = SIZE / 1024 / 1024;
const t0 = performance.now();
const got = await curl([
  "-o",
  "/dev/null",
  "-w",
  "%{size_download}",
  `${proxyUrl}/big`,
]);
console.log(
  `download ${mib} MiB through proxy: ${got} bytes in ${
    ((performance.now() - t0) / 1000).toFixed(1)
  } s`,
);

// Back-pressure: a reader limited to 20 MB/s for 1.5 s; the upstream must not run far ahead.
const slow = curl([
  "-o",
  "/dev/null",
  "--limit-rate",
  "20M",
  "--max-time",
  "1.5",
  `${proxyUrl}/slow`,
]).catch(() => "");
await slow;
const ahead = upstreamSent / 1024 / 1024;
console.log(
  `slow reader (20 MB/s for 1.5 s): upstream had sent ${ahead.toFixed(1)} MiB`,
);

const file = await Deno.makeTempFile();
await Deno.truncate(file, SIZE);
const t1 = performance.now();
const echoed = await curl(["-T", file, `${proxyUrl}/upload`]);
console.log(
  `upload ${mib} MiB through proxy: upstream counted ${echoed} bytes in ${
    ((performance.now() - t1) / 1000).toFixed(1)
  } s`,
);
await Deno.remove(file);

clearInterval(sampler);
proxy.kill("SIGTERM");
await proxy.status;
upstream.close();
const peakMb = peakKb / 1024;
console.log(`proxy peak RSS: ${peakMb.toFixed(1)} MB (limit ${LIMIT_MB} MB)`);
const ok = Number(got) === SIZE && Number(echoed) === SIZE &&
  peakMb < LIMIT_MB && ahead < 100;
console.log(ok ? "memory check: ok" : "memory check: FAILED");
Deno.exit(ok ? 0 : 1);
