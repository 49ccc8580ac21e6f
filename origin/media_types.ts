/**
 * Owns choosing a Content-Type from a file name. This is the one module
 * that wraps the npm "mime-types" package (the mime-db table), so it can
 * be swapped without touching anything else.
 *
 * Must not look at file contents (no sniffing) nor know about responses.
 */

import mime from "mime-types";

/** The slice of "mime-types" used here (the package ships no types). */
interface MimeTypes {
  contentType(nameOrType: string): string | false;
}

const table = mime as MimeTypes;

/** Sent when the extension is unknown: bytes, not a guess. */
export const DEFAULT_MEDIA_TYPE = "application/octet-stream";

/** Media types that are text although not text/* (RFC 8259 §8.1, RFC 9239 §6). */
const UTF8_TYPES =
  /^(?:text\/|application\/(?:[\w.+-]+\+)?json$|application\/javascript$)/;

/**
 * The Content-Type for a file name (a name, or a path whose last segment
 * is used) by its extension, with `charset=utf-8` for text/*, JSON and
 * JavaScript.
 */
export function contentTypeFor(fileName: string): string {
  const name = fileName.slice(fileName.lastIndexOf("/") + 1);
  if (!name.includes(".")) return DEFAULT_MEDIA_TYPE;
  const found = table.contentType(name); // a name with "/" would be taken as a type
  if (found === false) return DEFAULT_MEDIA_TYPE;
  const essence = found.split(";")[0]!.trim().toLowerCase();
  if (found.includes("charset=")) return found;
  if (UTF8_TYPES.test(essence)) return `${essence}; charset=utf-8`;
  return found;
}
