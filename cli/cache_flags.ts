/**
 * Owns the cache flags of `cachelab proxy` (--store, --store-timeout,
 * --cache-dir, --cache-size, --max-object-size, --memory-cache-size, --skip-binary,
 * --targeted-fields, --store-set-cookie, --max-stale-on-error, and
 * --no-cache against them) and turning them into a checked CacheConfig,
 * with the default folder taken from XDG_CACHE_HOME or HOME.
 *
 * Must not create or read the cache folder (cache/ does); it only checks
 * that an existing one is a folder.
 */

import { resolve } from "node:path";
import {
  type CacheConfig,
  DEFAULT_MAX_STALE_ON_ERROR_SECONDS,
  DEFAULT_TARGETED_FIELDS,
  MIN_CACHE_BYTES,
  type StoreConfig,
} from "../proxy/config.ts";
import {
  type FlagSpec,
  flagText,
  type ParsedArgs,
  UsageError,
} from "./args.ts";
import {
  formatByteSize,
  parseByteSize,
  parseCount,
  parseFieldNameList,
  parseRedisUrl,
  parseSecondsAsMs,
} from "./values.ts";

/** RFC 9111 §1.2.2: the largest delta-seconds a cache needs to hold. */
const MAX_STALE_CEILING_SECONDS = 2147483648;

export const CACHE_DEFAULTS = {
  cacheBytes: 1024 ** 3,
  maxObjectBytes: 256 * 1024 ** 2,
  memoryBytes: 8 * 1024 ** 2,
  storeTimeoutMs: 500,
} as const;

/** Flags that name a local folder's cache: errors with a Redis store. */
const FILE_STORE_FLAGS = ["cache-dir", "cache-size"] as const;

/** Reads environment variables (HOME, XDG_CACHE_HOME). */
export type EnvLookup = (name: string) => string | undefined;

/** The cache flags, in the order help lists them. */
export const CACHE_FLAGS: readonly FlagSpec[] = [
  {
    name: "store",
    value: "file|URL",
    help: "Where entries are kept: file (the folder --cache-dir, this " +
      "node's own) or redis://HOST:PORT[/DB], " +
      "a Redis server shared by every node pointed at it (see Scale out " +
      "in the README); its maxmemory is the cap, so --cache-dir and " +
      "--cache-size are then an error.",
    default: "file",
  },
  {
    name: "store-timeout",
    value: "S",
    help: "Seconds any one Redis call may take; past it, or while Redis " +
      "cannot be reached, requests pass through uncached.",
    default: String(CACHE_DEFAULTS.storeTimeoutMs / 1000),
  },
  {
    name: "cache-dir",
    value: "DIR",
    help: "Folder of the cache; created when missing.",
    default: "$XDG_CACHE_HOME/cachelab, else ~/.cache/cachelab",
  },
  {
    name: "cache-size",
    value: "BYTES",
    help:
      "Most disk space the entries take (files in whole blocks); least recently used entries go first.",
    default: formatByteSize(CACHE_DEFAULTS.cacheBytes),
  },
  {
    name: "max-object-size",
    value: "BYTES",
    help:
      "Larger responses are passed on but not stored; at most --cache-size.",
    default: `${
      formatByteSize(CACHE_DEFAULTS.maxObjectBytes)
    } or --cache-size if smaller`,
  },
  {
    name: "memory-cache-size",
    value: "BYTES",
    help:
      "In-memory tier for small hot bodies (each node's own); 0 turns it off; at most --cache-size.",
    default: `${
      formatByteSize(CACHE_DEFAULTS.memoryBytes)
    } or --cache-size if smaller`,
  },
  {
    name: "skip-binary",
    help:
      "Do not store responses with a binary media type (the assignment's rule).",
  },
  {
    name: "targeted-fields",
    value: "LIST",
    help: "Comma-separated response fields that decide caching instead of " +
      "Cache-Control, the first present and valid one (RFC 9213); " +
      'CDN-Cache-Control only for origin-form requests; "" turns them off.',
    default: DEFAULT_TARGETED_FIELDS.join(","),
  },
  {
    name: "store-set-cookie",
    help: "Store responses that set a cookie when they have explicit " +
      "freshness (RFC 9111 §7.3); see Security in the README.",
  },
  {
    name: "max-stale-on-error",
    value: "SECONDS",
    help: "Serve a stored response up to SECONDS stale when the upstream " +
      "cannot be reached (connect failed, closed, timed out), unless it or " +
      "the request forbids it; 0 turns it off.",
    default: String(DEFAULT_MAX_STALE_ON_ERROR_SECONDS),
  },
];

/** The cache settings, or undefined with --no-cache. */
export async function cacheConfigFrom(
  args: ParsedArgs,
  env: EnvLookup,
  cwd: string,
): Promise<CacheConfig | undefined> {
  if (args.flags.has("no-cache")) {
    const clash = CACHE_FLAGS.find((flag) => args.flags.has(flag.name));
    if (clash) {
      throw new UsageError(`--${clash.name} cannot be used with --no-cache`);
    }
    return undefined;
  }
  const store = await storeFrom(args, env, cwd);
  const cap = store.kind === "file" ? store.sizeBytes : undefined;
  return {
    store,
    maxObjectBytes: partOfCache(
      args,
      "max-object-size",
      CACHE_DEFAULTS.maxObjectBytes,
      cap,
    ),
    memoryBytes: partOfCache(
      args,
      "memory-cache-size",
      CACHE_DEFAULTS.memoryBytes,
      cap,
    ),
    skipBinary: args.flags.has("skip-binary"),
    targetedFields: targetedFieldsFrom(flagText(args, "targeted-fields")),
    storeSetCookie: args.flags.has("store-set-cookie"),
    maxStaleOnErrorSeconds: maxStaleFrom(flagText(args, "max-stale-on-error")),
  };
}

/**
 * --store with its flags: the file store (the folder and its cap), or a
 * Redis server (--cache-dir and --cache-size are then errors: the
 * server's maxmemory is the cap); --store-timeout only with Redis.
 */
async function storeFrom(
  args: ParsedArgs,
  env: EnvLookup,
  cwd: string,
): Promise<StoreConfig> {
  const where = flagText(args, "store") ?? "file";
  const timeoutText = flagText(args, "store-timeout");
  if (where !== "file") {
    const address = parseRedisUrl(where, "--store");
    const clash = FILE_STORE_FLAGS.find((name) => args.flags.has(name));
    if (clash) {
      throw new UsageError(
        `--${clash} cannot be used with a Redis --store (its maxmemory is the cap)`,
      );
    }
    const timeoutMs = timeoutText === undefined
      ? CACHE_DEFAULTS.storeTimeoutMs
      : parseSecondsAsMs(timeoutText, "--store-timeout");
    return { kind: "redis", ...address, timeoutMs };
  }
  if (timeoutText !== undefined) {
    throw new UsageError("--store-timeout needs a Redis --store");
  }
  const sizeText = flagText(args, "cache-size");
  const sizeBytes = sizeText === undefined
    ? CACHE_DEFAULTS.cacheBytes
    : parseByteSize(sizeText, "--cache-size");
  if (sizeBytes < MIN_CACHE_BYTES) {
    throw new UsageError(
      `--cache-size must be at least ${MIN_CACHE_BYTES} bytes (a 4KiB block and its directory entry: what one entry takes on disk)`,
    );
  }
  const dir = await cacheDirFrom(flagText(args, "cache-dir"), env, cwd);
  return { kind: "file", dir, sizeBytes };
}

/**
 * --targeted-fields: field names, in order; not Cache-Control, which is
 * what they are consulted before (RFC 9213 §2.1).
 */
function targetedFieldsFrom(text: string | undefined): string[] {
  if (text === undefined) return [...DEFAULT_TARGETED_FIELDS];
  const names = parseFieldNameList(text, "--targeted-fields");
  if (names.some((name) => name.toLowerCase() === "cache-control")) {
    throw new UsageError(
      "--targeted-fields cannot name Cache-Control: it decides when no targeted field does",
    );
  }
  return names;
}

/** --max-stale-on-error: whole seconds, 0 (off) to 2^31 (RFC 9111 §1.2.2). */
function maxStaleFrom(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_STALE_ON_ERROR_SECONDS;
  return parseCount(text, "--max-stale-on-error", {
    min: 0,
    max: MAX_STALE_CEILING_SECONDS,
  });
}

/**
 * A size that cannot exceed the cache's cap (none with Redis: its
 * maxmemory is not ours to know); its default shrinks to fit.
 */
function partOfCache(
  args: ParsedArgs,
  name: string,
  fallback: number,
  cacheBytes: number | undefined,
): number {
  const value = flagText(args, name);
  if (cacheBytes === undefined) {
    return value === undefined ? fallback : parseByteSize(value, `--${name}`);
  }
  if (value === undefined) return Math.min(fallback, cacheBytes);
  const bytes = parseByteSize(value, `--${name}`);
  if (bytes > cacheBytes) {
    throw new UsageError(
      `--${name} ${value} is larger than --cache-size ${
        formatByteSize(cacheBytes)
      }`,
    );
  }
  return bytes;
}

/** --cache-dir, else $XDG_CACHE_HOME/cachelab, else $HOME/.cache/cachelab. */
export async function cacheDirFrom(
  dir: string | undefined,
  env: EnvLookup,
  cwd: string,
): Promise<string> {
  const xdg = env("XDG_CACHE_HOME");
  const home = env("HOME");
  let path: string;
  if (dir !== undefined) {
    if (dir === "") throw new UsageError("--cache-dir must not be empty");
    path = resolve(cwd, dir);
  } else if (xdg && xdg.startsWith("/")) {
    // XDG Base Directory: a relative XDG_CACHE_HOME is ignored.
    path = resolve(xdg, "cachelab");
  } else if (home) {
    path = resolve(home, ".cache", "cachelab");
  } else {
    throw new UsageError(
      "give --cache-dir (neither XDG_CACHE_HOME nor HOME is set)",
    );
  }
  try {
    const info = await Deno.stat(path);
    if (!info.isDirectory) {
      throw new UsageError(`cache folder ${path} is not a directory`);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (!(error instanceof Deno.errors.NotFound)) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UsageError(`cache folder ${path} cannot be used: ${reason}`);
    }
  }
  return path;
}
