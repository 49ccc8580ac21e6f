/**
 * Owns invalidation after unsafe requests (RFC 9111 §4.4): which target
 * URIs lose their stored responses.
 *
 * Returns absolute URLs (fragment removed); the caller turns them into
 * primary keys (key.ts) and removes the entries. Must not touch the store.
 */

import type { FieldList } from "../http/headers.ts";

/** Safe methods (RFC 9110 §9.2.1); every other method, known or not, is unsafe. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

/**
 * RFC 9111 §4.4: the URIs to invalidate after an unsafe request answered
 * with a non-error (2xx or 3xx) status: the target URI, plus the
 * Location and Content-Location URIs (resolved against the target) when
 * they share the target's origin.
 */
export function invalidationTargets(
  method: string,
  targetUrl: string,
  status: number,
  resHeaders: FieldList,
): string[] {
  if (SAFE_METHODS.has(method)) return []; // RFC 9111 §4.4: unsafe methods only
  if (status < 200 || status >= 400) return []; // RFC 9111 §4.4: non-error response
  const target = parseUrl(targetUrl);
  if (target === undefined) return [];
  const out = [target.href];
  // RFC 9111 §4.4: Location and Content-Location are candidates (MAY).
  for (const name of ["location", "content-location"]) {
    const value = resHeaders.first(name);
    if (value === undefined) continue;
    const url = parseUrl(value.trim(), target);
    if (url === undefined) continue;
    // RFC 9111 §4.4: MUST NOT invalidate a URI of another origin.
    if (target.origin === "null" || url.origin !== target.origin) continue;
    if (!out.includes(url.href)) out.push(url.href);
  }
  return out;
}

function parseUrl(text: string, base?: URL): URL | undefined {
  try {
    const url = new URL(text, base);
    url.hash = "";
    return url;
  } catch {
    return undefined;
  }
}
