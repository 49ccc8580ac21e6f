/**
 * Owns mapping a request-target to a place under the served root, safely:
 * strict percent-decoding, refusal of every spelling of a parent segment
 * or separator inside a segment, and a realpath check so a symbolic link
 * cannot lead outside the root.
 *
 * Must not open files or build responses: the handler does that with what
 * this module resolved.
 */

/** A request path split into decoded segments. */
export interface TargetPath {
  kind: "path";
  /** Decoded path segments, without empty or "." ones. */
  segments: string[];
  /** The query without its "?", or undefined when the target had none. */
  query: string | undefined;
  /** True when the path ends with "/". */
  trailingSlash: boolean;
}

/** Why a target names nothing servable: "bad" is 400, "refused" is 404. */
export type TargetRefusal =
  | { kind: "bad"; reason: string }
  | { kind: "refused"; reason: string };

/** Where a resolved path is. */
export type Resolved =
  | { kind: "found"; realPath: string; info: Deno.FileInfo }
  | { kind: "missing" }
  | { kind: "forbidden"; reason: string };

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.\-]*:\/\/[^/?#]*/;
const HEX = /^[0-9A-Fa-f]{2}$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Splits a request-target (origin-form, or absolute-form whose path is
 * used) into decoded segments. Percent-escapes must be complete (else
 * "bad"); a decoded segment that is "..", or holds "/", "\", NUL or
 * another control character, is "refused".
 */
export function parseTargetPath(target: string): TargetPath | TargetRefusal {
  let rest = target;
  const absolute = ABSOLUTE_FORM.exec(rest); // RFC 9112 §3.2.2: use the path of an absolute-form
  if (absolute) rest = rest.slice(absolute[0].length) || "/";
  const hash = rest.indexOf("#");
  if (hash !== -1) return { kind: "bad", reason: "fragment in request-target" }; // RFC 9112 §3.2: no fragment
  const q = rest.indexOf("?");
  const rawPath = q === -1 ? rest : rest.slice(0, q);
  const query = q === -1 ? undefined : rest.slice(q + 1);
  if (!rawPath.startsWith("/")) {
    return { kind: "bad", reason: "request-target is not a path" }; // RFC 9112 §3.2.1: origin-form
  }
  const segments: string[] = [];
  for (const raw of rawPath.split("/")) {
    const decoded = decodeSegment(raw);
    if (decoded === undefined) {
      return { kind: "bad", reason: "bad percent-encoding" };
    }
    const refusal = refuseSegment(decoded);
    if (refusal !== undefined) return { kind: "refused", reason: refusal };
    if (decoded === "" || decoded === ".") continue;
    segments.push(decoded);
  }
  return {
    kind: "path",
    segments,
    query,
    trailingSlash: rawPath.endsWith("/"),
  };
}

/**
 * Finds `segments` under `root`. The real path (symbolic links followed)
 * must be the root or inside it, else "forbidden". Errors other than a
 * missing name or a refused permission are thrown (an internal error).
 */
export async function resolveUnderRoot(
  root: string,
  segments: string[],
): Promise<Resolved> {
  const realRoot = await Deno.realPath(root); // throws: a vanished root is an internal error
  const joined = segments.length === 0
    ? realRoot
    : `${realRoot}/${segments.join("/")}`;
  let realPath: string;
  try {
    realPath = await Deno.realPath(joined);
  } catch (e) {
    return fsRefusal(e);
  }
  if (!isInside(realRoot, realPath)) {
    return { kind: "forbidden", reason: "link leads outside the root" };
  }
  try {
    return { kind: "found", realPath, info: await Deno.stat(realPath) };
  } catch (e) {
    return fsRefusal(e);
  }
}

/** True when `path` is `root` or below it (both real, absolute paths). */
export function isInside(root: string, path: string): boolean {
  if (path === root) return true;
  const prefix = root.endsWith("/") ? root : `${root}/`;
  return path.startsWith(prefix);
}

/**
 * Maps a file-system error met while resolving a client's path to what
 * the client is told, or rethrows it when it is the server's problem.
 */
export function fsRefusal(e: unknown): Resolved {
  if (e instanceof Deno.errors.NotFound) return { kind: "missing" };
  if (e instanceof Deno.errors.NotADirectory) return { kind: "missing" }; // "/file.txt/x"
  if (e instanceof Deno.errors.FilesystemLoop) return { kind: "missing" };
  if (errorCode(e) === "ENAMETOOLONG") return { kind: "missing" };
  if (e instanceof Deno.errors.PermissionDenied) {
    return { kind: "forbidden", reason: "permission denied" };
  }
  throw e;
}

function errorCode(e: unknown): string | undefined {
  if (typeof e !== "object" || e === null || !("code" in e)) return undefined;
  return typeof e.code === "string" ? e.code : undefined;
}

/**
 * Decodes one raw segment: %XX escapes and raw bytes (a request-target is
 * a binary string) as UTF-8. Undefined on an incomplete escape or bytes
 * that are not UTF-8.
 */
function decodeSegment(raw: string): string | undefined {
  if (!raw.includes("%") && isAscii(raw)) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c !== 0x25) {
      bytes.push(c & 0xff);
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (!HEX.test(hex)) return undefined; // RFC 3986 §2.1: "%" HEXDIG HEXDIG
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  try {
    return utf8.decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

/** Why a decoded segment cannot name a file under the root, or undefined. */
function refuseSegment(segment: string): string | undefined {
  if (segment === "..") return "parent segment"; // "..", "%2e%2e", ".%2E"
  if (segment.includes("/")) return "encoded slash in a segment"; // "%2f"
  if (segment.includes("\\")) return "backslash in a segment"; // "\" or "%5c"
  if (hasControl(segment)) return "control character in a segment"; // NUL, CR, LF...
  return undefined;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return false;
  }
  return true;
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
