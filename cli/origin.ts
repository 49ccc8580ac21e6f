/**
 * Owns the `cachelab origin` command line: its flag table (which help
 * renders) and turning parsed arguments into a checked OriginConfig.
 *
 * Must not start servers or serve files: origin/ does, main.ts wires it.
 */

import { resolve } from "node:path";
import type { OriginConfig } from "../origin/config.ts";
import { parseLabScript } from "../origin/mod.ts";
import {
  type CommandSpec,
  flagText,
  type ParsedArgs,
  UsageError,
} from "./args.ts";
import {
  parseCount,
  parseHost,
  parseListenPort,
  parseSecondsAsMs,
} from "./values.ts";
import { MAX_SCRIPT_BYTES, pathText, readStartFile } from "./start_file.ts";

export const ORIGIN_DEFAULTS = {
  port: 20000,
  host: "127.0.0.1",
  cacheControl: "no-cache",
  headTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
} as const;

/** RFC 9111 §1.2.2: delta-seconds past 2^31 are sent as 2^31. */
const MAX_DELTA_SECONDS = 2 ** 31;

export const ORIGIN_COMMAND: CommandSpec = {
  name: "origin",
  summary: "Serves the files under a folder over HTTP/1.1. " +
    "GET and HEAD, with Last-Modified, ETag, conditional requests, single " +
    "byte ranges and directory listings; every response carries one " +
    "Cache-Control value, so a cache in front knows what to do.",
  positionals: [{
    name: "PORT",
    help: "Port to listen on; 0 picks a free one.",
    default: String(ORIGIN_DEFAULTS.port),
  }],
  flags: [
    {
      name: "root",
      value: "DIR",
      help: "Folder to serve; it must exist.",
      default: "the current directory",
    },
    {
      name: "host",
      value: "HOST",
      help: "Address to listen on.",
      default: ORIGIN_DEFAULTS.host,
    },
    {
      name: "max-age",
      value: "SECONDS",
      help: 'Send "Cache-Control: max-age=SECONDS" instead of no-cache.',
    },
    {
      name: "cache-control",
      value: "VALUE",
      help: "Send VALUE verbatim as Cache-Control; not with --max-age.",
      default: ORIGIN_DEFAULTS.cacheControl,
    },
    {
      name: "timeout-head",
      value: "S",
      help: "Seconds a client has to send a request head (then 408).",
      default: String(ORIGIN_DEFAULTS.headTimeoutMs / 1000),
    },
    {
      name: "timeout-idle",
      value: "S",
      help: "Seconds a keep-alive connection may sit idle.",
      default: String(ORIGIN_DEFAULTS.idleTimeoutMs / 1000),
    },
    {
      name: "lab",
      help: "Add the /lab/ routes (fields, validators, status, delay, " +
        "bytes, close, rst, count, log: see README) and count every request.",
    },
    {
      name: "script",
      value: "FILE",
      help:
        "Answer the paths of a JSON script of responses first; implies --lab.",
    },
    {
      name: "quiet",
      help: "Do not write the access log (one line per request on stderr).",
    },
  ],
  notes: [
    'Prints "listening on http://HOST:PORT" on stdout once it serves. ' +
    "SIGINT or SIGTERM stops it gracefully. Seconds may have decimals (0.5).",
  ],
};

/** What `cachelab origin` runs with; `log` is wired by main.ts. */
export interface OriginPlan {
  config: OriginConfig;
  quiet: boolean;
}

/** Checks the parsed command line; throws UsageError on a bad value. */
export async function originPlanFrom(
  args: ParsedArgs,
  cwd: string,
): Promise<OriginPlan> {
  const portText = args.positionals[0];
  const port = portText === undefined
    ? ORIGIN_DEFAULTS.port
    : parseListenPort(portText, "PORT");
  const host = flagText(args, "host");
  const headTimeout = flagText(args, "timeout-head");
  const idleTimeout = flagText(args, "timeout-idle");
  return {
    config: {
      host: host === undefined
        ? ORIGIN_DEFAULTS.host
        : parseHost(host, "--host"),
      port,
      root: await checkedRoot(flagText(args, "root"), cwd),
      cacheControl: cacheControlFrom(args),
      headTimeoutMs: headTimeout === undefined
        ? ORIGIN_DEFAULTS.headTimeoutMs
        : parseSecondsAsMs(headTimeout, "--timeout-head"),
      idleTimeoutMs: idleTimeout === undefined
        ? ORIGIN_DEFAULTS.idleTimeoutMs
        : parseSecondsAsMs(idleTimeout, "--timeout-idle"),
      ...await labFrom(args, cwd),
    },
    quiet: args.flags.has("quiet"),
  };
}

/** `lab` when --lab or --script is given, with the script read and checked. */
async function labFrom(
  args: ParsedArgs,
  cwd: string,
): Promise<Pick<OriginConfig, "lab">> {
  const file = flagText(args, "script");
  if (file === undefined) return args.flags.has("lab") ? { lab: {} } : {};
  let text: string;
  try {
    text = await readStartFile(resolve(cwd, file), MAX_SCRIPT_BYTES);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(
      `--script ${pathText(file)}: cannot be read: ${reason}`,
    );
  }
  const parsed = parseLabScript(text);
  if (parsed.kind === "bad") {
    throw new UsageError(`--script ${pathText(file)}: ${parsed.reason}`);
  }
  return { lab: { script: parsed.script } };
}

function cacheControlFrom(args: ParsedArgs): string {
  const maxAge = flagText(args, "max-age");
  const verbatim = flagText(args, "cache-control");
  if (maxAge !== undefined && verbatim !== undefined) {
    throw new UsageError(
      "--max-age and --cache-control cannot be used together",
    );
  }
  if (maxAge !== undefined) {
    const seconds = parseCount(maxAge, "--max-age", {
      min: 0,
      max: MAX_DELTA_SECONDS,
    });
    return `max-age=${seconds}`;
  }
  if (verbatim === undefined) return ORIGIN_DEFAULTS.cacheControl;
  // RFC 9110 §5.5: a field value holds no CR, LF, NUL or other controls.
  if (!/^[\x20-\x7e\t]*$/.test(verbatim)) {
    throw new UsageError(
      "--cache-control must be printable ASCII, without CR, LF or other control characters",
    );
  }
  if (verbatim.trim() === "") {
    throw new UsageError("--cache-control must not be empty");
  }
  return verbatim.trim();
}

/** The absolute, symlink-free path of the root folder, checked to exist. */
async function checkedRoot(
  root: string | undefined,
  cwd: string,
): Promise<string> {
  const path = resolve(cwd, root ?? ".");
  const shown = pathText(root ?? path);
  try {
    const real = await Deno.realPath(path);
    const info = await Deno.stat(real);
    if (!info.isDirectory) {
      throw new UsageError(`--root ${shown} is not a directory`);
    }
    return real;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (error instanceof Deno.errors.NotFound) {
      throw new UsageError(`--root ${shown} does not exist`);
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`--root ${shown} cannot be read: ${reason}`);
  }
}
