/**
 * Owns closing a downstream connection in stages after a response
 * (RFC 9112 §9.6, nginx's lingering_close): shut down writing so the
 * client reads the response and then the end of the stream, keep reading
 * and discarding what the client still sends, and close once it closes
 * too or a bound passes. Closing at once with unread input makes the
 * kernel send a reset, which can destroy the response before the client
 * read it (an error answered while the client is still sending: 400,
 * 408, 413, 414, 431).
 *
 * Must not write anything but the shutdown: the response is already out.
 */

import { closeQuietly } from "./close.ts";

/** The bounds of one lingering close. */
export interface LingerLimits {
  /** Longest time spent discarding input after the response (ms). */
  lingerMs: number;
  /** Most bytes discarded before closing anyway. */
  lingerBytes: number;
}

/** Bounds a server uses unless told otherwise (nginx: lingering_time 30 s). */
export const DEFAULT_LINGER: LingerLimits = {
  lingerMs: 2000,
  lingerBytes: 1024 * 1024,
};

/**
 * How a lingering close ended: the client closed ("eof"), the time or
 * byte bound passed ("timeout", "bytes"), or the connection failed or was
 * closed by someone else ("gone").
 */
export type LingerEnd = "eof" | "timeout" | "bytes" | "gone";

const DISCARD_SIZE = 16 * 1024;

/**
 * Half-closes `conn`, discards its input within `limits`, then closes it.
 * Never throws; resolves within about `limits.lingerMs`.
 */
export async function lingeringClose(
  conn: Deno.Conn,
  limits: LingerLimits = DEFAULT_LINGER,
): Promise<LingerEnd> {
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    closeQuietly(conn); // ends the pending read
  }, limits.lingerMs);
  try {
    await conn.closeWrite(); // RFC 9112 §9.6: half-close first
    const scratch = new Uint8Array(DISCARD_SIZE);
    let discarded = 0;
    for (;;) {
      const n = await conn.read(scratch);
      if (n === null) return "eof";
      discarded += n;
      if (discarded > limits.lingerBytes) return "bytes";
    }
  } catch {
    return expired ? "timeout" : "gone";
  } finally {
    clearTimeout(timer);
    closeQuietly(conn);
  }
}
