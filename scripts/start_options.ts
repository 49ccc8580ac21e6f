/**
 * Owns the command line of `deno task start` (scripts/start.ts): its
 * three flags, read strictly with the product's own parser and value
 * checks (cli/args.ts, cli/values.ts), so every bad input is one
 * UsageError before anything starts.
 *
 * Must not start, spawn or copy anything.
 */

import { type CommandSpec, parseCommandLine, UsageError } from "../cli/args.ts";
import { parseListenPort } from "../cli/values.ts";

export { UsageError };

/** What `deno task start` was asked for. */
export interface StartOptions {
  /** The origin's port, 0..65535 (0 picks a free one). */
  originPort: number;
  /** The proxy's port, 0..65535 (0 picks a free one). */
  proxyPort: number;
  /** The proxy's cache folder; the proxy's own default when absent. */
  cacheDir?: string;
  /** --help or -h was given: print START_HELP, start nothing. */
  help: boolean;
}

const START_COMMAND: CommandSpec = {
  name: "start",
  summary: "The demo: an origin serving a copy of demo/ and the proxy.",
  positionals: [],
  flags: [
    { name: "origin-port", value: "N", help: "", default: "20000" },
    { name: "proxy-port", value: "N", help: "", default: "12345" },
    { name: "cache-dir", value: "DIR", help: "" },
  ],
  notes: [],
};

/** The text of `deno task start --help`. */
export const START_HELP = `Usage: deno task start [OPTIONS]

Runs the demo: cachelab origin on a fresh copy of demo/ (in a temporary
folder, removed at exit), and cachelab proxy in front of it; prints curl
commands to try. Ctrl-C stops both.

Options:
  --origin-port N            The origin's port; 0 picks a free one. (default:
                             20000)
  --proxy-port N             The proxy's port; 0 picks a free one. (default:
                             12345)
  --cache-dir DIR            The proxy's cache folder. (default: the proxy's
                             own, $XDG_CACHE_HOME/cachelab, else
                             ~/.cache/cachelab)
  -h, --help                 Print this help and exit.
`;

/**
 * Reads the arguments after `deno task start`. Throws UsageError on an
 * unknown flag, a flag without its value or given twice, an argument
 * that is not a flag, a port that is not 0..65535, an empty --cache-dir,
 * or the same non-zero port for both servers.
 */
export function parseStartArgs(args: readonly string[]): StartOptions {
  const parsed = parseCommandLine(args, START_COMMAND);
  if (parsed.help) return { originPort: 0, proxyPort: 0, help: true };
  const text = (name: string, fallback?: string) => {
    const value = parsed.flags.get(name);
    return typeof value === "string" ? value : fallback;
  };
  const originPort = parseListenPort(
    text("origin-port", "20000")!,
    "--origin-port",
  );
  const proxyPort = parseListenPort(
    text("proxy-port", "12345")!,
    "--proxy-port",
  );
  if (originPort !== 0 && originPort === proxyPort) {
    throw new UsageError(
      `--origin-port and --proxy-port must differ, not both ${originPort}`,
    );
  }
  const cacheDir = text("cache-dir");
  if (cacheDir !== undefined && cacheDir.trim() === "") {
    throw new UsageError("--cache-dir needs a folder, not an empty value");
  }
  return { originPort, proxyPort, cacheDir, help: false };
}
