/**
 * Owns the origin's request handler: method check (405 for a method it
 * recognizes but does not allow, 501 for one it does not recognize), safe resolution of the
 * target under the root, directories (slash redirect, index.html, listing)
 * and regular files (file_response.ts), and turning any unexpected error
 * into a 500 page while the server keeps running.
 *
 * Must not import proxy/ or cache/, nor frame or write bytes: it returns
 * an OutgoingResponse and the http/ server writes it.
 */

import { HttpError } from "../http/errors.ts";
import type { Handler } from "../http/server.ts";
import type { IncomingRequest, OutgoingResponse } from "../http/types.ts";
import { serveFile } from "./file_response.ts";
import { labHandler, type LabOptions } from "./lab/handler.ts";
import { readListing, renderListing } from "./listing.ts";
import { parseTargetPath, resolveUnderRoot, type TargetPath } from "./paths.ts";
import {
  errorResponse,
  htmlResponse,
  methodNotAllowed,
  notImplemented,
  redirectResponse,
  type ResponseContext,
} from "./responses.ts";

/**
 * The methods the origin recognizes (RFC 9110 §9.3, RFC 5789 PATCH),
 * case-sensitive (RFC 9110 §9.1): those it does not allow are answered
 * 405, any other method 501.
 */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "CONNECT",
  "OPTIONS",
  "TRACE",
  "PATCH",
]);

/** What the origin handler needs. */
export interface OriginHandlerOptions {
  /** The folder served (absolute). */
  root: string;
  /** The Cache-Control value of every response. */
  cacheControl: string;
  /** Receives unexpected errors answered with 500; console.error by default. */
  onError?: (error: unknown) => void;
  /**
   * The clock of every Date the origin sends, and of the lab routes'
   * dates (ms since the epoch); Date.now by default (the server's time
   * of the request head).
   */
  now?: () => number;
  /** Present: the /lab/ routes, the per-path counters and the log (lab/handler.ts). */
  lab?: LabOptions;
}

/**
 * The handler that serves files under `options.root`, behind the lab
 * routes when `options.lab` is given.
 */
export function originHandler(options: OriginHandlerOptions): Handler {
  const files = filesHandler(options);
  if (options.lab === undefined) return files;
  const lab = labHandler(files, options.lab, options.now ?? Date.now);
  const onError = options.onError ??
    ((e: unknown) => console.error("origin: internal error:", e));
  return async (req: IncomingRequest): Promise<OutgoingResponse> => {
    try {
      return await lab(req);
    } catch (e) {
      if (e instanceof HttpError) throw e; // a bad request body: the server answers 400
      onError(e);
      const date = options.now ? options.now() : req.receivedAt;
      return errorResponse(500, "The server failed to answer.", {
        date,
        cacheControl: options.cacheControl,
      });
    }
  };
}

/** The handler of the files alone. */
function filesHandler(options: OriginHandlerOptions): Handler {
  const onError = options.onError ??
    ((e: unknown) => console.error("origin: internal error:", e));
  return async (req: IncomingRequest): Promise<OutgoingResponse> => {
    const ctx: ResponseContext = {
      date: options.now ? options.now() : req.receivedAt,
      cacheControl: options.cacheControl,
    };
    try {
      return await serve(req, options.root, ctx);
    } catch (e) {
      onError(e);
      return errorResponse(500, "The server failed to answer.", ctx);
    }
  };
}

async function serve(
  req: IncomingRequest,
  root: string,
  ctx: ResponseContext,
): Promise<OutgoingResponse> {
  const method = req.head.method;
  if (method !== "GET" && method !== "HEAD") {
    if (!KNOWN_METHODS.has(method)) return notImplemented(method, ctx); // RFC 9110 §9.1, §15.6.2
    return methodNotAllowed(ctx); // RFC 9110 §9.1, §15.5.6
  }
  const target = parseTargetPath(req.head.target);
  if (target.kind === "bad") {
    return errorResponse(400, `Cannot read the path: ${target.reason}.`, ctx);
  }
  if (target.kind === "refused") return notFound(ctx);
  const found = await resolveUnderRoot(root, target.segments);
  if (found.kind === "missing") return notFound(ctx);
  if (found.kind === "forbidden") return forbidden(ctx);
  if (found.info.isDirectory) {
    return await serveDirectory(req, root, target, found.realPath, ctx);
  }
  if (!found.info.isFile) return forbidden(ctx); // sockets, FIFOs, devices
  if (target.trailingSlash) return notFound(ctx); // "/1.txt/" names a directory that is not there
  const name = target.segments.at(-1) ?? "";
  return await serveFile(req, found.realPath, name, ctx);
}

/** A directory: slash redirect, then index.html, then a listing. */
async function serveDirectory(
  req: IncomingRequest,
  root: string,
  target: TargetPath,
  realDir: string,
  ctx: ResponseContext,
): Promise<OutgoingResponse> {
  const path = pathOf(target.segments);
  if (!target.trailingSlash) {
    const query = target.query === undefined ? "" : `?${target.query}`;
    return redirectResponse(`${encodedPath(target.segments)}/${query}`, ctx);
  }
  const index = await resolveUnderRoot(root, [
    ...target.segments,
    "index.html",
  ]);
  if (index.kind === "forbidden") return forbidden(ctx);
  if (index.kind === "found" && index.info.isFile) {
    return await serveFile(req, index.realPath, "index.html", ctx);
  }
  let entries;
  try {
    entries = await readListing(realDir);
  } catch (e) {
    if (e instanceof Deno.errors.PermissionDenied) return forbidden(ctx);
    if (e instanceof Deno.errors.NotFound) return notFound(ctx);
    throw e;
  }
  const display = path === "/" ? "/" : `${path}/`;
  return htmlResponse(
    200,
    renderListing(display, entries, target.segments.length === 0),
    ctx,
  );
}

/** The decoded path of segments, for display ("/" for the root). */
function pathOf(segments: string[]): string {
  return `/${segments.join("/")}`;
}

/**
 * The path of segments, percent-encoded again. Built from the decoded
 * segments, never from the raw path, so "//host" cannot turn a redirect
 * into a network-path reference to another host.
 */
function encodedPath(segments: string[]): string {
  return `/${segments.map(encodeURIComponent).join("/")}`;
}

function notFound(ctx: ResponseContext): OutgoingResponse {
  return errorResponse(404, "Nothing is here.", ctx);
}

function forbidden(ctx: ResponseContext): OutgoingResponse {
  return errorResponse(403, "You may not read this.", ctx);
}
