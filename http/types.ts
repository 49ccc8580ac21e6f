/**
 * Owns the shapes of HTTP/1.1 messages as the rest of cachelab sees them:
 * heads, body readers, the request a server hands to its handler and the
 * response the handler gives back.
 *
 * Must not hold behaviour: parsing, framing and writing live beside it.
 */

import type { FieldList } from "./headers.ts";

/** The two HTTP versions spoken on the wire. */
export type HttpVersion = "HTTP/1.1" | "HTTP/1.0";

/** A parsed request line plus its header fields. */
export interface RequestHead {
  method: string;
  /** The request-target exactly as received (origin, absolute, authority or asterisk form). */
  target: string;
  version: HttpVersion;
  headers: FieldList;
}

/** A parsed status line plus its header fields. */
export interface ResponseHead {
  version: HttpVersion;
  status: number;
  /** The reason phrase as received (may be empty). */
  reason: string;
  headers: FieldList;
}

/**
 * A message body being read. Chunks are owned by the caller (never reused
 * by the reader). `read()` throws an HttpError when the body is cut short
 * or badly framed: a short body is an error, never a quiet end.
 */
export interface BodyReader {
  /** The exact length when known before reading (Content-Length framing). */
  readonly length: number | undefined;
  /** The next chunk, or null once the whole body has been read. */
  read(): Promise<Uint8Array | null>;
  /** Trailer fields, available after `read()` returned null (chunked only). */
  trailers(): FieldList | undefined;
  /** Stops reading early and releases what the body holds. */
  cancel(): Promise<void>;
  /**
   * Transfer codings still applied to the bytes `read()` yields, in the
   * order they were applied (RFC 9112 §7), lowercased: the body is not
   * the content itself, and goes on only as it came. Absent for content.
   */
  readonly transferCodings?: readonly string[];
}

/** A body read from a connection; `complete` says the connection may be reused. */
export interface WireBody extends BodyReader {
  /** True once the whole body has been read and nothing is left over. */
  readonly complete: boolean;
}

/** A request as a server hands it to its handler. */
export interface IncomingRequest {
  head: RequestHead;
  body: BodyReader;
  /** The downstream peer's address. */
  remoteAddr: string;
  /** The time the request head was read, in ms since the epoch (the clock read once per request). */
  receivedAt: number;
  /** Sends a 1xx interim response (no-op for HTTP/1.0 clients). */
  sendInterim(status: number, headers?: FieldList): Promise<void>;
}

/**
 * A connection that can end with a TCP reset (RST) instead of a clean
 * close: `reset()` discards what is unsent and resets the connection.
 */
export interface Resettable {
  reset(): void;
}

/** What a handler answers with; the server frames and writes it. */
export interface OutgoingResponse {
  status: number;
  /** Reason phrase; the standard one for the status when omitted. */
  reason?: string;
  headers: FieldList;
  /**
   * The body: bytes (written with Content-Length, in one write with the
   * head when small) or a reader (Content-Length when its length is known,
   * otherwise chunked, or close-delimited for an HTTP/1.0 client).
   * Ignored for HEAD requests and for 1xx, 204 and 304.
   */
  body?: Uint8Array | BodyReader | null;
  /**
   * Transfer codings already applied to the body's bytes, in the order
   * applied (a relayed body we could not decode, RFC 9112 §7): the
   * server sends them as `Transfer-Encoding: CODINGS, chunked` to an
   * HTTP/1.1 client, and answers 502 to an HTTP/1.0 one, which cannot
   * receive Transfer-Encoding (RFC 9112 §6.1). Absent or empty: none.
   */
  transferCodings?: readonly string[];
  /** Close the connection after this response. */
  close?: boolean;
  /**
   * Ends the connection instead of answering: no byte of the response is
   * written (status, headers and body are only logged). "close" closes
   * it (the peer reads the end of the stream); "reset" resets it (the
   * peer sees ECONNRESET) when the connection offers `reset()` (see
   * Resettable), else closes it.
   */
  abort?: "close" | "reset";
  /**
   * Takes over the socket once the head is written (CONNECT tunnels).
   * `buffered` holds bytes the client already sent past the request head.
   */
  upgrade?: (conn: Deno.Conn, buffered: Uint8Array) => Promise<void>;
  /** Extra words appended to the access-log line (upstream time, cache result). */
  logSuffix?: string;
  /**
   * An opaque note for the server's `answered` hook (the proxy puts the
   * cache's explanation there), never written to the log line.
   */
  note?: unknown;
}
