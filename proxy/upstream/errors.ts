/**
 * Owns the upstream failures as typed errors and the one mapping from a
 * failure to the status the client gets (502 or 504).
 *
 * Must not build responses (proxy/errors.ts does) nor map request-side
 * errors (http/errors.ts does: 400/414/431).
 */

/** Why an upstream exchange failed. */
export type UpstreamFailure =
  /** The upstream refused or could not be reached. */
  | "connect-failed"
  /** Connecting took longer than --timeout-connect. */
  | "connect-timeout"
  /**
   * Every connection --max-upstream-connections allows stayed busy for
   * --timeout-connect.
   */
  | "wait-timeout"
  /** The response head took longer than --timeout-response. */
  | "response-timeout"
  /** The upstream sent something that is not a valid HTTP/1.1 response. */
  | "bad-response"
  /**
   * The upstream closed the connection before a complete response head
   * (and the request could not be sent again).
   */
  | "closed";

/** An upstream exchange that failed before a response could be relayed. */
export class UpstreamError extends Error {
  readonly failure: UpstreamFailure;
  constructor(failure: UpstreamFailure, message: string) {
    super(message);
    this.name = "UpstreamError";
    this.failure = failure;
  }
}

/** The status for an upstream failure (RFC 9110 §15.6.3, §15.6.5). */
export function failureStatus(failure: UpstreamFailure): 502 | 504 {
  switch (failure) {
    case "connect-timeout":
    case "wait-timeout":
    case "response-timeout":
      return 504;
    default:
      return 502;
  }
}

/**
 * How a failure cut the proxy off from the upstream, when it did (RFC 9111
 * §4.2.4: a cache "disconnected from the origin server"): connecting
 * failed or timed out, the connection closed before a response head, or
 * no head came in time (waiting for a free connection included).
 * Undefined for a bad response: the upstream was reached and answered.
 */
export function disconnection(
  failure: UpstreamFailure,
): "connect-failed" | "closed" | "timeout" | undefined {
  switch (failure) {
    case "connect-failed":
    case "connect-timeout":
      return "connect-failed";
    case "closed":
      return "closed";
    case "wait-timeout":
    case "response-timeout":
      return "timeout";
    case "bad-response":
      return undefined;
  }
}
