/**
 * Owns the names a stored response is found by: the primary cache key,
 * which is the target URI the proxy forwarded (RFC 9111 §2), and the
 * variant id that tells the Vary variants of one key apart (RFC 9111
 * §4.1).
 *
 * Must not decide which request fields are selecting (policy does) nor
 * touch files; the id is only made safe to use as a file name.
 */

import { createHash } from "node:crypto";
import { parseAuthority, parseUriReference } from "../http/uri.ts";

/** The variant id of a response without Vary. Never valid hex, so never a hash. */
export const DEFAULT_VARIANT = "default";

/** RFC 9112 §3.2: the bytes a request target may hold (no fragment: "#" is excluded). */
const TARGET_BYTES = /^[\x21-\x22\x24-\x7e\x80-\xff]*$/;

/**
 * The primary cache key of a request forwarded with Host `authority` and
 * request target `target` (RFC 9111 §2: the target URI, which RFC 9112
 * §3.3 rebuilds as "http://" + Host + target), shaped
 * `http://host[:port]/path?query`:
 *
 * - the host lowercased and port 80 (or an empty port) dropped: the only
 *   normalisations, both of the authority (RFC 9110 §4.2.3);
 * - the path and query exactly as forwarded, byte for byte: a proxy must
 *   not rewrite them (RFC 9110 §7.7), so neither may the key; only an
 *   empty path becomes "/" (RFC 9110 §4.2.3), as the proxy forwards it.
 *
 * `via`, the authority of the server the response is fetched from, is
 * given when that server is not the URI's own (a reverse proxy's upstream
 * serving a Host it does not name): the key is then the URI followed by
 * " via " and that authority. RFC 9111 §2 makes the method and target URI
 * the key "at a minimum"; the server is part of it too, so that a page a
 * client fetched through the upstream under a made-up Host is never served
 * to a forward-proxy request for that host's real URI, nor the other way
 * round. A space never occurs in a URI, so the two parts stay apart.
 *
 * Undefined when the request has no such URI: asterisk-form ("*"), an
 * invalid authority (empty, userinfo, bad characters or port), or a target
 * with a fragment, a space or a control character. Never throws.
 */
export function primaryKey(
  authority: string,
  target: string,
  via?: string,
): string | undefined {
  const hostPort = parseAuthority(authority, 80); // RFC 9110 §4.2.1: http's default port
  if (hostPort === undefined) return undefined;
  if (!TARGET_BYTES.test(target)) return undefined; // RFC 9110 §7.1: never a fragment
  const path = target === "" || target.startsWith("?") ? `/${target}` : target; // RFC 9110 §4.2.3
  if (!path.startsWith("/")) return undefined; // origin-form only (RFC 9112 §3.2.1)
  const lower = hostPort.host.toLowerCase(); // RFC 9110 §4.2.3: host is case-insensitive
  const host = lower.includes(":") ? `[${lower}]` : lower;
  const port = hostPort.port === 80 ? "" : `:${hostPort.port}`; // RFC 9110 §4.2.3: default port omitted
  const uri = `http://${host}${port}${path}`;
  return via === undefined ? uri : `${uri}${VIA_SEPARATOR}${via}`;
}

/** Between the target URI and the server it was fetched from, in a key. */
const VIA_SEPARATOR = " via ";

/**
 * The two parts of a primary key: the target URI and, when the response
 * is fetched from another server than the URI names, that server's
 * authority (see primaryKey).
 */
export function keyParts(key: string): { uri: string; via?: string } {
  const at = key.indexOf(VIA_SEPARATOR);
  if (at === -1) return { uri: key };
  return { uri: key.slice(0, at), via: key.slice(at + VIA_SEPARATOR.length) };
}

/**
 * The primary key of an absolute "http" URI (scheme case-insensitive), as
 * the proxy would key a request for it: `primaryKey(authority, path and
 * query)`; a fragment is not part of it (RFC 9110 §7.1). Undefined for
 * any other scheme, a URI without an authority, or what primaryKey
 * refuses.
 */
export function uriKey(uri: string): string | undefined {
  const parts = parseUriReference(uri);
  if (parts.scheme?.toLowerCase() !== "http") return undefined; // RFC 9110 §4.2.3
  if (parts.authority === undefined) return undefined;
  const query = parts.query === undefined ? "" : `?${parts.query}`;
  return primaryKey(parts.authority, parts.path + query);
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
