/**
 * Owns how a server frames a handler's response (RFC 9112 §6): which
 * responses carry no body, the Content-Length or chunked coding set from
 * the body given (a relayed body's transfer codings kept, chunked on
 * top), HEAD answered with the fields a GET would get, the responses no
 * client may get, and the persistence rules a request's Connection field
 * asks for (RFC 9112 §9.3).
 *
 * Must not write anything: connection.ts writes what this decides.
 */

import { textError } from "./error_response.ts";
import type { FieldList } from "./headers.ts";
import type { HttpVersion, OutgoingResponse, RequestHead } from "./types.ts";
import type { BodyMode } from "./writer.ts";

/** The response's body mode on the wire, and whether it has no body at all. */
export function outgoingMode(
  head: RequestHead,
  res: OutgoingResponse,
): { mode: BodyMode; noBody: boolean } {
  const noBody = sendsNoBody(head, res);
  const body = res.body;
  const length = body instanceof Uint8Array
    ? body.length
    : body
    ? body.length
    : 0;
  if (res.status < 200) dropFraming(res.headers); // RFC 9110 §8.6, RFC 9112 §6.1
  if (res.status === 204) dropFraming(res.headers); // RFC 9110 §8.6, RFC 9112 §6.1
  const headLength = lengthForHead(head, res, length);
  if (headLength !== undefined) {
    res.headers.delete("Transfer-Encoding");
    res.headers.set("Content-Length", String(headLength));
  }
  if (noBody) return { mode: "length", noBody };
  const codings = res.transferCodings ?? [];
  if (codings.length > 0) {
    if (head.version === "HTTP/1.0") {
      throw new Error("Cannot send Transfer-Encoding to an HTTP/1.0 client"); // RFC 9112 §6.1; see responseToSend
    }
    res.headers.delete("Content-Length"); // RFC 9112 §6.2: never with Transfer-Encoding
    res.headers.set("Transfer-Encoding", [...codings, "chunked"].join(", ")); // RFC 9112 §7: chunked on top of the codings kept
    return { mode: "chunked", noBody };
  }
  if (length !== undefined) {
    res.headers.delete("Transfer-Encoding");
    res.headers.set("Content-Length", String(length));
    return { mode: "length", noBody };
  }
  res.headers.delete("Content-Length");
  if (head.version === "HTTP/1.0") {
    res.headers.delete("Transfer-Encoding");
    return { mode: "raw", noBody }; // RFC 9112 §6.3: close-delimited for 1.0
  }
  res.headers.set("Transfer-Encoding", "chunked");
  return { mode: "chunked", noBody };
}

/** True when the response goes out without a body, whatever `res.body` holds (RFC 9110 §6.4.1). */
function sendsNoBody(head: RequestHead, res: OutgoingResponse): boolean {
  return head.method === "HEAD" || res.status < 200 || res.status === 204 ||
    res.status === 304 || res.upgrade !== undefined;
}

/**
 * The response to send for the handler's `res` to `head`: `res` itself,
 * or a 502 (its body cancelled) when `res` has a body whose transfer
 * codings an HTTP/1.0 client cannot receive (RFC 9112 §6.1: no
 * Transfer-Encoding to HTTP/1.0; only a relay sets them, hence "bad
 * gateway"). Throws an Error (its body cancelled) for a response no
 * client may get (unsendableFinal): a handler bug, answered 500. `now`
 * is the 502's Date (ms since the epoch; Date.now() when absent).
 */
export async function responseToSend(
  head: RequestHead,
  res: OutgoingResponse,
  now?: number,
): Promise<OutgoingResponse> {
  const misuse = unsendableFinal(head, res);
  if (misuse) {
    await cancelBody(res);
    throw new Error(misuse);
  }
  const codings = res.transferCodings ?? [];
  if (codings.length === 0 || head.version !== "HTTP/1.0") return res;
  if (sendsNoBody(head, res) || !res.body) return res; // no body, no coding to send
  await cancelBody(res);
  const refusal = textError(
    502,
    `Cannot relay transfer coding "${
      codings.join(", ")
    }" to an HTTP/1.0 client`,
    now,
  );
  return { ...refusal, logSuffix: res.logSuffix };
}

/** Releases a response body that will not be written (a file, an upstream). */
export async function cancelBody(res: OutgoingResponse): Promise<void> {
  if (res.body && !(res.body instanceof Uint8Array)) {
    await res.body.cancel().catch(() => {});
  }
}

/**
 * Why a handler's response cannot be the final answer to `head`, or
 * undefined when it can. A 1xx is never final (RFC 9110 §15.2), except a
 * 101 that hands the connection to `res.upgrade` after an HTTP/1.1
 * request that asked to upgrade (RFC 9110 §7.8, §15.2.2): anything else
 * would tell the client the connection changed protocol when it did not.
 */
function unsendableFinal(
  head: RequestHead,
  res: OutgoingResponse,
): string | undefined {
  if (res.status >= 200) return undefined;
  if (res.status !== 101) {
    return `Cannot send ${res.status} as a final response: 1xx is interim`; // RFC 9110 §15.2
  }
  if (!res.upgrade) {
    return "Cannot send 101: nothing takes over the connection"; // RFC 9110 §15.2.2
  }
  if (head.version !== "HTTP/1.1" || !head.headers.has("upgrade")) {
    return "Cannot send 101: the request asked for no upgrade"; // RFC 9110 §7.8
  }
  return undefined;
}

/** RFC 9110 §9.3.2: a HEAD response gets the Content-Length a GET would. */
function lengthForHead(
  head: RequestHead,
  res: OutgoingResponse,
  length: number | undefined,
): number | undefined {
  if (head.method !== "HEAD") return undefined;
  if (res.status < 200 || res.status === 204) return undefined; // RFC 9110 §8.6
  if (res.status === 304) return undefined; // RFC 9110 §15.4.5: the handler's fields
  if (!res.body) return undefined; // no body given: the handler set the fields
  return length;
}

function dropFraming(fields: FieldList): void {
  fields.delete("Content-Length");
  fields.delete("Transfer-Encoding");
}

export function declaredLength(res: OutgoingResponse): number | undefined {
  const body = res.body;
  return body instanceof Uint8Array ? body.length : body?.length ?? 0;
}

/** True when the Connection field holds the "close" option (RFC 9112 §9.6). */
export function hasCloseOption(fields: FieldList): boolean {
  return fields.list("connection").some((o) => o.toLowerCase() === "close");
}

/**
 * RFC 9112 §9.3: whether a connection persists after a message of this
 * version with these fields: 1.1 unless "close", 1.0 only with
 * "keep-alive". The same rule for requests (server) and responses (client).
 */
export function persistsAfter(
  version: HttpVersion,
  fields: FieldList,
): boolean {
  const options = fields.list("connection").map((o) => o.toLowerCase());
  if (options.includes("close")) return false;
  if (version === "HTTP/1.0") return options.includes("keep-alive");
  return true;
}

/** True when the client asked to close after this request (RFC 9112 §9.3). */
export function wantsClose(head: RequestHead): boolean {
  return !persistsAfter(head.version, head.headers);
}
