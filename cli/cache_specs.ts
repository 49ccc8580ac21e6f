/**
 * Owns the command tables of `cachelab cache ls|show|purge|stats` (which
 * the parser takes and help renders) and the text of `cachelab cache
 * --help`.
 *
 * Must not run anything: cli/cache.ts does.
 */

import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from "../admin/entries.ts";
import type { CommandSpec, FlagSpec } from "./args.ts";
import { CACHE_FLAGS } from "./cache_flags.ts";

/** Where the entries come from, and --json: every action takes them. */
const SOURCE_FLAGS: readonly FlagSpec[] = [
  {
    name: "cache-dir",
    value: "DIR",
    help: "The cache folder. When a running proxy holds it (its " +
      "cachelab.lock), the command goes through that proxy's admin " +
      "listener; else it opens the folder itself, locked meanwhile so no " +
      "proxy starts on it.",
    default: CACHE_FLAGS.find((f) => f.name === "cache-dir")!.default,
  },
  {
    name: "admin",
    value: "URL",
    help: "The admin listener of a running proxy (http://127.0.0.1:12346), " +
      "instead of a folder.",
  },
  {
    name: "store",
    value: "URL",
    help: "A Redis store, redis://HOST:PORT[/DB], instead of a folder " +
      "(file: the folder, as without it): " +
      "read and purged in Redis itself (a purge is announced to the " +
      "running nodes); stats shows what Redis reports.",
  },
  {
    name: "json",
    help: "Print the admin API's JSON (one line) instead of text.",
  },
];

const SOURCE_USAGE = "[--cache-dir DIR | --admin URL | --store URL] [--json]";

export const CACHE_LS: CommandSpec = {
  name: "cache ls",
  usage: `cachelab cache ls [--prefix URL] [--limit N] ${SOURCE_USAGE}`,
  summary: "Lists the stored responses (each Vary variant apart), most " +
    "recently used first: URL, status, body size, age, freshness left " +
    "(negative once stale), state (fresh, stale, no-cache, partial) and " +
    "hits since the proxy started (0 when no proxy holds the folder).",
  positionals: [],
  flags: [
    {
      name: "prefix",
      value: "URL",
      help: "Only URLs that start with URL.",
    },
    {
      name: "limit",
      value: "N",
      help: `List at most N entries (1 to ${MAX_LIST_LIMIT}).`,
      default: String(DEFAULT_LIST_LIMIT),
    },
    ...SOURCE_FLAGS,
  ],
  notes: ["--json prints GET /api/entries' body: {entries, more, total}."],
};

export const CACHE_SHOW: CommandSpec = {
  name: "cache show",
  usage: `cachelab cache show URL ${SOURCE_USAGE}`,
  summary: "Shows every stored variant of URL with its stored fields. " +
    "Exits 1 when nothing is stored for URL.",
  positionals: [{ name: "URL", help: "The URL as stored (see ls)." }],
  flags: SOURCE_FLAGS,
  notes: ["--json prints GET /api/entry's body: {url, variants}."],
};

export const CACHE_PURGE: CommandSpec = {
  name: "cache purge",
  usage: `cachelab cache purge URL | --prefix P | --all ${SOURCE_USAGE}`,
  summary: "Removes every variant of URL, of every URL that starts with P, " +
    "or everything. A fill under way for a purged URL still reaches its " +
    "clients but is not stored.",
  positionals: [{ name: "URL", help: "The URL as stored (see ls)." }],
  flags: [
    { name: "prefix", value: "P", help: "Every URL that starts with P." },
    { name: "all", help: "Every entry." },
    ...SOURCE_FLAGS,
  ],
  notes: ['--json prints DELETE /api/entries\' body: {"purged": N}.'],
};

export const CACHE_STATS: CommandSpec = {
  name: "cache stats",
  usage: `cachelab cache stats ${SOURCE_USAGE}`,
  summary: "Prints how many entries the cache holds and the bytes they " +
    "take against --cache-size.",
  positionals: [],
  flags: SOURCE_FLAGS,
  notes: ["--json prints the total of GET /api/entries: {entries, bytes}."],
};

/** The actions by name. */
export const CACHE_ACTIONS: Readonly<Record<string, CommandSpec>> = {
  ls: CACHE_LS,
  show: CACHE_SHOW,
  purge: CACHE_PURGE,
  stats: CACHE_STATS,
};

/** `cachelab cache` as the top-level help lists it. */
export const CACHE_COMMAND: CommandSpec = {
  name: "cache",
  usage: "cachelab cache ls|show|purge|stats [OPTIONS]",
  summary: "Lists, shows and purges the entries of a cache, through the " +
    "admin listener of the proxy that holds it or on its folder.",
  positionals: [],
  flags: [],
  notes: [],
};

/** The output of `cachelab cache --help`. */
export function cacheHelp(): string {
  const actions = Object.values(CACHE_ACTIONS);
  return [
    "Usage:",
    ...actions.map((a) => `  ${a.usage}`),
    "",
    ...wrapped(CACHE_COMMAND.summary),
    "",
    "Exit codes: 0 done, 1 failed (nothing stored for show, a proxy holds",
    "the folder without an admin listener, ...), 2 bad flags.",
    "",
    'Run "cachelab cache ACTION --help" for the options of each action.',
  ].join("\n") + "\n";
}

function wrapped(text: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > 78) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  return [...lines, line];
}
