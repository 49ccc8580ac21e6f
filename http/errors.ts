/**
 * Owns the typed errors of the wire layer and the one mapping from a
 * request-side error to the status a server answers with.
 *
 * Must not know about upstreams or caching: the proxy maps its own
 * upstream failures (502/504) in `proxy/errors.ts`.
 */

/** What went wrong while reading or writing an HTTP/1.1 message. */
export type HttpErrorKind =
  /** The message violates RFC 9112 syntax (bad line, bad field, bad version). */
  | "malformed"
  /** The request line is longer than the limit (414). */
  | "uri-too-long"
  /** The head is larger than the limit or has too many fields (431). */
  | "head-too-large"
  /** An HTTP version we do not speak (505). */
  | "version"
  /** Framing is ambiguous or smuggling-shaped (RFC 9112 §6.3). */
  | "framing"
  /** The peer closed before the message was complete. */
  | "truncated"
  /** The peer took too long. */
  | "timeout"
  /**
   * A response the request did not ask for, after which the connection
   * no longer speaks HTTP/1.1 as we know it (an unrequested 101, a 2xx to
   * a CONNECT that was not meant to open a tunnel): never reused.
   */
  | "unrequested";

/** An error in an HTTP message received from a peer. */
export class HttpError extends Error {
  readonly kind: HttpErrorKind;
  constructor(kind: HttpErrorKind, message: string) {
    super(message);
    this.name = "HttpError";
    this.kind = kind;
  }
}

/** True when the value is an HttpError (of the given kind, if any). */
export function isHttpError(
  value: unknown,
  kind?: HttpErrorKind,
): value is HttpError {
  return value instanceof HttpError &&
    (kind === undefined || value.kind === kind);
}

/** The status a server answers a bad request with (RFC 9110 §15.5, §15.6). */
export function requestErrorStatus(kind: HttpErrorKind): number {
  switch (kind) {
    case "uri-too-long":
      return 414;
    case "head-too-large":
      return 431;
    case "version":
      return 505;
    case "timeout":
      return 408;
    default:
      return 400;
  }
}
