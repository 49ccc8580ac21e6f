/**
 * Owns the `cachelab lab` command line: its flag table (which help
 * renders) and turning parsed arguments plus the environment into a
 * checked LabPlan: the three ports, the origin's folder and script (read
 * and checked here, as `cachelab origin --script` does), the proxy's cache
 * settings (cache_flags.ts).
 *
 * Must not start servers nor create folders: lab_run.ts does, main.ts
 * runs it.
 */

import { resolve } from "node:path";
import type { AdminAddress } from "../admin/launch.ts";
import { type LabScript, parseLabScript } from "../origin/mod.ts";
import type { CacheConfig } from "../proxy/config.ts";
import {
  type CommandSpec,
  flagText,
  type ParsedArgs,
  UsageError,
} from "./args.ts";
import { CACHE_FLAGS, cacheConfigFrom, type EnvLookup } from "./cache_flags.ts";
import { DEFAULT_CLOCK_ADMIN } from "./clock.ts";
import { type LessonRequest, lessonRequestFrom } from "./lessons.ts";
import { MAX_SCRIPT_BYTES, pathText, readStartFile } from "./start_file.ts";
import { parseListenPort } from "./values.ts";

export const LAB_DEFAULTS = {
  host: "127.0.0.1",
  port: 12345,
  adminPort: Number(new URL(DEFAULT_CLOCK_ADMIN).port),
  originPort: 20000,
} as const;

/** The cache flags a one-process lab has no use for: a store shared by nodes. */
const SHARED_STORE_FLAGS: ReadonlySet<string> = new Set([
  "store",
  "store-timeout",
]);

export const LAB_COMMAND: CommandSpec = {
  name: "lab",
  summary: "Runs an origin with the /lab/ routes, the caching proxy in " +
    "front of it and the " +
    "proxy's admin listener in one process, sharing one clock that only " +
    "moves forward when told to (cachelab clock advance, or the live " +
    "page's buttons): dates the origin sends, ages and freshness the proxy " +
    "computes and its explanations all follow it, so waiting an hour " +
    "takes a click. Then prints lessons to try.",
  positionals: [{
    name: "PORT",
    help: "Port of the proxy; 0 picks free ports for all three listeners.",
    default: String(LAB_DEFAULTS.port),
  }],
  flags: [
    {
      name: "admin-port",
      value: "N",
      help: "Port of the admin listener (the live page, /api/clock).",
      default: `${LAB_DEFAULTS.adminPort}, or 0 when PORT is 0`,
    },
    {
      name: "origin-port",
      value: "N",
      help: "Port of the origin.",
      default: `${LAB_DEFAULTS.originPort}, or 0 when PORT is 0`,
    },
    {
      name: "root",
      value: "DIR",
      help: "Folder the origin serves; it must exist.",
      default: "a temporary copy of the demo folder, removed at exit",
    },
    {
      name: "script",
      value: "FILE",
      help: "Answer the paths of a JSON script of responses first (the " +
        "format of cachelab origin --script; see README).",
    },
    ...CACHE_FLAGS.filter((flag) => !SHARED_STORE_FLAGS.has(flag.name)).map((
      flag,
    ) =>
      flag.name === "cache-dir"
        ? { ...flag, default: "a new temporary folder, removed at exit" }
        : flag
    ),
    {
      name: "lesson",
      value: "N",
      help: "Print lesson N (or all) for a lab on these ports and exit, " +
        "starting nothing.",
    },
    {
      name: "quiet",
      help: "Do not write the access logs (the proxy's, and the origin's " +
        'prefixed "origin "; one line per request on stderr).',
    },
  ],
  notes: [
    "Every listener binds 127.0.0.1. The clock starts at real time; " +
    "timeouts and the upstream connections stay on real time. A cache " +
    "folder given with --cache-dir keeps the moved times its entries were " +
    "stored at.",
    'Prints "listening on http://HOST:PORT" (the proxy), "admin on ' +
    'http://HOST:PORT" and "origin on http://HOST:PORT" on stdout, then ' +
    "the lessons. SIGINT or SIGTERM stops it gracefully.",
  ],
};

/** What `cachelab lab` runs with; the logs are wired by main.ts. */
export interface LabPlan {
  host: string;
  /** The proxy's port; 0 picks a free one. */
  port: number;
  admin: AdminAddress;
  originPort: number;
  /** The folder the origin serves; undefined: a copy of the demo folder. */
  root: string | undefined;
  /** The origin's scripted responses (--script), checked. */
  script: LabScript | undefined;
  /**
   * The cache settings, a file store's (`dir` undefined: a new temporary
   * folder); the lab has no shared store.
   */
  cache: Omit<CacheConfig, "store"> & {
    dir: string | undefined;
    sizeBytes: number;
  };
  quiet: boolean;
  /** --lesson: print it for a lab on these ports instead of starting one. */
  lesson?: LessonRequest;
}

/** Checks the parsed command line; throws UsageError on a bad value. */
export async function labPlanFrom(
  args: ParsedArgs,
  env: EnvLookup,
  cwd: string,
): Promise<LabPlan> {
  const portText = args.positionals[0];
  const port = portText === undefined
    ? LAB_DEFAULTS.port
    : parseListenPort(portText, "PORT");
  const portOf = (name: string, fallback: number) => {
    const text = flagText(args, name);
    if (text !== undefined) return parseListenPort(text, `--${name}`);
    return port === 0 ? 0 : fallback;
  };
  const admin = portOf("admin-port", LAB_DEFAULTS.adminPort);
  const originPort = portOf("origin-port", LAB_DEFAULTS.originPort);
  const ports = [port, admin, originPort].filter((p) => p !== 0);
  if (new Set(ports).size !== ports.length) {
    throw new UsageError(
      `PORT, --admin-port and --origin-port must differ (${port}, ${admin}, ${originPort})`,
    );
  }
  const lesson = flagText(args, "lesson");
  const given = flagText(args, "cache-dir");
  const cache = await cacheConfigFrom(args, env, cwd);
  return {
    host: LAB_DEFAULTS.host,
    port,
    admin: { host: LAB_DEFAULTS.host, port: admin, flags: "--admin-port" }, // lab has no --no-admin
    originPort,
    root: await checkedRoot(flagText(args, "root"), cwd),
    script: await scriptFrom(flagText(args, "script"), cwd),
    cache: labCache(cache!, given !== undefined),
    quiet: args.flags.has("quiet"),
    ...(lesson === undefined ? {} : {
      lesson: lessonRequestFrom(lesson, {
        port,
        adminPort: admin,
        originPort,
      }),
    }),
  };
}

/** The lab's cache settings: the file store's folder (when given) and cap. */
function labCache(cache: CacheConfig, dirGiven: boolean): LabPlan["cache"] {
  const { store, ...rules } = cache;
  if (store.kind !== "file") {
    throw new TypeError("Cannot plan the lab: it runs on a file store"); // its flags take no --store
  }
  return {
    ...rules,
    dir: dirGiven ? store.dir : undefined,
    sizeBytes: store.sizeBytes,
  };
}

/** --script FILE read and checked (origin/lab/script.ts); a bad one is a UsageError naming it. */
async function scriptFrom(
  file: string | undefined,
  cwd: string,
): Promise<LabScript | undefined> {
  if (file === undefined) return undefined;
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
  return parsed.script;
}

/** --root: the absolute, symlink-free path of an existing folder. */
async function checkedRoot(
  root: string | undefined,
  cwd: string,
): Promise<string | undefined> {
  if (root === undefined) return undefined;
  let real: string;
  try {
    real = await Deno.realPath(resolve(cwd, root));
  } catch {
    throw new UsageError(`--root ${pathText(root)} does not exist`);
  }
  if (!(await Deno.stat(real)).isDirectory) {
    throw new UsageError(`--root ${pathText(root)} is not a folder`);
  }
  return real;
}
