/**
 * Owns the rule for a request whose upstream connection failed before a
 * response: send it again on a fresh connection, or give up with a reason
 * (RFC 9110 §9.2.2, RFC 9112 §9.3.1). A pure function of what happened.
 *
 * Must not do I/O: exchange.ts acts on the step returned.
 */

import { HELD_REQUEST_BODY } from "../../cache/limits.ts";

/** RFC 9110 §9.2.2: methods whose intended effect is the same when repeated. */
const IDEMPOTENT: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "OPTIONS",
  "TRACE",
  "PUT",
  "DELETE",
]);

/** What is known about an attempt that failed. */
export interface FailedAttempt {
  method: string;
  /** Which try this was: 1 for the first, 2 for a second one. */
  attempt: number;
  /** The connection came from the idle pool (it may have gone stale). */
  reused: boolean;
  /** The connection closed or reset (not a timeout, a bad response or a bad client body). */
  lost: boolean;
  /** Bytes of the request the socket took (0: nothing of it left). */
  written: number;
  /** Bytes of a response read (an interim response counts). */
  received: number;
  /** The whole request body is still held (or there is none). */
  replayable: boolean;
}

/** What to do next. */
export type NextStep =
  /** Nothing of the request left: send it on a fresh connection (not a retry). */
  | { kind: "resend" }
  /** A retry on a fresh connection (RFC 9110 §9.2.2). */
  | { kind: "retry" }
  /** Give up; `reason` replaces the error's message when set. */
  | { kind: "fail"; reason?: string };

/** The step after a failed attempt; a request is sent at most twice. */
export function nextStep(f: FailedAttempt): NextStep {
  if (!f.lost) return { kind: "fail" }; // a timeout or a bad response is the upstream's answer
  if (f.attempt >= 2) return { kind: "fail" };
  if (f.written === 0 && f.replayable) return { kind: "resend" }; // nothing was sent: not a retry
  if (f.received > 0) return { kind: "fail" }; // RFC 9112 §9.3.1: only before any response
  if (!f.reused) return { kind: "fail" }; // a fresh connection closing is the upstream's doing
  if (!IDEMPOTENT.has(f.method)) {
    return {
      kind: "fail",
      reason: "upstream closed the connection after the request was sent; " +
        `${f.method} is not idempotent, so it is not retried (RFC 9110 §9.2.2)`,
    }; // RFC 9112 §9.3.1: never retry a non-idempotent request automatically
  }
  if (!f.replayable) {
    return {
      kind: "fail",
      reason: "upstream closed the connection after the request was sent; " +
        `its body was streamed past ${
          HELD_REQUEST_BODY / 1024
        } KiB and cannot be sent again`,
    };
  }
  return { kind: "retry" }; // RFC 9110 §9.2.2
}
