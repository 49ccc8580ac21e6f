/**
 * Owns the short text response a server sends when it refuses a request
 * and closes (400, 408, 414, 431, 500, 505, ...), and the test for an
 * error that only means the peer went away.
 *
 * Must not decide the status (errors.ts maps error kinds) nor close.
 */

import { latin1Bytes } from "./bytes.ts";
import { formatHttpDate } from "./dates.ts";
import { FieldList } from "./headers.ts";
import { serializeResponseHead } from "./head.ts";
import { reasonPhrase } from "./status.ts";
import { writeAll } from "./writer.ts";

/** Writes a short text error response that closes the connection. */
export async function writeError(
  io: { write(p: Uint8Array): Promise<number> },
  status: number,
  reason: string,
): Promise<void> {
  const body = `${status} ${reasonPhrase(status)}: ${reason}\n`;
  const headers = new FieldList([
    ["Date", formatHttpDate(Date.now())],
    ["Content-Type", "text/plain; charset=utf-8"],
    ["Content-Length", String(body.length)],
    ["Connection", "close"],
  ]);
  const head = serializeResponseHead({
    version: "HTTP/1.1",
    status,
    reason: reasonPhrase(status),
    headers,
  });
  await writeAll(io, latin1Bytes(head + body));
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
