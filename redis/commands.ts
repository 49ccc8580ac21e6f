/**
 * Owns what is built from plain Redis calls, whatever the connection: an
 * argument's type, the error of a refused command, Lua scripts (EVALSHA,
 * EVAL when the server lacks the script) and SCAN.
 *
 * Must not hold a connection (redis/client.ts does) nor import the npm
 * client.
 */

import { createHash } from "node:crypto";

/** An argument of a Redis command: bytes are sent as they are. */
export type RedisArg = string | number | Uint8Array;

/**
 * A Redis error reply (WRONGTYPE, OOM, a script error): the server is
 * there and refused the command, as opposed to StoreUnavailableError.
 */
export class RedisReplyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RedisReplyError";
  }
}

/**
 * The error codes of a reply that means "the server cannot serve now",
 * not "this command or this data is wrong": a script running too long
 * (BUSY), a restart loading its data (LOADING), a replica without its
 * master or read-only (MASTERDOWN, READONLY), no memory for a write
 * (OOM), a failed save refusing writes (MISCONF), too few replicas
 * (NOREPLICAS), a cluster not ready (CLUSTERDOWN, TRYAGAIN).
 */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  "BUSY",
  "LOADING",
  "MASTERDOWN",
  "READONLY",
  "OOM",
  "MISCONF",
  "NOREPLICAS",
  "CLUSTERDOWN",
  "TRYAGAIN",
]);

/**
 * Whether an error reply's message (its first word is the code, e.g.
 * "BUSY Redis is busy running a script...") says the server cannot serve
 * now (UNAVAILABLE_CODES), to be treated as Redis out of reach.
 */
export function meansUnavailable(message: string): boolean {
  const code = message.trimStart().split(/\s/, 1)[0] ?? "";
  return UNAVAILABLE_CODES.has(code);
}

/** A Lua script loaded once per server (EVALSHA), sent whole only when the server lacks it. */
export interface RedisScript {
  /** The reply of the script, bulk strings as strings. Rejects like RedisClient.call(). */
  run(keys: readonly string[], args: readonly RedisArg[]): Promise<unknown>;
  /** The same, bulk strings as bytes. */
  runBytes(
    keys: readonly string[],
    args: readonly RedisArg[],
  ): Promise<unknown>;
}

/** Runs commands (RedisClient). */
export interface RedisCalls {
  call(command: string, ...args: RedisArg[]): Promise<unknown>;
  callBytes(command: string, ...args: RedisArg[]): Promise<unknown>;
}

/** A Lua script over `calls`, by EVALSHA (EVAL once when the server answers NOSCRIPT). */
export function scriptOf(calls: RedisCalls, source: string): RedisScript {
  const sha = createHash("sha1").update(source).digest("hex");
  const run = async (
    keys: readonly string[],
    args: readonly RedisArg[],
    bytes: boolean,
  ) => {
    const send = (command: string, ...rest: RedisArg[]) =>
      bytes ? calls.callBytes(command, ...rest) : calls.call(command, ...rest);
    const tail = [keys.length, ...keys, ...args];
    try {
      return await send("EVALSHA", sha, ...tail);
    } catch (error) {
      if (!(error instanceof RedisReplyError)) throw error;
      if (!error.message.includes("NOSCRIPT")) throw error;
      return await send("EVAL", source, ...tail);
    }
  };
  return {
    run: (keys, args) => run(keys, args, false),
    runBytes: (keys, args) => run(keys, args, true),
  };
}

/**
 * The keys matching `pattern`, by SCAN (never KEYS), in batches of about
 * `count`; each SCAN is one call (a failure rejects the next()).
 */
export async function* scanKeys(
  calls: RedisCalls,
  pattern: string,
  count: number,
): AsyncGenerator<string[]> {
  let cursor = "0";
  do {
    const reply = await calls.call(
      "SCAN",
      cursor,
      "MATCH",
      pattern,
      "COUNT",
      count,
    ) as [string, string[]];
    cursor = reply[0];
    if (reply[1].length > 0) yield reply[1];
  } while (cursor !== "0");
}
