/**
 * Owns the small generated responses of the origin: error pages (every
 * error has a short HTML body), the redirect to a directory's slash form,
 * and the fields every origin response carries (Date, Cache-Control).
 *
 * Must not touch the file system nor evaluate request fields.
 */

import { formatHttpDate } from "../http/dates.ts";
import { FieldList } from "../http/headers.ts";
import { reasonPhrase } from "../http/status.ts";
import type { OutgoingResponse } from "../http/types.ts";
import { escapeHtml } from "./listing.ts";

/** What every generated response needs from its request and configuration. */
export interface ResponseContext {
  /** The time the request was received (ms): the Date of the response. */
  date: number;
  /** The Cache-Control value of every response. */
  cacheControl: string;
}

export const HTML_TYPE = "text/html; charset=utf-8";
const encoder = new TextEncoder();

/** A FieldList holding Date and Cache-Control, the fields of every response. */
export function baseFields(ctx: ResponseContext): FieldList {
  return new FieldList([
    ["Date", formatHttpDate(ctx.date)], // RFC 9110 §6.6.1: an origin with a clock sends Date
    ["Cache-Control", ctx.cacheControl],
  ]);
}

/** An HTML body of bytes with Content-Type and Content-Length set. */
export function htmlResponse(
  status: number,
  html: string,
  ctx: ResponseContext,
  fields = baseFields(ctx),
): OutgoingResponse {
  const body = encoder.encode(html);
  fields.set("Content-Type", HTML_TYPE);
  fields.set("Content-Length", String(body.length));
  return { status, headers: fields, body };
}

/** A short HTML error page: the status line and one sentence. */
export function errorResponse(
  status: number,
  sentence: string,
  ctx: ResponseContext,
  fields = baseFields(ctx),
): OutgoingResponse {
  const title = `${status} ${reasonPhrase(status)}`;
  const html =
    `<!DOCTYPE html>\n<html>\n<head><title>${title}</title></head>\n<body>\n<h1>${title}</h1>\n<p>${
      escapeHtml(sentence)
    }</p>\n</body>\n</html>\n`;
  return htmlResponse(status, html, ctx, fields);
}

/** 405 with the methods the origin allows (RFC 9110 §15.5.6: Allow is required). */
export function methodNotAllowed(ctx: ResponseContext): OutgoingResponse {
  const fields = baseFields(ctx);
  fields.set("Allow", "GET, HEAD");
  return errorResponse(405, "Only GET and HEAD are allowed here.", ctx, fields);
}

/**
 * 501 for a method the origin does not recognize (RFC 9110 §9.1,
 * §15.6.2). The method is echoed only as far as it is a token, which
 * the head parser already checked.
 */
export function notImplemented(
  method: string,
  ctx: ResponseContext,
): OutgoingResponse {
  return errorResponse(
    501,
    `The method ${method.slice(0, 40)} is not implemented here.`,
    ctx,
  );
}

/**
 * 301 to `location` (already percent-encoded, path-absolute), as a
 * directory asked for without its trailing slash is answered.
 */
export function redirectResponse(
  location: string,
  ctx: ResponseContext,
): OutgoingResponse {
  const fields = baseFields(ctx);
  fields.set("Location", location); // RFC 9110 §15.4.2: the new URI in Location
  const link = escapeHtml(location);
  return htmlResponse(
    301,
    `<!DOCTYPE html>\n<html>\n<head><title>301 Moved Permanently</title></head>\n<body>\n<p>Moved to <a href="${link}">${link}</a>.</p>\n</body>\n</html>\n`,
    ctx,
    fields,
  );
}
