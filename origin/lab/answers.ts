/**
 * Owns the shape of the lab's own responses: Date from the lab's clock,
 * the fields asked for in the order given, a text/plain body saying which
 * request this is, and the 400 with a one-line reason.
 *
 * Must not decide which route answers, nor evaluate conditionals.
 */

import { formatHttpDate } from "../../http/dates.ts";
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
}

/**
 * Fields of a lab response: Date (RFC 9110 §6.6.1) then `fields` in the
 * order given; Content-Type `type` unless the fields give one
 * (none when `type` is null).
 */
export function labFields(
  ctx: LabContext,
  fields: readonly Field[],
  type: string | null = TEXT_TYPE,
): FieldList {
  const out = new FieldList([["Date", formatHttpDate(ctx.now)]]);
  for (const [name, value] of fields) out.append(name, value);
  if (type !== null && !out.has("content-type")) {
    out.set("Content-Type", type);
  }
  return out;
}

/** The lab's body: "request N for PATH\n". */
export function requestLine(ctx: LabContext): string {
  return `request ${ctx.n} for ${ctx.path}\n`;
}

/**
 * A response with `body` (the server sends none for HEAD, 204 and 304,
 * RFC 9110 §6.4.1, and drops framing fields of a 204).
 */
export function labResponse(
  status: number,
  fields: FieldList,
  body: string | Uint8Array | BodyReader,
): OutgoingResponse {
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
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

/** 404 for a /lab/ path no route serves. */
export function labNotFound(ctx: LabContext): OutgoingResponse {
  const fields = labFields(ctx, [["Cache-Control", "no-store"]]);
  return labResponse(404, fields, `No lab route at ${ctx.path}\n`);
}
