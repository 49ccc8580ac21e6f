/**
 * Owns the names a stored response is found by: the primary cache key
 * built from the target URI (RFC 9111 §2) and the variant id that tells
 * the Vary variants of one key apart (RFC 9111 §4.1).
 *
 * Must not decide which request fields are selecting (policy does) nor
 * touch files; the id is only made safe to use as a file name.
 */

import { createHash } from "node:crypto";

/** The variant id of a response without Vary. Never valid hex, so never a hash. */
export const DEFAULT_VARIANT = "default";

const ABSOLUTE_URI =
  /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(?:#.*)?$/s;
const DEFAULT_PORTS: Record<string, string> = { http: "80", https: "443" };
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * The primary cache key of a target URI: scheme and host lowercased, the
 * default port and any userinfo dropped, an empty path made "/", the path's
 * percent-encodings normalised, the query kept exactly, the fragment dropped.
 * Throws a TypeError for anything that is not an absolute URI with an
 * authority (callers build the URI from a request they already routed).
 */
export function primaryKey(url: string | URL): string {
  const text = typeof url === "string" ? url : url.href;
  const parts = ABSOLUTE_URI.exec(text);
  if (!parts) {
    throw new TypeError(`Cannot build cache key: not an absolute URI: ${text}`);
  }
  const scheme = parts[1]!.toLowerCase(); // RFC 9110 §4.2.3: scheme is case-insensitive
  const authority = normaliseAuthority(scheme, parts[2]!);
  const path = normalisePath(parts[3]!);
  const query = parts[4] ?? ""; // kept exactly: the origin may tell any byte apart
  return `${scheme}://${authority}${path}${query}`; // RFC 9111 §2: no fragment
}

function normaliseAuthority(scheme: string, authority: string): string {
  const at = authority.lastIndexOf("@");
  const hostPort = authority.slice(at + 1); // RFC 9110 §4.2.4: userinfo is not part of the identity
  const close = hostPort.startsWith("[") ? hostPort.indexOf("]") + 1 : 0;
  const colon = hostPort.indexOf(":", close);
  const host = (colon === -1 ? hostPort : hostPort.slice(0, colon))
    .toLowerCase(); // RFC 9110 §4.2.3: host is case-insensitive
  if (host === "" || host === "[]" || (close === 0 && host.startsWith("["))) {
    throw new TypeError(
      `Cannot build cache key: empty or bad host: ${authority}`,
    );
  }
  const portText = colon === -1 ? "" : hostPort.slice(colon + 1);
  if (!/^\d*$/.test(portText)) {
    throw new TypeError(`Cannot build cache key: bad port: ${authority}`);
  }
  const port = portText === "" ? "" : String(Number(portText));
  if (port === "") return host; // RFC 3986 §6.2.3: an empty port is the default one
  if (DEFAULT_PORTS[scheme] === port) return host; // RFC 9110 §4.2.3: default port omitted
  return `${host}:${port}`;
}

function normalisePath(path: string): string {
  if (path === "") return "/"; // RFC 9110 §4.2.3: an empty path is "/"
  // RFC 9110 §4.2.3 / RFC 3986 §6.2.2.1-2: percent-encoded unreserved
  // characters are the characters themselves; hex digits are case-insensitive.
  return path.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}

/**
 * A stable short id of the selecting request values of one variant: the
 * first 128 bits of their SHA-256 in hex, or DEFAULT_VARIANT when the
 * response has no Vary. Safe as a file name on every platform.
 */
export function variantId(vary: readonly [string, string | null][]): string {
  if (vary.length === 0) return DEFAULT_VARIANT;
  return createHash("sha256").update(JSON.stringify(vary)).digest("hex")
    .slice(0, 32);
}
