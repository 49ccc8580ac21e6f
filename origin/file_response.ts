/**
 * Owns answering GET and HEAD for one regular file already resolved under
 * the root: its validators (Last-Modified, ETag), the RFC 9110 §13.2.2
 * preconditions (HEAD gets 304 like GET), Range with If-Range, and the
 * body (read at once when small, streamed otherwise).
 *
 * Must not resolve paths, nor leave a file open on any path out of here:
 * the file is closed here, or handed to the body reader that closes it.
 */

import { evaluatePreconditions, ifRangeAllows } from "../http/conditional.ts";
import { formatHttpDate } from "../http/dates.ts";
import { contentRange, parseRange, unsatisfiedRange } from "../http/range.ts";
import type {
  BodyReader,
  IncomingRequest,
  OutgoingResponse,
} from "../http/types.ts";
import { fileBody, readRange } from "./file_body.ts";
import { contentTypeFor } from "./media_types.ts";
import { fsRefusal } from "./paths.ts";
import {
  baseFields,
  errorResponse,
  type ResponseContext,
} from "./responses.ts";

/** Bodies up to this size are read in one go and written with the head. */
export const SMALL_BODY = 64 * 1024;

/** The validators of a file as sent: ETag and Last-Modified. */
export interface FileValidators {
  etag: string;
  /** mtime truncated to whole seconds, never after the Date, ms since the epoch. */
  lastModified: number;
}

/**
 * The validators of a file of `size` bytes modified at `mtimeMs`.
 *
 * The ETag is strong, built from the size and the mtime in milliseconds:
 * If-Range needs a strong validator (RFC 9110 §13.1.5, §8.8.3), and a
 * rewrite that changes the bytes changes the size or the mtime in all but
 * the rarest cases (same size, same millisecond) — the trade nginx makes
 * with whole seconds. Being finer than Last-Modified, it also tells apart
 * two versions written within one second.
 *
 * Last-Modified is the mtime, or `dateMs` (the Date sent, ms since the
 * epoch) when the mtime is later (a clock behind the file's, or a file
 * dated in the future): RFC 9110 §8.8.2.1.
 */
export function fileValidators(
  size: number,
  mtimeMs: number,
  dateMs = Infinity,
): FileValidators {
  const modified = Math.floor(mtimeMs / 1000) * 1000;
  const date = Math.floor(dateMs / 1000) * 1000;
  return {
    etag: `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`,
    lastModified: Math.min(modified, date), // RFC 9110 §8.8.2.1: not after the Date
  };
}

/**
 * Answers GET or HEAD for the regular file at `realPath` (inside the
 * root). `name` is the name the client asked for: its extension gives
 * the Content-Type (a link keeps the type of the name it is reached by).
 */
export async function serveFile(
  req: IncomingRequest,
  realPath: string,
  name: string,
  ctx: ResponseContext,
): Promise<OutgoingResponse> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(realPath, { read: true });
  } catch (e) {
    const refusal = fsRefusal(e); // rethrows what is not the client's doing
    return refusal.kind === "forbidden"
      ? errorResponse(403, "You may not read this file.", ctx)
      : errorResponse(404, "Nothing is here.", ctx);
  }
  let handedOver = false;
  try {
    const res = await answer(req, file, name, ctx);
    handedOver = res.body !== null && res.body !== undefined &&
      !(res.body instanceof Uint8Array);
    return res;
  } finally {
    if (!handedOver) file.close();
  }
}

/**
 * Builds the response; the file stays open only when the returned body is
 * a reader over it.
 */
async function answer(
  req: IncomingRequest,
  file: Deno.FsFile,
  name: string,
  ctx: ResponseContext,
): Promise<OutgoingResponse> {
  const info = await file.stat(); // the measures of the bytes actually sent
  if (!info.isFile) {
    return errorResponse(403, "This is not a regular file.", ctx);
  }
  const { method, headers: request } = req.head;
  const size = info.size;
  const fields = baseFields(ctx);
  const validators = info.mtime === null
    ? undefined // no mtime: no validator that would change with the content
    : fileValidators(size, info.mtime.getTime(), ctx.date);
  if (validators) {
    fields.set("Last-Modified", formatHttpDate(validators.lastModified));
    fields.set("ETag", validators.etag);
  }
  const condition = evaluatePreconditions(method, request, {
    ...validators,
    date: ctx.date,
  });
  if (condition === "412") {
    return errorResponse(
      412,
      "A precondition of the request is not met.",
      ctx,
    );
  }
  if (condition === "304") {
    return { status: 304, headers: fields, body: null }; // RFC 9110 §15.4.5: Date, ETag, Last-Modified, Cache-Control
  }
  fields.set("Content-Type", contentTypeFor(name));
  fields.set("Accept-Ranges", "bytes"); // RFC 9110 §14.3
  let start = 0;
  let length = size;
  let status = 200;
  const rangeField = request.get("range");
  if (
    method === "GET" && // RFC 9110 §14.2: Range is defined for GET only
    rangeField !== undefined &&
    ifRangeAllows(request, { ...validators, date: ctx.date }) // RFC 9110 §13.2.2 step 5
  ) {
    const range = parseRange(rangeField, size);
    if (range.kind === "unsatisfiable") {
      const refusal = baseFields(ctx);
      refusal.set("Accept-Ranges", "bytes");
      refusal.set("Content-Range", unsatisfiedRange(size)); // RFC 9110 §15.5.17
      return errorResponse(
        416,
        "The requested range is past the end of the file.",
        ctx,
        refusal,
      );
    }
    if (range.kind === "single") {
      status = 206;
      start = range.start;
      length = range.end - range.start + 1;
      fields.set("Content-Range", contentRange(range.start, range.end, size)); // RFC 9110 §15.3.7
    }
  }
  fields.set("Content-Length", String(length));
  if (method === "HEAD") return { status, headers: fields, body: null };
  const body: Uint8Array | BodyReader = length <= SMALL_BODY
    ? await readRange(file, start, length)
    : fileBody(file, start, length);
  return { status, headers: fields, body };
}
