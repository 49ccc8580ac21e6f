/**
 * Owns `deno task start`, the demo: copies demo/ into a fresh folder
 * under /tmp (the clone's files never change), runs `cachelab origin` on
 * that copy and `cachelab proxy` in front of it as child processes of
 * main.ts, shows their output with a prefix, prints curl commands to try,
 * forwards SIGINT/SIGTERM, exits once both have exited and removes the
 * copy. Its flags are checked before anything starts: bad input is one
 * line on stderr and exit code 2, as with cachelab itself. When the proxy
 * cannot start, the origin runs alone and the commands say so.
 *
 * Must not be imported by product code.
 *
 * Usage: deno run --allow-run --allow-read=. --allow-write=/tmp
 *          scripts/start.ts [--origin-port N] [--proxy-port N]
 *          [--cache-dir DIR]
 */

import { fileURLToPath } from "node:url";
import { copyDemo, removeCopy } from "./demo_copy.ts";
import { readProductPermissions } from "./product_permissions.ts";
import {
  parseStartArgs,
  START_HELP,
  type StartOptions,
  UsageError,
} from "./start_options.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const DEMO = fileURLToPath(new URL("../demo", import.meta.url));
const LISTENING = /^listening on (http:\/\/\S+)$/;
const ADMIN = /^admin on (http:\/\/\S+)$/;

/** A cachelab child process and what it said. */
export interface Server {
  name: string;
  process: Deno.ChildProcess;
  /** The URL of its `listening on` line, or why it did not start. */
  started: Promise<{ url: string } | { failure: string }>;
  /** The URL of its `admin on` line (the proxy's second), or undefined once its output ended without one. */
  admin: Promise<string | undefined>;
  /** Resolves when its output has ended. */
  drained: Promise<void>;
}

/** Runs `main.ts ARGS` and copies its output lines with a `[name]` prefix. */
export function spawnCachelab(
  name: string,
  args: string[],
  permissions: string[],
): Server {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, MAIN, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const url = Promise.withResolvers<string>();
  const admin = Promise.withResolvers<string | undefined>();
  let lastError = "";
  const out = copyLines(process.stdout, (line) => {
    console.log(`[${name}] ${line}`);
    const match = LISTENING.exec(line);
    if (match) url.resolve(match[1]!);
    const adminMatch = ADMIN.exec(line);
    if (adminMatch) admin.resolve(adminMatch[1]!);
  });
  out.then(() => admin.resolve(undefined));
  const err = copyLines(process.stderr, (line) => {
    console.error(`[${name}] ${line}`);
    lastError = line;
  });
  const drained = Promise.all([out, err]).then(() => {});
  const exited = process.status.then(async (status) => {
    await drained;
    return { failure: lastError || `exited with code ${status.code}` };
  });
  const started = Promise.race([url.promise.then((u) => ({ url: u })), exited]);
  return { name, process, started, admin: admin.promise, drained };
}

async function copyLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let pending = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    pending += text;
    let end: number;
    while ((end = pending.indexOf("\n")) !== -1) {
      onLine(pending.slice(0, end));
      pending = pending.slice(end + 1);
    }
  }
  if (pending !== "") onLine(pending);
}

export function stop(servers: readonly Server[]): void {
  for (const server of servers) {
    try {
      server.process.kill("SIGTERM");
    } catch {
      // Already exited.
    }
  }
}

/** The curl commands to try; `demo` is the folder the origin serves (the copy). */
function tryThis(
  demo: string,
  originUrl: string,
  proxyUrl: string | undefined,
  adminUrl?: string,
): string {
  const origin = new URL(originUrl);
  const short = (url: URL) => `localhost:${url.port}`;
  if (proxyUrl === undefined) {
    return [
      `The origin serves ${demo}/ (a copy of demo/, removed at exit) at ${originUrl} (the proxy is not running).`,
      "Try, in another terminal:",
      `  curl -i ${short(origin)}/1.txt`,
      `  curl -i -H "If-Modified-Since: $(date -u -R)" ${
        short(origin)
      }/1.txt   # 304`,
      `  curl -i ${short(origin)}/notes/`,
      "Ctrl-C stops it.",
    ].join("\n");
  }
  const proxy = new URL(proxyUrl);
  return [
    `The origin serves ${demo}/ (a copy of demo/, removed at exit) at ${originUrl}; the caching proxy listens at ${proxyUrl}.`,
    "Try, in another terminal, and watch the [origin] and [proxy] log lines here:",
    `  curl -i ${
      short(proxy)
    }/1.txt     # first time: fetched from the origin and stored`,
    `  curl -i ${
      short(proxy)
    }/1.txt     # again: revalidated, the origin answers 304`,
    `  echo "edited $(date)" >> ${demo}/1.txt`,
    `  curl -i ${
      short(proxy)
    }/1.txt     # the new content, and the cache is updated`,
    `  curl -s -D - -o /dev/null -x http://127.0.0.1:${proxy.port} ` +
    `http://127.0.0.1:${origin.port}/2.binary   # as a forward proxy`,
    `  curl -i ${short(origin)}/notes/   # the origin itself: a folder listing`,
    ...(adminUrl === undefined ? [] : [
      `The admin listener is at ${adminUrl}: open ${adminUrl}/ in a browser for the live page, or`,
      `  curl -s ${
        short(new URL(adminUrl))
      }/api/entries   # what the cache holds, its age and freshness`,
      `  curl -s ${
        short(new URL(adminUrl))
      }/metrics       # Prometheus metrics`,
    ]),
    "Ctrl-C stops both.",
  ].join("\n");
}

/** Reads the flags, then runs the demo; returns the exit code. */
async function main(args: readonly string[]): Promise<number> {
  let options: StartOptions;
  try {
    options = parseStartArgs(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`start: ${e.message} (see deno task start --help)`);
    return 2;
  }
  if (options.help) {
    console.log(START_HELP.trimEnd());
    return 0;
  }
  const servers: Server[] = [];
  let stopping = false;
  const onSignal = () => {
    stopping = true;
    stop(servers);
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  let copy: string | undefined;
  try {
    copy = await copyDemo(DEMO);
    if (stopping) return 1;
    return await runDemo(options, copy, servers, () => stopping);
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
    if (copy !== undefined) await removeCopy(copy);
  }
}

/** Runs the origin on `demo`, then the proxy, until both have exited. */
async function runDemo(
  options: StartOptions,
  demo: string,
  servers: Server[],
  stopping: () => boolean,
): Promise<number> {
  const permissions = await readProductPermissions();
  const origin = spawnCachelab("origin", [
    "origin",
    String(options.originPort),
    "--root",
    demo,
  ], permissions);
  servers.push(origin);
  const originStart = await origin.started;
  if ("failure" in originStart) {
    console.error(`start: the origin did not start: ${originStart.failure}`);
    stop(servers);
    await Promise.all(servers.map((s) => s.drained));
    return 1;
  }
  const upstreamPort = new URL(originStart.url).port;
  const cacheDir = options.cacheDir;
  const proxy = spawnCachelab("proxy", [
    "proxy",
    String(options.proxyPort),
    upstreamPort,
    ...(cacheDir === undefined ? [] : ["--cache-dir", cacheDir]),
  ], permissions);
  servers.push(proxy);
  const proxyStart = await proxy.started;
  const proxyUrl = "url" in proxyStart ? proxyStart.url : undefined;
  if ("failure" in proxyStart) {
    console.error(`start: the proxy did not start: ${proxyStart.failure}`);
  }
  const adminUrl = proxyUrl === undefined ? undefined : await proxy.admin;
  if (stopping()) stop(servers);
  console.log(tryThis(demo, originStart.url, proxyUrl, adminUrl));
  // When one server ends on its own, stop the other one too.
  const running = proxyUrl === undefined ? [origin] : servers;
  await Promise.race(running.map((s) => s.process.status));
  stop(servers);
  const statuses = await Promise.all(servers.map((s) => s.process.status));
  await Promise.all(servers.map((s) => s.drained));
  const allStopped = statuses.every((status) => status.success);
  return allStopped && proxyUrl !== undefined ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
