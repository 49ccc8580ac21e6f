/**
 * Owns the primary cache key of a routed request (RFC 9111 §2): the
 * target URI that was forwarded, and, for a reverse-proxied request whose
 * Host names neither the upstream nor this proxy, the upstream it was
 * fetched from. That keeps a page the upstream served under a made-up
 * Host apart from the real site's page that a forward-proxy request for
 * the same URI fetches, in both directions.
 *
 * Pure. Must not build the upstream request (messages.ts) nor route
 * (target.ts).
 */

import { primaryKey } from "../cache/key.ts";
import { parseAuthority } from "../http/uri.ts";
import type { UpstreamAddress } from "./config.ts";
import { canonicalHost, loopsBack } from "./loops.ts";
import type { Route } from "./target.ts";

/**
 * The primary key of a reverse or forward route, or undefined when the
 * request has no target URI (`OPTIONS *`, see primaryKey). `self` is the
 * proxy's own listening address.
 */
export function routeKey(
  route: Extract<Route, { kind: "reverse" | "forward" }>,
  self: Deno.NetAddr,
): string | undefined {
  const via = route.kind === "reverse" &&
      !namesServer(route.authority, { upstream: route, self })
    ? authorityText(route)
    : undefined;
  return primaryKey(route.authority, route.path, via);
}

/**
 * True when the Host `authority` names the server the request is
 * fetched from (`upstream`, in any spelling) or this proxy itself, `self` (a
 * forward request for it would loop, so it can never be fetched from
 * elsewhere).
 */
function namesServer(
  authority: string,
  servers: { upstream: UpstreamAddress; self: Deno.NetAddr },
): boolean {
  const { upstream, self } = servers;
  const named = parseAuthority(authority, 80); // RFC 9110 §4.2.1
  if (named === undefined) return false;
  const sameUpstream = named.port === upstream.port &&
    canonicalHost(named.host) === canonicalHost(upstream.host);
  return sameUpstream || loopsBack(named, self);
}

function authorityText(address: UpstreamAddress): string {
  const host = canonicalHost(address.host);
  return `${host.includes(":") ? `[${host}]` : host}:${address.port}`;
}
