/**
 * Owns running `cachelab cache ls|show|purge|stats`: checking the flags,
 * picking where the entries come from (admin/cache_folder.ts: a running
 * proxy's admin API, or the folder itself), sending the admin API request
 * of the action and printing its answer, as text (cli/cache_format.ts) or
 * as the API's JSON. Exit codes: 0 done, 1 failed (nothing stored for a
 * `show`, a folder held without an admin listener, an unreachable admin
 * API), 2 bad flags; a failure is one stderr line.
 *
 * Must not touch the cache but through the admin API's requests.
 */

import {
  adminAccess,
  type EntriesAccess,
  folderAccess,
  storeAccess,
} from "../admin/cache_folder.ts";
import { MAX_LIST_LIMIT } from "../admin/entries.ts";
import {
  type CommandSpec,
  flagText,
  parseCommandLine,
  type ParsedArgs,
  UsageError,
} from "./args.ts";
import { CACHE_DEFAULTS, cacheDirFrom, type EnvLookup } from "./cache_flags.ts";
import {
  entriesListingOf,
  entryDetailOf,
  purgedOf,
  refusalLine,
  totalsOf,
} from "./admin_answers.ts";
import { entriesTable, entryText, statsText } from "./cache_format.ts";
import { commandHelp } from "./help.ts";
import { CACHE_ACTIONS, cacheHelp } from "./cache_specs.ts";
import { openRedisEntries } from "./redis_cache.ts";
import { parseCount, parseRedisUrl } from "./values.ts";

/** Where `cachelab cache` writes, and what it reads of its environment. */
export interface CacheIo {
  /** Writes to stdout (text ends with a newline). */
  out(text: string): void;
  /** Writes one line to stderr. */
  err(line: string): void;
  env: EnvLookup;
  cwd: string;
}

/** The process's stdout, stderr, environment and working folder. */
export function processIo(): CacheIo {
  const encoder = new TextEncoder();
  return {
    out: (text) => {
      const bytes = encoder.encode(text);
      for (let at = 0; at < bytes.length;) {
        at += Deno.stdout.writeSync(bytes.subarray(at));
      }
    },
    err: (line) => console.error(line),
    env: (name) => Deno.env.get(name),
    cwd: Deno.cwd(),
  };
}

/** One admin API request an action sends, and how its answer is printed. */
interface Plan {
  method: "GET" | "DELETE";
  path: string;
  /** The text for people from the answer's JSON. */
  text(body: unknown, source: string): string;
  /** What --json prints from the answer's JSON (the whole body by default). */
  json?(body: unknown): unknown;
}

/** Runs `cachelab cache ARGS` (ARGS after "cache"); resolves to the exit code. */
export async function runCache(
  args: readonly string[],
  io: CacheIo,
): Promise<number> {
  const [name, ...rest] = args;
  if (name === "--help" || name === "-h") {
    io.out(cacheHelp());
    return 0;
  }
  const spec = name === undefined ? undefined : CACHE_ACTIONS[name];
  if (spec === undefined) {
    const what = name === undefined
      ? "give an action: ls, show, purge or stats"
      : `unknown action "${name}": give ls, show, purge or stats`;
    io.err(`cachelab: Cannot run cache: ${what} (see cachelab cache --help)`);
    return 2;
  }
  let access: EntriesAccess | undefined;
  try {
    const parsed = parseCommandLine(rest, spec);
    if (parsed.help) {
      io.out(commandHelp(spec));
      return 0;
    }
    const plan = planOf(spec, parsed);
    access = await accessOf(parsed, io);
    const response = await access.fetch(plan.method, plan.path);
    const body = await response.json().catch(() => undefined);
    if (!response.ok) {
      io.err(`cachelab: ${refusalLine(body, response.status, spec.name)}`);
      return 1;
    }
    io.out(
      parsed.flags.has("json")
        ? JSON.stringify(plan.json ? plan.json(body) : body) + "\n"
        : plan.text(body, access.source),
    );
    return 0;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) {
      io.err(
        `cachelab: Cannot run ${spec.name}: ${reason} (see cachelab ${spec.name} --help)`,
      );
      return 2;
    }
    io.err(`cachelab: Cannot run ${spec.name}: ${reason}`);
    return 1;
  } finally {
    await access?.close();
  }
}

/** The admin API request of the action, from its checked flags. */
function planOf(spec: CommandSpec, args: ParsedArgs): Plan {
  const query = new URLSearchParams();
  const url = args.positionals[0];
  switch (spec.name) {
    case "cache ls": {
      const prefix = flagText(args, "prefix");
      if (prefix !== undefined) query.set("prefix", prefix);
      const limit = flagText(args, "limit");
      if (limit !== undefined) {
        parseCount(limit, "--limit", { min: 1, max: MAX_LIST_LIMIT });
        query.set("limit", limit);
      }
      return {
        method: "GET",
        path: withQuery("/api/entries", query),
        text: (body, source) => entriesTable(entriesListingOf(body), source),
        json: entriesListingOf,
      };
    }
    case "cache show": {
      if (url === undefined) throw new UsageError("give the URL to show");
      query.set("url", url);
      return {
        method: "GET",
        path: withQuery("/api/entry", query),
        text: (body) => entryText(entryDetailOf(body)),
        json: entryDetailOf,
      };
    }
    case "cache purge": {
      const targets = [
        url === undefined ? [] : [["url", url]],
        args.flags.has("prefix") ? [["prefix", flagText(args, "prefix")!]] : [],
        args.flags.has("all") ? [["all", "1"]] : [],
      ].flat();
      if (targets.length !== 1) {
        throw new UsageError("give exactly one of URL, --prefix P or --all");
      }
      const [[key, value]] = targets as [[string, string]];
      if (value === "") throw new UsageError(`the ${key} to purge is empty`);
      query.set(key, value);
      return {
        method: "DELETE",
        path: withQuery("/api/entries", query),
        json: (body) => (purgedOf(body), body), // checked, shown as it is
        text: (body, source) => {
          const n = purgedOf(body);
          return `purged ${n} ${n === 1 ? "entry" : "entries"} (${source})\n`;
        },
      };
    }
    default: // cache stats
      return {
        method: "GET",
        path: "/api/entries?limit=1",
        text: (body, source) => statsText(totalsOf(body), source),
        json: totalsOf,
      };
  }
}

function withQuery(path: string, query: URLSearchParams): string {
  const text = query.toString();
  return text === "" ? path : `${path}?${text}`;
}

/** --admin URL, --store URL, else the folder of --cache-dir or the default one. */
async function accessOf(args: ParsedArgs, io: CacheIo): Promise<EntriesAccess> {
  const admin = flagText(args, "admin");
  const dir = flagText(args, "cache-dir");
  const named = flagText(args, "store");
  const store = named === "file" ? undefined : named; // file: the folder
  const given = [admin, dir, store].filter((v) => v !== undefined).length;
  if (given > 1) {
    throw new UsageError("give one of --cache-dir, --admin and --store");
  }
  if (admin !== undefined) return adminAccess(adminBase(admin));
  if (store !== undefined) {
    const address = parseRedisUrl(store, "--store");
    const opened = await openRedisEntries({
      ...address,
      timeoutMs: CACHE_DEFAULTS.storeTimeoutMs * 4, // people wait; tools see the same
    });
    return storeAccess(opened.store, {
      source: `store ${store}`,
      peers: opened.peers,
      close: opened.close,
    });
  }
  return await folderAccess(await cacheDirFrom(dir, io.env, io.cwd));
}

/** --admin: an http URL of a listener, without a path; throws UsageError otherwise. */
export function adminBase(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `--admin must be a URL like http://127.0.0.1:12346, not "${text}"`,
    );
  }
  if (url.protocol !== "http:" || url.search !== "" || url.pathname !== "/") {
    throw new UsageError(
      `--admin must be http://HOST:PORT of an admin listener, not "${text}"`,
    );
  }
  return url.origin;
}
