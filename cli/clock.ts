/**
 * Owns `cachelab clock [advance SECONDS] [--admin URL]`: its command table
 * (which help renders), and sending the admin API's clock request
 * (admin/clock.ts: GET /api/clock to show, POST /api/clock to advance)
 * to a running proxy's admin listener, printing one line:
 * `clock: +90 s (now Mon, 30 Nov 2026 12:01:30 GMT)`. Exit codes: 0 done,
 * 1 failed (the admin listener cannot be reached, or its clock cannot
 * move: a proxy outside `cachelab lab`, or its answer is not a clock:
 * admin_answers.ts), 2 bad input; a failure is one
 * stderr line.
 *
 * Must not move any clock itself: only the admin API does.
 */

import { ADMIN_REQUEST_TIMEOUT_MS } from "../admin/cache_folder.ts";
import type { ClockView } from "../admin/clock.ts";
import { advanceProblem } from "../http/clock.ts";
import { clockViewOf, refusalLine } from "./admin_answers.ts";
import {
  type CommandSpec,
  flagText,
  parseCommandLine,
  UsageError,
} from "./args.ts";
import { adminBase, type CacheIo } from "./cache.ts";
import { commandHelp } from "./help.ts";

/** The admin listener `cachelab clock` talks to without --admin (`cachelab lab`'s default). */
export const DEFAULT_CLOCK_ADMIN = "http://127.0.0.1:12346";

const DECIMAL = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;

export const CLOCK_COMMAND: CommandSpec = {
  name: "clock",
  usage: "cachelab clock [advance SECONDS] [--admin URL]",
  summary: "Shows the clock of a running proxy, or moves it SECONDS " +
    "forward, through its admin listener. Under cachelab lab, dates, ages " +
    "and freshness follow it, so waiting an hour takes one command; a " +
    "proxy outside the lab runs on the real clock, which cannot move.",
  positionals: [
    { name: "advance", help: "Move the clock forward instead of showing it." },
    { name: "SECONDS", help: "How far: more than 0, at most ten years." },
  ],
  flags: [
    {
      name: "admin",
      value: "URL",
      help: "The admin listener of the proxy.",
      default: DEFAULT_CLOCK_ADMIN,
    },
  ],
  notes: [
    "Prints one line: the clock's offset from real time and its time, " +
    'e.g. "clock: +90 s (now Mon, 30 Nov 2026 12:01:30 GMT)". Exits 1 ' +
    "when the admin listener cannot be reached or its clock cannot move, " +
    "2 on bad input.",
  ],
};

/** Runs `cachelab clock ARGS` (ARGS after "clock"); resolves to the exit code. */
export async function runClock(
  args: readonly string[],
  io: Pick<CacheIo, "out" | "err">,
): Promise<number> {
  let what = "clock";
  try {
    const parsed = parseCommandLine(args, CLOCK_COMMAND);
    if (parsed.help) {
      io.out(commandHelp(CLOCK_COMMAND));
      return 0;
    }
    const seconds = advanceOf(parsed.positionals);
    if (seconds !== undefined) what = "clock advance";
    const base = adminBase(flagText(parsed, "admin") ?? DEFAULT_CLOCK_ADMIN);
    const response = await adminRequest(
      base,
      seconds === undefined ? undefined : { advance: seconds },
    );
    const body = await response.json().catch(() => undefined);
    if (!response.ok) {
      io.err(`cachelab: ${refusalLine(body, response.status, what)}`);
      return 1;
    }
    io.out(clockLine(clockViewOf(body)));
    return 0;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) {
      io.err(
        `cachelab: Cannot run ${what}: ${reason} (see cachelab clock --help)`,
      );
      return 2;
    }
    io.err(`cachelab: Cannot run ${what}: ${reason}`);
    return 1;
  }
}

/** The line printed for a clock: its offset and its time as an HTTP-date. */
export function clockLine(view: ClockView): string {
  const now = new Date(view.now).toUTCString(); // IMF-fixdate, as RFC 9110 §5.6.7
  if (!view.movable) {
    return `clock: real time (now ${now}); only cachelab lab can move it\n`;
  }
  return `clock: +${view.offsetSeconds} s (now ${now})\n`;
}

/** SECONDS of `advance SECONDS`, undefined to show; throws UsageError on anything else. */
function advanceOf(positionals: readonly string[]): number | undefined {
  const [action, text] = positionals;
  if (action === undefined) return undefined;
  if (action !== "advance") {
    throw new UsageError(`unknown action "${action}": give advance SECONDS`);
  }
  if (text === undefined) {
    throw new UsageError("give the SECONDS to advance, like 30 or 0.5");
  }
  const seconds = DECIMAL.test(text) ? Number(text) : NaN;
  const problem = advanceProblem(seconds);
  if (problem) {
    throw new UsageError(`SECONDS ${problem}, like 30 or 0.5, not "${text}"`);
  }
  return seconds;
}

/** GET (no body) or POST `body` to /api/clock, read whole within ADMIN_REQUEST_TIMEOUT_MS. */
async function adminRequest(
  base: string,
  body: { advance: number } | undefined,
): Promise<Response> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ADMIN_REQUEST_TIMEOUT_MS);
  try {
    const response = await fetch(
      `${base}/api/clock`,
      body === undefined ? { signal: abort.signal } : {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: abort.signal,
      },
    );
    const text = await response.arrayBuffer();
    return new Response(text, {
      status: response.status,
      headers: response.headers,
    });
  } catch (error) {
    const reason = abort.signal.aborted
      ? `it did not answer within ${ADMIN_REQUEST_TIMEOUT_MS / 1000} s`
      : error instanceof Error
      ? error.message
      : String(error);
    throw new Error(`the admin API at ${base} cannot be reached: ${reason}`);
  } finally {
    clearTimeout(timer);
  }
}
