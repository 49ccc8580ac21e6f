/**
 * Owns invalidation after unsafe requests (RFC 9111 §4.4): which primary
 * keys lose their stored responses. Location and Content-Location are
 * resolved against the forwarded target URI (RFC 3986 §5.2) and keyed by
 * key.ts exactly as a request for them would be.
 *
 * Must not touch the store.
 */

import type { FieldList } from "../http/headers.ts";
import { parseUriReference, resolveReference } from "../http/uri.ts";
import { keyParts, primaryKey, uriKey } from "./key.ts";

/** Safe methods (RFC 9110 §9.2.1); every other method, known or not, is unsafe. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

/**
 * RFC 9111 §4.4: the primary keys to invalidate after an unsafe request
 * answered with a non-error (2xx or 3xx) status: the request's own key
 * `targetKey` (a primaryKey), plus the keys of the Location and
 * Content-Location URIs (resolved against the target URI, fragment
 * dropped) when they share the target's origin, keyed with the same
 * server as the target's (same origin, same route). Empty when
 * `targetKey` is not a primary key.
 */
export function invalidationTargets(
  method: string,
  targetKey: string,
  status: number,
  resHeaders: FieldList,
): string[] {
  if (SAFE_METHODS.has(method)) return []; // RFC 9111 §4.4: unsafe methods only
  if (status < 200 || status >= 400) return []; // RFC 9111 §4.4: non-error response
  const target = targetUri(targetKey);
  if (target === undefined) return [];
  const out = [targetKey];
  // RFC 9111 §4.4: Location and Content-Location are candidates (MAY).
  for (const name of ["location", "content-location"]) {
    const value = resHeaders.first(name);
    if (value === undefined) continue;
    const key = referencedKey(targetKey, value);
    if (key === undefined) continue;
    // RFC 9111 §4.4: MUST NOT invalidate a URI of another origin.
    if (originOf(key) !== originOf(target)) continue;
    if (!out.includes(key)) out.push(key);
  }
  return out;
}

/**
 * The primary key of a URI reference a response carries (Location,
 * Content-Location), resolved against the target URI of `targetKey`
 * (RFC 9110 §10.2.2, §8.7; RFC 3986 §5.2, fragment dropped) and keyed by
 * key.ts exactly as a request for it would be, with the target's server.
 * Undefined when `targetKey` is not a primary key or the reference is not
 * an http URI with an authority.
 */
export function referencedKey(
  targetKey: string,
  reference: string,
): string | undefined {
  const target = targetUri(targetKey);
  if (target === undefined) return undefined;
  const base = parseUriReference(target);
  const uri = resolveReference(base, parseUriReference(reference.trim()));
  if (uri.scheme?.toLowerCase() !== "http") return undefined; // another origin
  if (uri.authority === undefined) return undefined;
  const query = uri.query === undefined ? "" : `?${uri.query}`;
  return primaryKey(uri.authority, uri.path + query, keyParts(targetKey).via);
}

/** The target URI of a primary key, or undefined when it is none. */
function targetUri(targetKey: string): string | undefined {
  const { uri } = keyParts(targetKey);
  return uriKey(uri) === uri ? uri : undefined;
}

/** "http://host[:port]" of a primary key (its authority is already normalised). */
function originOf(key: string): string {
  return key.slice(0, key.indexOf("/", "http://".length));
}
