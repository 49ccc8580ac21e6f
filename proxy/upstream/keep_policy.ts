/**
 * Owns the decision whether an upstream connection whose exchange
 * completed may be kept for reuse, and for how long: never with bytes
 * behind the response or after the upstream ended it, not past the
 * upstream's Keep-Alive `max`, and idle no longer than our own limit or
 * the upstream's Keep-Alive `timeout` less a safety margin. Pure.
 *
 * Must not touch connections: pool.ts acts on the decision.
 */

import type { KeepAliveHint } from "../../http/keep_alive.ts";

/**
 * An upstream's advertised idle timeout is trusted up to this much less
 * (ms): its timer and ours do not start at the same instant, and a
 * request needs time to arrive.
 */
const KEEP_ALIVE_MARGIN_MS = 1000;

/** What is known about a connection whose exchange completed. */
export interface CompletedConnection {
  /** Bytes read past the end of the response. */
  buffered: number;
  /** The upstream ended the connection (end of input seen). */
  ended: boolean;
  /** Requests sent on it, the last one included. */
  requests: number;
}

/** Why a connection is not kept (each is counted as upstream.not_pooled_REASON). */
export type NotKept =
  /** Bytes nobody asked for follow the response: the upstream is confused. */
  | "extra_bytes"
  /** The upstream already closed it. */
  | "closed"
  /** It carried the upstream's Keep-Alive `max` requests. */
  | "max_requests"
  /** The upstream's Keep-Alive `timeout` leaves no time after the margin. */
  | "short_keepalive";

export type KeepDecision =
  | { keep: true; idleMs: number }
  | { keep: false; reason: NotKept };

/**
 * Whether to keep `conn` idle and for how many ms: `ownIdleMs`
 * (--timeout-idle), or the hint's timeout less KEEP_ALIVE_MARGIN_MS when
 * that is shorter. `max` is read as a total per connection (Node.js's
 * meaning; Apache's "requests left" reading would allow more): the
 * cautious reading.
 */
export function keepDecision(
  conn: CompletedConnection,
  limits: { hint: KeepAliveHint; ownIdleMs: number },
): KeepDecision {
  const { hint, ownIdleMs } = limits;
  if (conn.buffered > 0) return { keep: false, reason: "extra_bytes" };
  if (conn.ended) return { keep: false, reason: "closed" };
  if (hint.max !== undefined && conn.requests >= hint.max) {
    return { keep: false, reason: "max_requests" };
  }
  const idleMs = hint.timeoutSeconds === undefined
    ? ownIdleMs
    : Math.min(ownIdleMs, hint.timeoutSeconds * 1000 - KEEP_ALIVE_MARGIN_MS);
  if (idleMs <= 0) return { keep: false, reason: "short_keepalive" };
  return { keep: true, idleMs };
}
