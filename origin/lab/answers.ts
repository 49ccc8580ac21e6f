/**
 * Owns the shape of the lab's own responses: Date from the lab's clock,
 * the fields asked for in the order given, a text/plain body saying which
 * request this is, and the 400 with a one-line reason.
 *
 * Must not decide which route answers, nor evaluate conditionals.
 */

import { formatHttpDate, parseHttpDate } from "../../http/dates.ts";
import { type Field, FieldList } from "../../http/headers.ts";
import type { BodyReader, OutgoingResponse } from "../../http/types.ts";

/** The Content-Type of the lab's text bodies. */
export const TEXT_TYPE = "text/plain; charset=utf-8";

const encoder = new TextEncoder();

/** What every lab response needs from its request. */
export interface LabContext {
  /** The lab clock's time of this request (ms since the epoch): its Date. */
  now: number;
  /** The request's path (target without query, as received). */
  path: string;
  /** The count for the path after this request (1 for the first). */
  n: number;
  method: string;
  /** Aborted when the origin stops: every wait of the lab ends then. */
  stop?: AbortSignal;
}

/**
 * Fields of a lab response: Date (RFC 9110 §6.6.1) then `fields` in the
 * order given, a Last-Modified later than that Date replaced by the Date
 * (RFC 9110 §8.8.2.1). Content-Type is labResponse's.
 */
export function labFields(
  ctx: LabContext,
  fields: readonly Field[],
): FieldList {
  const date = formatHttpDate(ctx.now);
  const out = new FieldList([["Date", date]]);
  for (const [name, value] of fields) {
    const later = name.toLowerCase() === "last-modified" &&
      (parseHttpDate(value) ?? -Infinity) > ctx.now; // RFC 9110 §8.8.2.1: not after the Date
    out.append(name, later ? date : value);
  }
  return out;
}

/** The lab's body: "request N for PATH\n". */
export function requestLine(ctx: LabContext): string {
  return `request ${ctx.n} for ${ctx.path}\n`;
}

/**
 * A response with `body` (the server sends none for HEAD, 204 and 304,
 * RFC 9110 §6.4.1, and drops framing fields of a 204), and the
 * Content-Type `type` unless the fields give one or there is no content:
 * a 204 or 304 (RFC 9110 §15.3.5, §15.4.5) or a body known to be empty.
 */
export function labResponse(
  status: number,
  fields: FieldList,
  body: string | Uint8Array | BodyReader,
  type: string = TEXT_TYPE,
): OutgoingResponse {
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const content = status !== 204 && // RFC 9110 §15.3.5: no content
    status !== 304 && // RFC 9110 §15.4.5: no content
    bytes.length !== 0;
  if (content && !fields.has("content-type")) fields.set("Content-Type", type);
  return { status, headers: fields, body: bytes };
}

/** 400 with a one-line text reason (and Cache-Control: no-store). */
export function labBadRequest(
  ctx: LabContext,
  reason: string,
): OutgoingResponse {
  const fields = labFields(ctx, [["Cache-Control", "no-store"]]);
  return labResponse(400, fields, `Cannot answer ${ctx.path}: ${reason}\n`);
}

/**
 * What a wait cut short by the origin stopping answers: nothing, the
 * connection is closed (the request was not served).
 */
export function stopped(ctx: LabContext): OutgoingResponse {
  return { status: 0, headers: labFields(ctx, []), abort: "close" };
}

/** 404 for a /lab/ path no route serves. */
export function labNotFound(ctx: LabContext): OutgoingResponse {
  const fields = labFields(ctx, [["Cache-Control", "no-store"]]);
  return labResponse(404, fields, `No lab route at ${ctx.path}\n`);
}
