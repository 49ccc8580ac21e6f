/**
 * Owns running wrk for the bench: its command line (pinned to a core with
 * taskset, keep-alive connections, a bounded duration, --latency), the
 * Lua script that makes every URL fresh for the miss path, and reading
 * wrk's text report into numbers.
 *
 * Must not decide what is measured (figures.ts) or start servers.
 */

import { fileURLToPath } from "node:url";

/** The wrk script that appends a fresh query string to every request. */
export const FRESH_URLS_SCRIPT = fileURLToPath(
  new URL("./configs/fresh_urls.lua", import.meta.url),
);

/** What one wrk run reported. */
export interface WrkReport {
  requests: number;
  rps: number;
  /** Transfer/sec in bytes. */
  bytesPerS: number;
  /** From --latency's distribution; undefined when wrk printed none. */
  p50Ms?: number;
  p99Ms?: number;
  /** Responses outside 2xx and 3xx. */
  non2xx: number;
  /** connect + read + write + timeout socket errors. */
  socketErrors: number;
}

/** How to run wrk once. */
export interface WrkPlan {
  url: string;
  connections: number;
  durationS: number;
  timeoutS: number;
  /** The core wrk runs on (taskset -c), or undefined not to pin. */
  core?: number;
  /** For fresh URLs: the path to append queries to and a tag unique to this run. */
  fresh?: { path: string; tag: string };
}

/** The program and arguments of one wrk run (one thread). */
export function wrkCommand(plan: WrkPlan): string[] {
  const wrk = [
    "wrk",
    "-t1",
    `-c${plan.connections}`,
    `-d${plan.durationS}s`,
    `--timeout`,
    `${plan.timeoutS}s`,
    "--latency",
  ];
  if (plan.fresh !== undefined) wrk.push("-s", FRESH_URLS_SCRIPT);
  wrk.push(plan.url);
  if (plan.fresh !== undefined) {
    wrk.push("--", plan.fresh.path, plan.fresh.tag);
  }
  if (plan.core === undefined) return wrk;
  return ["taskset", "-c", String(plan.core), ...wrk];
}

const TIME_UNITS_MS: Readonly<Record<string, number>> = {
  us: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** wrk's binary units: "19.63MB" is 19.63 MiB. */
const BYTE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};

/** "2.96ms" -> 2.96; "850.00us" -> 0.85; undefined when unreadable. */
export function parseWrkTime(text: string): number | undefined {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (match === null) return undefined;
  return Number(match[1]) * TIME_UNITS_MS[match[2]!]!;
}

/** "19.63MB" -> bytes; undefined when unreadable. */
export function parseWrkBytes(text: string): number | undefined {
  const match = /^([\d.]+)(B|KB|MB|GB|TB)$/.exec(text.trim());
  if (match === null) return undefined;
  return Number(match[1]) * BYTE_UNITS[match[2]!]!;
}

function numberAfter(text: string, pattern: RegExp): number | undefined {
  const match = pattern.exec(text);
  return match === null ? undefined : Number(match[1]);
}

/**
 * Reads wrk's report. Returns undefined when the summary lines
 * (requests, Requests/sec, Transfer/sec) are missing, e.g. when wrk could
 * not connect at all.
 */
export function parseWrkOutput(text: string): WrkReport | undefined {
  const requests = numberAfter(text, /^\s*(\d+) requests in /m);
  const rps = numberAfter(text, /^Requests\/sec:\s+([\d.]+)\s*$/m);
  const transfer = /^Transfer\/sec:\s+(\S+)\s*$/m.exec(text);
  const bytesPerS = transfer ? parseWrkBytes(transfer[1]!) : undefined;
  if (requests === undefined || rps === undefined) return undefined;
  if (bytesPerS === undefined) return undefined;
  const p50 = /^\s*50%\s+(\S+)\s*$/m.exec(text);
  const p99 = /^\s*99%\s+(\S+)\s*$/m.exec(text);
  const errors =
    /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/
      .exec(text);
  const socketErrors = errors
    ? errors.slice(1, 5).reduce((sum, n) => sum + Number(n), 0)
    : 0;
  return {
    requests,
    rps,
    bytesPerS,
    // With no request completed wrk prints 0.00us: no latency was measured.
    p50Ms: p50 && requests > 0 ? parseWrkTime(p50[1]!) : undefined,
    p99Ms: p99 && requests > 0 ? parseWrkTime(p99[1]!) : undefined,
    non2xx: numberAfter(text, /Non-2xx or 3xx responses: (\d+)/) ?? 0,
    socketErrors,
  };
}

/** Runs wrk once (killed if it overruns by a minute) and reads its report. */
export async function runWrk(
  plan: WrkPlan,
): Promise<{ report?: WrkReport; output: string }> {
  const [program, ...args] = wrkCommand(plan);
  const output = await new Deno.Command(program!, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout((plan.durationS + 60) * 1000),
  }).output();
  const decoder = new TextDecoder();
  const text = decoder.decode(output.stdout) + decoder.decode(output.stderr);
  return { report: parseWrkOutput(text), output: text };
}

/**
 * Puts every contender under load on every path for `seconds`, results
 * discarded, so that each reaches its steady state before anything is
 * measured (cachelab's V8 compiles its hot path under load; the others
 * fill their own memory caches). Every contender gets the same.
 */
export async function warmUnderLoad(
  targets: readonly { url: string }[],
  paths: readonly string[],
  seconds: number,
  core: number | undefined,
): Promise<void> {
  for (const target of targets) {
    for (const path of paths) {
      await runWrk({
        url: `${target.url}${path}`,
        connections: 50,
        durationS: seconds,
        timeoutS: 10,
        core,
      });
    }
  }
}
