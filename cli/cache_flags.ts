/**
 * Owns the cache flags of `cachelab proxy` (--cache-dir, --cache-size,
 * --max-object-size, --memory-cache-size, --skip-binary, and --no-cache
 * against them) and turning them into a checked CacheConfig, with the
 * default folder taken from XDG_CACHE_HOME or HOME.
 *
 * Must not create or read the cache folder (cache/ does); it only checks
 * that an existing one is a folder.
 */

import { resolve } from "node:path";
import type { CacheConfig } from "../proxy/config.ts";
import {
  type FlagSpec,
  flagText,
  type ParsedArgs,
  UsageError,
} from "./args.ts";
import { formatByteSize, parseByteSize } from "./values.ts";

export const CACHE_DEFAULTS = {
  cacheBytes: 1024 ** 3,
  maxObjectBytes: 256 * 1024 ** 2,
  memoryBytes: 64 * 1024 ** 2,
} as const;

/** Reads environment variables (HOME, XDG_CACHE_HOME). */
export type EnvLookup = (name: string) => string | undefined;

/** The cache flags, in the order help lists them. */
export const CACHE_FLAGS: readonly FlagSpec[] = [
  {
    name: "cache-dir",
    value: "DIR",
    help: "Folder of the cache; created when missing.",
    default: "$XDG_CACHE_HOME/cachelab, else ~/.cache/cachelab",
  },
  {
    name: "cache-size",
    value: "BYTES",
    help: "Most body bytes kept; least recently used entries go first.",
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
      "In-memory tier for small hot bodies; 0 turns it off; at most --cache-size.",
    default: `${
      formatByteSize(CACHE_DEFAULTS.memoryBytes)
    } or --cache-size if smaller`,
  },
  {
    name: "skip-binary",
    help:
      "Do not store responses with a binary media type (the assignment's rule).",
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
  const sizeText = flagText(args, "cache-size");
  const sizeBytes = sizeText === undefined
    ? CACHE_DEFAULTS.cacheBytes
    : parseByteSize(sizeText, "--cache-size");
  if (sizeBytes < 1) {
    throw new UsageError("--cache-size must be at least 1 byte");
  }
  return {
    dir: await cacheDirFrom(flagText(args, "cache-dir"), env, cwd),
    sizeBytes,
    maxObjectBytes: partOfCache(
      args,
      "max-object-size",
      CACHE_DEFAULTS.maxObjectBytes,
      sizeBytes,
    ),
    memoryBytes: partOfCache(
      args,
      "memory-cache-size",
      CACHE_DEFAULTS.memoryBytes,
      sizeBytes,
    ),
    skipBinary: args.flags.has("skip-binary"),
  };
}

/** A size that cannot exceed the cache; its default shrinks to fit. */
function partOfCache(
  args: ParsedArgs,
  name: string,
  fallback: number,
  cacheBytes: number,
): number {
  const value = flagText(args, name);
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
async function cacheDirFrom(
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
