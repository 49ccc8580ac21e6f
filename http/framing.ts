/**
 * Owns message body framing (RFC 9112 §6.3) as pure functions of a head:
 * how long the body is, or that the head is smuggling-shaped and must be
 * rejected (400 to a client, 502 from an upstream, connection closed).
 *
 * Must not read bytes: body readers in body.ts act on the result.
 */

import { HttpError } from "./errors.ts";
import type { FieldList } from "./headers.ts";
import type { HttpVersion, RequestHead, ResponseHead } from "./types.ts";

/** How a message body is delimited on the wire. */
export type Framing =
  | { kind: "none" }
  | { kind: "length"; length: number }
  | { kind: "chunked" }
  | { kind: "until-close" };

const NONE: Framing = { kind: "none" };
const CHUNKED: Framing = { kind: "chunked" };
const UNTIL_CLOSE: Framing = { kind: "until-close" };

/** The framing of a request body. Throws HttpError("framing"). */
export function requestFraming(head: RequestHead): Framing {
  const declared = declaredFraming(head.headers, head.version);
  if (declared) return declared; // RFC 9112 §6.3 rules 4-6
  return NONE; // RFC 9112 §6.3 rule 7: no body
}

/**
 * The framing of a response body, given the method of the request it
 * answers. Throws HttpError("framing").
 */
export function responseFraming(
  head: ResponseHead,
  requestMethod: string,
): Framing {
  if (requestMethod === "HEAD") return NONE; // RFC 9112 §6.3 rule 1
  if (head.status < 200) return NONE; // RFC 9112 §6.3 rule 1: 1xx
  if (head.status === 204 || head.status === 304) return NONE; // RFC 9112 §6.3 rule 1
  if (requestMethod === "CONNECT" && head.status < 300) return NONE; // RFC 9112 §6.3 rule 2: tunnel
  const declared = declaredFraming(head.headers, head.version);
  if (declared) return declared; // RFC 9112 §6.3 rules 3-5
  return UNTIL_CLOSE; // RFC 9112 §6.3 rule 8
}

function declaredFraming(
  fields: FieldList,
  version: HttpVersion,
): Framing | undefined {
  const te = fields.getAll("transfer-encoding");
  const cl = fields.getAll("content-length");
  if (te.length > 0) {
    if (version === "HTTP/1.0") reject("Transfer-Encoding in HTTP/1.0"); // RFC 9112 §6.1
    if (cl.length > 0) reject("both Transfer-Encoding and Content-Length"); // RFC 9112 §6.1, §11.2
    const codings = fields.list("transfer-encoding").map((c) =>
      c.toLowerCase()
    );
    if (codings.length !== 1 || codings[0] !== "chunked") {
      reject(`unsupported transfer coding "${te.join(", ")}"`); // RFC 9112 §6.1: 501/400, we close
    }
    return CHUNKED;
  }
  if (cl.length > 0) return { kind: "length", length: contentLength(fields) }; // RFC 9112 §6.3 rule 5
  return undefined;
}

/**
 * The single Content-Length value: a list of identical valid values is
 * accepted as one (RFC 9112 §6.3 rule 5); differing or invalid ones throw.
 */
function contentLength(fields: FieldList): number {
  const values = fields.list("content-length");
  if (values.length === 0) reject("empty Content-Length");
  let length: number | undefined;
  for (const v of values) {
    if (!/^\d{1,15}$/.test(v)) {
      reject(`invalid Content-Length "${v.slice(0, 20)}"`);
    }
    const n = Number(v);
    if (length !== undefined && n !== length) {
      reject("differing Content-Length values");
    }
    length = n;
  }
  return length!;
}

function reject(reason: string): never {
  throw new HttpError("framing", reason);
}
