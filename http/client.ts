/**
 * Owns the client side of one exchange on an open connection: writing a
 * request with its framing, and reading the response to it, interim 1xx
 * responses included.
 *
 * Must not open, pool or retry connections: that is the caller's policy.
 */

import { type WireBody, wireBody } from "./body.ts";
import { HttpError } from "./errors.ts";
import { type Framing, responseFraming } from "./framing.ts";
import {
  type HeadLimits,
  parseResponseHead,
  serializeRequestHead,
  UPSTREAM_HEAD_LIMITS,
} from "./head.ts";
import type { BufferedReader } from "./reader.ts";
import type { BodyReader, RequestHead, ResponseHead } from "./types.ts";
import { type ByteSink, writeMessage } from "./writer.ts";

/**
 * Writes a request. The framing fields are set from the body: bytes or a
 * reader of known length get Content-Length, a reader of unknown length
 * is sent chunked (with its trailers), no body removes both. Returns the
 * number of body bytes written.
 */
export async function writeRequest(
  sink: ByteSink,
  head: RequestHead,
  body: Uint8Array | BodyReader | null,
): Promise<number> {
  const fields = head.headers;
  const length = body instanceof Uint8Array ? body.length : body?.length;
  if (body === null) {
    fields.delete("transfer-encoding");
    fields.delete("content-length");
    return await writeMessage(sink, serializeRequestHead(head), null, "length");
  }
  if (length !== undefined) {
    fields.delete("transfer-encoding");
    fields.set("Content-Length", String(length));
    return await writeMessage(
      sink,
      serializeRequestHead(head),
      body,
      "length",
      length,
    );
  }
  fields.delete("content-length");
  fields.set("Transfer-Encoding", "chunked");
  return await writeMessage(sink, serializeRequestHead(head), body, "chunked");
}

/** The longest framing field writeRequest may add: "Transfer-Encoding: chunked" or a Content-Length. */
const FRAMING_FIELD_BYTES = "Content-Length: 9007199254740991\r\n".length;

/**
 * Throws HttpError("head-too-large") when a request head, with the one
 * framing field writeRequest may add, would be larger than `limits`
 * allow (start line, head bytes or field lines), so an oversize head is
 * refused before it is sent rather than by the server it goes to.
 */
export function checkRequestSize(head: RequestHead, limits: HeadLimits): void {
  const requestLine = `${head.method} ${head.target} ${head.version}`;
  if (requestLine.length > limits.maxLine) {
    throw new HttpError("head-too-large", "request line too long to forward");
  }
  if (head.headers.size + 1 > limits.maxFields) {
    throw new HttpError(
      "head-too-large",
      `too many header fields to forward (at most ${limits.maxFields})`,
    );
  }
  const bytes = serializeRequestHead(head).length + FRAMING_FIELD_BYTES;
  if (bytes > limits.maxHead) {
    throw new HttpError(
      "head-too-large",
      `request head too large to forward (at most ${limits.maxHead} bytes)`,
    );
  }
}

/** A response being received. */
export interface IncomingResponse {
  /** The head as received (Transfer-Encoding included). */
  head: ResponseHead;
  framing: Framing;
  /**
   * The content: chunked coding and the transfer codings beneath it
   * removed (RFC 9112 §6.1); a body until close ends at a clean close.
   * A transfer coding that cannot be decoded stays, with those applied
   * before it, and `body.transferCodings` names them: then the body is
   * not the content (see transfer_coding.ts keptTransferCodings).
   */
  body: WireBody;
}

export interface ReadResponseOptions {
  /** Size limits of the response head (default: UPSTREAM_HEAD_LIMITS). */
  limits?: HeadLimits;
  /** Called for each 1xx interim response before the final one. */
  onInterim?: (head: ResponseHead) => Promise<void> | void;
  /**
   * True when the request asked to leave HTTP/1.1 on this connection:
   * it carried Upgrade (a 101 may answer it) or it is a CONNECT meant to
   * open a tunnel (a 2xx may answer it). Default false: such a response
   * throws HttpError("unrequested") (RFC 9110 §7.8, §15.2.2, §9.3.6).
   */
  upgrade?: boolean;
}

/**
 * Reads the final response to a request made with `method`. Returns null
 * when the connection closed before any byte of a response arrived (a
 * stale keep-alive connection). Throws HttpError on a bad response, and
 * HttpError("unrequested") on a switch of protocol the request did not
 * ask for (see `options.upgrade`): the caller must close the connection.
 */
export async function readResponse(
  reader: BufferedReader,
  method: string,
  options: ReadResponseOptions = {},
): Promise<IncomingResponse | null> {
  const limits = options.limits ?? UPSTREAM_HEAD_LIMITS;
  let sawInterim = false;
  for (;;) {
    const text = await reader.readHead(limits);
    if (text === null) {
      if (!sawInterim) return null;
      throw new HttpError(
        "truncated",
        "connection closed after an interim response",
      );
    }
    const head = parseResponseHead(text, limits);
    checkRequested(head, method, options.upgrade === true);
    if (head.status >= 100 && head.status < 200 && head.status !== 101) {
      sawInterim = true;
      await options.onInterim?.(head); // RFC 9110 §15.2
      continue;
    }
    const framing = responseFraming(head, method);
    return { head, framing, body: wireBody(reader, framing) };
  }
}

/**
 * Throws HttpError("unrequested") for a response that changes what the
 * connection carries when the request did not ask for it: after either,
 * the bytes that follow are not HTTP/1.1 responses to our requests.
 */
function checkRequested(
  head: ResponseHead,
  method: string,
  upgrade: boolean,
): void {
  if (head.status === 101 && !(upgrade && method !== "CONNECT")) {
    // RFC 9110 §7.8: a server MUST NOT switch to a protocol the request's Upgrade did not name
    throw new HttpError(
      "unrequested",
      "101 Switching Protocols to a request that asked for no upgrade",
    );
  }
  const tunnel = method === "CONNECT" && head.status >= 200 &&
    head.status < 300;
  if (tunnel && !upgrade) {
    // RFC 9110 §9.3.6: a 2xx to CONNECT turns the connection into a tunnel
    throw new HttpError(
      "unrequested",
      `${head.status} to a CONNECT that was not meant to open a tunnel`,
    );
  }
}
