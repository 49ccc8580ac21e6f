/**
 * Owns recognising a request that would come back to this proxy (answered
 * 508 Loop Detected, RFC 5842 §7.2): a route whose address is one this
 * proxy listens on, in any spelling a resolver accepts, or a request whose
 * Via already names this proxy instance (RFC 9110 §7.6.3).
 *
 * Spellings covered: IPv4 shorthand, hex, octal and integer forms (`127.1`,
 * `0x7f.1`, `0177.0.0.1`, `2130706433`), IPv4-mapped and expanded IPv6
 * (`[::ffff:127.0.0.1]`, `[0:0:0:0:0:0:0:1]`), any letter case, a trailing
 * dot, the loopback names (`localhost`, `*.localhost`, `ip6-localhost`,
 * ...), the unspecified address (`0.0.0.0`, `::`, which Linux connects to
 * the loopback), and, when bound to all addresses, the whole loopback
 * range. Not covered: the machine's other interface addresses and names
 * when bound to all addresses (listing them needs --allow-sys, which the
 * product does not have); such a request makes one hop to this proxy and
 * is then refused by its Via. A guarded listener (the admin listener)
 * has no Via to stop that hop: mayReachGuarded() refuses its port at any
 * host when it listens on all addresses.
 *
 * Must not do I/O.
 */

import type { FieldList } from "../http/headers.ts";

/**
 * True when a connection to `host:port` (host as in a URL or a route,
 * IPv6 with or without brackets) would reach this proxy, listening on
 * `self`.
 */
export function loopsBack(
  to: { host: string; port: number },
  self: Deno.NetAddr,
): boolean {
  if (to.port !== self.port) return false;
  const target = canonicalHost(to.host);
  const bound = canonicalHost(self.hostname);
  if (target === bound) return true;
  if (isUnspecified(bound)) return isLocal(target); // listening on every address
  if (isLoopbackV4(bound)) {
    return isLoopbackName(target) || target === "0.0.0.0";
  }
  if (bound === "::1") return isLoopbackName(target) || target === "::";
  return false;
}

/**
 * True when a connection to `host:port` may reach a listener on `at`
 * that must never be reached through the proxy (ProxyConfig.guarded, the
 * admin listener). As loopsBack() for a listener on one address. For one
 * listening on all addresses (`0.0.0.0`, `::`), the rule is: every target
 * at its port, whatever the host. Its reach is every local address, and
 * the machine's interface addresses and the names that resolve to them
 * cannot be listed without --allow-sys (which the product does not have),
 * so no host is provably elsewhere; no Via stops a second hop either, as
 * it does for a loop. A remote site on that very port is refused too.
 */
export function mayReachGuarded(
  to: { host: string; port: number },
  at: Deno.NetAddr,
): boolean {
  if (to.port !== at.port) return false;
  if (isUnspecified(canonicalHost(at.hostname))) return true;
  return loopsBack(to, at);
}

/**
 * True when the request's Via names this proxy instance as one of the
 * hops it already went through (RFC 9110 §7.6.3: received-by is a
 * pseudonym, here `viaName` (messages.ts newViaName()), optionally with
 * a port).
 */
export function viaNamesSelf(fields: FieldList, viaName: string): boolean {
  const self = viaName.toLowerCase();
  for (const hop of fields.list("via")) {
    const receivedBy = hop.split(/[ \t]+/)[1]?.toLowerCase();
    if (receivedBy === self || receivedBy?.startsWith(`${self}:`)) return true;
  }
  return false;
}

/**
 * The one spelling of a host: lowercase, without brackets or a trailing
 * dot, IPv4 in dotted decimal as the WHATWG URL parser (and inet_aton)
 * reads it, IPv6 compressed, IPv4-mapped IPv6 as its IPv4 address. A host
 * the URL parser refuses is returned lowercased as it is.
 */
export function canonicalHost(host: string): string {
  const known = canonicalHosts.get(host);
  if (known !== undefined) return known;
  const canonical = spell(host);
  if (canonicalHosts.size >= CANONICAL_HOSTS_MEMO) canonicalHosts.clear();
  canonicalHosts.set(host, canonical);
  return canonical;
}

/**
 * The spellings of the hosts seen last: a request asks for its target's
 * and the proxy's own up to five times (route key, loop check), and each
 * spelling is a URL parse. Holds host strings only; cleared when full.
 */
const canonicalHosts = new Map<string, string>();
const CANONICAL_HOSTS_MEMO = 256;

function spell(host: string): string {
  let h = host.toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  if (h.endsWith(".")) h = h.slice(0, -1); // the root label: "localhost." is "localhost"
  if (h === "") return h;
  const ipv6 = h.includes(":");
  let parsed: string;
  try {
    parsed = new URL(`http://${ipv6 ? `[${h}]` : h}/`).hostname;
  } catch {
    return h;
  }
  if (!ipv6) return parsed;
  const inner = parsed.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(inner);
  if (!mapped) return inner;
  const high = parseInt(mapped[1]!, 16);
  const low = parseInt(mapped[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** Names that resolve to the loopback (RFC 6761 §6.3; Debian's /etc/hosts). */
const LOOPBACK_NAMES = new Set([
  "localhost",
  "localhost.localdomain",
  "ip6-localhost",
  "ip6-loopback",
]);

function isLoopbackName(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || host.endsWith(".localhost");
}

function isLoopbackV4(host: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(host);
}

function isUnspecified(host: string): boolean {
  return host === "0.0.0.0" || host === "::";
}

/** Every address a socket listening on all addresses is reached through without --allow-sys. */
function isLocal(host: string): boolean {
  return isLoopbackName(host) || isLoopbackV4(host) || host === "::1" ||
    isUnspecified(host);
}
