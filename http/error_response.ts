/**
 * Owns the short text response a server sends when it refuses a request
 * and closes (400, 408, 414, 431, 500, 502, 505, ...), counted and logged, and
 * the test for an error that only means the peer went away.
 *
 * Must not decide the status (errors.ts maps error kinds) nor close.
 */

import type { AccessLogEntry } from "./access_log.ts";
import { concatBytes, latin1Bytes } from "./bytes.ts";
import { type HttpError, requestErrorStatus } from "./errors.ts";
import { formatHttpDate } from "./dates.ts";
import { FieldList } from "./headers.ts";
import { serializeResponseHead } from "./head.ts";
import { reasonPhrase } from "./status.ts";
import type { OutgoingResponse } from "./types.ts";
import { writeAll } from "./writer.ts";

/**
 * A short text error response that closes the connection: the body
 * "STATUS REASON-PHRASE: reason" and a line end. `now` (ms since the
 * epoch, the server's clock: ServerOptions.now) is its Date (RFC 9110
 * §6.6.1).
 */
export function textError(
  status: number,
  reason: string,
  now: number = Date.now(),
): OutgoingResponse & { body: Uint8Array } {
  const body = latin1Bytes(`${status} ${reasonPhrase(status)}: ${reason}\n`);
  const headers = new FieldList([
    ["Date", formatHttpDate(now)],
    ["Content-Type", "text/plain; charset=utf-8"],
    ["Content-Length", String(body.length)],
    ["Connection", "close"],
  ]);
  return { status, headers, body, close: true };
}

/** Writes a short text error response that closes the connection; `now` as textError's. */
export async function writeError(
  io: { write(p: Uint8Array): Promise<number> },
  status: number,
  reason: string,
  now?: number,
): Promise<void> {
  const res = textError(status, reason, now);
  const head = serializeResponseHead({
    version: "HTTP/1.1",
    status,
    reason: reasonPhrase(status),
    headers: res.headers,
  });
  await writeAll(io, concatBytes([latin1Bytes(head), res.body]));
}

/** True when `e` says the peer closed or reset the connection (no bug). */
export function isConnectionGone(e: unknown): boolean {
  return e instanceof Deno.errors.BadResource ||
    e instanceof Deno.errors.ConnectionReset ||
    e instanceof Deno.errors.BrokenPipe ||
    e instanceof Deno.errors.Interrupted ||
    e instanceof Deno.errors.NotConnected ||
    e instanceof Deno.errors.ConnectionAborted;
}

/** What the log line of a refused request knows. */
export interface RefusalFacts {
  remoteAddr: string;
  /** The request line when it was read, else "-". */
  requestLine?: string;
  /** When the request head was read (ms since the epoch); now when absent. */
  time?: number;
}

/**
 * Answers a request the server refuses with the status of `error`
 * (errors.ts), counted as "error:STATUS" and logged; a truncated request
 * gets nothing. Returns whether the answer went out.
 */
export async function answerBadRequest(
  io: { write(p: Uint8Array): Promise<number> },
  error: HttpError,
  ctx: {
    count(event: string): void;
    log(entry: AccessLogEntry): void;
    /** The clock of the answer's Date (ServerOptions.now); Date.now when absent. */
    now?: () => number;
  },
  facts: RefusalFacts,
): Promise<boolean> {
  if (error.kind === "truncated") {
    ctx.count("error:truncated");
    return false; // nobody left to answer
  }
  const status = requestErrorStatus(error.kind);
  ctx.count(`error:${status}`);
  const sent = await writeError(io, status, error.message, ctx.now?.()).then(
    () => true,
    () => false,
  );
  ctx.log({
    remoteAddr: facts.remoteAddr,
    time: facts.time ?? Date.now(),
    requestLine: facts.requestLine ?? "-",
    status,
    bytes: 0,
  });
  return sent;
}
