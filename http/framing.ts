/**
 * Owns message body framing (RFC 9112 §6.3) as pure functions of a head:
 * how long the body is, which transfer codings lie beneath the framing,
 * or that the head is smuggling-shaped and must be rejected (400 to a
 * client, 502 from an upstream, connection closed).
 *
 * Requests are held strictly: chunked must be the only transfer coding.
 * Responses may carry other codings: with chunked as the final one the
 * body is chunked, otherwise it runs until the upstream closes (§6.3
 * rule 4); the codings beneath are named so the reader can decode them.
 *
 * Must not read bytes: body readers in body.ts act on the result.
 */

import { HttpError } from "./errors.ts";
import type { FieldList } from "./headers.ts";
import type { HttpVersion, RequestHead, ResponseHead } from "./types.ts";

/**
 * How a message body is delimited on the wire. `codings` lists the
 * transfer codings applied beneath the framing, in the order they were
 * applied, names lowercased (RFC 9112 §6.1, §7); absent when none.
 */
export type Framing =
  | { kind: "none" }
  | { kind: "length"; length: number }
  | { kind: "chunked"; codings?: string[] }
  | { kind: "until-close"; codings?: string[] };

const NONE: Framing = { kind: "none" };
const CHUNKED: Framing = { kind: "chunked" };
const UNTIL_CLOSE: Framing = { kind: "until-close" };

/** The framing of a request body. Throws HttpError("framing"). */
export function requestFraming(head: RequestHead): Framing {
  const declared = declaredFraming(head.headers, head.version, "request");
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
  const declared = declaredFraming(head.headers, head.version, "response");
  if (declared) return declared; // RFC 9112 §6.3 rules 3-5
  return UNTIL_CLOSE; // RFC 9112 §6.3 rule 8
}

function declaredFraming(
  fields: FieldList,
  version: HttpVersion,
  side: "request" | "response",
): Framing | undefined {
  const te = fields.getAll("transfer-encoding");
  const cl = fields.getAll("content-length");
  if (te.length > 0) {
    if (version === "HTTP/1.0") reject("Transfer-Encoding in HTTP/1.0"); // RFC 9112 §6.1: faulty framing
    if (cl.length > 0) reject("both Transfer-Encoding and Content-Length"); // RFC 9112 §6.1, §11.2
    const codings = transferCodings(fields);
    const chunked = codings.filter((c) => c === "chunked").length;
    if (chunked > 1) reject("chunked applied more than once"); // RFC 9112 §6.1
    const chunkedLast = codings.at(-1) === "chunked";
    if (side === "request" && codings.length !== 1) {
      reject(`unsupported transfer coding "${te.join(", ")}"`); // RFC 9112 §6.3 rule 4 (400), §6.1 (501): we answer 400 and close
    }
    if (side === "request" && !chunkedLast) {
      reject(`unsupported transfer coding "${te.join(", ")}"`); // RFC 9112 §6.3 rule 4: chunked not final, 400
    }
    if (chunkedLast && codings.length === 1) return CHUNKED; // RFC 9112 §6.3 rule 4
    if (chunkedLast) return { kind: "chunked", codings: codings.slice(0, -1) }; // RFC 9112 §6.3 rule 4
    return { kind: "until-close", codings }; // RFC 9112 §6.3 rule 4: response, chunked not final
  }
  if (cl.length > 0) return { kind: "length", length: contentLength(fields) }; // RFC 9112 §6.3 rule 5
  return undefined;
}

/** A token (RFC 9110 §5.6.2). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The transfer-coding names of every Transfer-Encoding field, in order
 * (RFC 9112 §6.1, RFC 9110 §10.1.4: `token *( OWS ";" OWS
 * transfer-parameter )`), lowercased, parameters dropped. Throws on an
 * empty list, a name that is not a token, or chunked with parameters.
 */
function transferCodings(fields: FieldList): string[] {
  const codings: string[] = [];
  for (const element of fields.list("transfer-encoding")) {
    const semi = element.indexOf(";");
    const name = (semi === -1 ? element : element.slice(0, semi)).trim()
      .toLowerCase();
    if (!TOKEN.test(name)) {
      reject(`invalid transfer coding "${element.slice(0, 40)}"`);
    }
    if (name === "chunked" && semi !== -1) {
      reject("chunked takes no parameters"); // RFC 9112 §7.1
    }
    codings.push(name);
  }
  if (codings.length === 0) reject("empty Transfer-Encoding");
  return codings;
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
