/**
 * cachelab's command line: picks the subcommand, has cli/ check its
 * flags, wires the access log and starts the origin, the proxy or the
 * lab (both, on one movable clock) until SIGINT or SIGTERM. Exit codes: 0 after a graceful stop or help, 1 when
 * a server cannot start, 2 on bad input (one line on stderr, no stack).
 *
 * Must not hold protocol, cache or file logic.
 */

import { BatchedLineWriter, stderrWriter } from "./http/access_log.ts";
import { startOrigin } from "./origin/mod.ts";
import {
  type CommandSpec,
  parseCommandLine,
  type ParsedArgs,
  UsageError,
} from "./cli/args.ts";
import { processIo, runCache } from "./cli/cache.ts";
import { CACHE_COMMAND } from "./cli/cache_specs.ts";
import { CLOCK_COMMAND, runClock } from "./cli/clock.ts";
import { LAB_COMMAND, labPlanFrom } from "./cli/lab.ts";
import { startLab } from "./cli/lab_run.ts";
import { requestedLessons } from "./cli/lessons.ts";
import { commandHelp, topLevelHelp, versionText } from "./cli/help.ts";
import { ORIGIN_COMMAND, originPlanFrom } from "./cli/origin.ts";
import { PROXY_COMMAND, proxyPlanFrom, startPlanned } from "./cli/proxy.ts";
import { runUntilStopped, StartError, urlOf } from "./cli/serve.ts";
import { formatByteSize, hostForUrl } from "./cli/values.ts";

const COMMANDS: readonly CommandSpec[] = [
  ORIGIN_COMMAND,
  PROXY_COMMAND,
  CACHE_COMMAND,
  CLOCK_COMMAND,
  LAB_COMMAND,
];
/** How long in-flight requests may finish after SIGINT/SIGTERM. */
const GRACE_MS = 5_000;

/** Runs cachelab with `args` (without the program name); returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const [first, ...rest] = args;
  if (first === undefined) {
    console.error(topLevelHelp(COMMANDS).trimEnd());
    return 2;
  }
  if (first === "--help" || first === "-h") {
    console.log(topLevelHelp(COMMANDS).trimEnd());
    return 0;
  }
  if (first === "--version") {
    console.log(versionText().trimEnd());
    return 0;
  }
  if (first === CACHE_COMMAND.name) {
    return await runCache(rest, processIo());
  }
  if (first === CLOCK_COMMAND.name) {
    return await runClock(rest, processIo());
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (command === undefined) {
    const what = first.startsWith("-") ? "flag" : "command";
    return fail(
      `Cannot run: unknown ${what} "${first}" (see cachelab --help)`,
      2,
    );
  }
  try {
    const parsed = parseCommandLine(rest, command);
    if (parsed.help) {
      console.log(commandHelp(command).trimEnd());
      return 0;
    }
    await (command === ORIGIN_COMMAND
      ? runOrigin(parsed)
      : command === LAB_COMMAND
      ? runLab(parsed)
      : runProxy(parsed));
    return 0;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) {
      return fail(
        `Cannot start ${command.name}: ${reason} (see cachelab ${command.name} --help)`,
        2,
      );
    }
    if (error instanceof StartError) {
      return fail(`Cannot start ${command.name}: ${reason}`, 1);
    }
    return fail(`Cannot run ${command.name}: ${reason}`, 1);
  }
}

function fail(line: string, code: number): number {
  console.error(`cachelab: ${line}`);
  return code;
}

/** The access log: batched lines on stderr, or nothing with --quiet. */
function accessLog(quiet: boolean) {
  if (quiet) return { log: undefined, flush: () => {} };
  const writer = new BatchedLineWriter(stderrWriter);
  return {
    log: (line: string) => writer.line(line),
    flush: () => writer.flush(),
  };
}

async function runOrigin(args: ParsedArgs): Promise<void> {
  const { config, quiet } = await originPlanFrom(args, Deno.cwd());
  const { log, flush } = accessLog(quiet);
  await runUntilStopped({
    host: config.host,
    port: config.port,
    start: () => startOrigin({ ...config, log }),
    notes: quiet
      ? []
      : [`serving ${config.root} (Cache-Control: ${config.cacheControl})`],
    flushLog: flush,
    graceMs: GRACE_MS,
  });
}

async function runProxy(args: ParsedArgs): Promise<void> {
  const plan = await proxyPlanFrom(
    args,
    (name) => Deno.env.get(name),
    Deno.cwd(),
  );
  const { config, quiet } = plan;
  const { log, flush } = accessLog(quiet);
  const cache = config.cache;
  const cacheNote = cache === undefined
    ? "cache: off (--no-cache)"
    : cache.store.kind === "file"
    ? `cache: ${cache.store.dir} ` +
      `(up to ${formatByteSize(cache.store.sizeBytes)}, objects up to ` +
      `${formatByteSize(cache.maxObjectBytes)}, memory tier ${
        formatByteSize(cache.memoryBytes)
      })`
    : `cache: redis://${
      hostForUrl(cache.store.host)
    }:${cache.store.port}/${cache.store.db} ` +
      `(shared; objects up to ${formatByteSize(cache.maxObjectBytes)}, ` +
      `memory tier ${formatByteSize(cache.memoryBytes)}, calls bounded by ${
        cache.store.timeoutMs / 1000
      } s)`;
  const upstream = {
    hostname: config.upstream.host,
    port: config.upstream.port,
  };
  await runUntilStopped({
    host: config.host,
    port: config.port,
    start: () => startPlanned(plan, log),
    notes: quiet
      ? []
      : [`upstream: ${urlOf({ ...upstream, transport: "tcp" })}`, cacheNote],
    flushLog: flush,
    graceMs: GRACE_MS,
  });
}

async function runLab(args: ParsedArgs): Promise<void> {
  const plan = await labPlanFrom(
    args,
    (name) => Deno.env.get(name),
    Deno.cwd(),
  );
  if (plan.lesson) {
    console.log(requestedLessons(plan.lesson).trimEnd());
    return;
  }
  const { log, flush } = accessLog(plan.quiet);
  await runUntilStopped({
    host: plan.host,
    port: plan.port,
    start: () =>
      startLab(plan, {
        proxy: log,
        origin: log && ((line) => log(`origin ${line}`)),
      }),
    notes: [],
    flushLog: flush,
    graceMs: GRACE_MS,
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
