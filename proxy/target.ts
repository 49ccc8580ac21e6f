/**
 * Owns routing a request by its target form (RFC 9112 §3.2): origin-form
 * and asterisk-form go to the configured upstream (reverse proxy),
 * absolute-form to the host it names (forward proxy), authority-form to a
 * CONNECT tunnel. Pure: decides, never connects.
 *
 * Must not build upstream requests (request.ts) nor open sockets.
 */

import type { RequestHead } from "../http/types.ts";
import type { UpstreamAddress } from "./config.ts";

/** Where a request goes, or why it is refused. */
export type Route =
  | {
    kind: "reverse" | "forward";
    host: string;
    port: number;
    /** The origin-form target to send upstream ("/path?query" or "*"). */
    path: string;
    /** The authority to send as Host (forward: from the URL; reverse: the client's Host). */
    authority: string;
  }
  | { kind: "tunnel"; host: string; port: number }
  | { kind: "reject"; status: number; reason: string };

/** The parts of the proxy configuration routing depends on. */
export interface RoutingRules {
  upstream: UpstreamAddress;
  forward: boolean;
  connectPorts: readonly number[];
}

/** Decides where a request goes. */
export function route(head: RequestHead, rules: RoutingRules): Route {
  const target = head.target;
  if (head.method === "CONNECT") return tunnelRoute(target, rules);
  if (target.startsWith("/") || (target === "*" && head.method === "OPTIONS")) {
    return {
      kind: "reverse",
      host: rules.upstream.host,
      port: rules.upstream.port,
      path: target,
      authority: head.headers.first("host") ?? authorityOf(rules.upstream),
    };
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(target);
  if (!scheme) {
    return reject(400, "request target is not origin-form or absolute-form");
  }
  if (scheme[1]!.toLowerCase() !== "http") {
    return reject(
      501,
      `cannot forward ${scheme[1]} URLs; use CONNECT for https`,
    );
  }
  if (!rules.forward) {
    return reject(403, "forward proxying is disabled (--no-forward)");
  }
  const rest = target.slice(scheme[0].length);
  const end = rest.search(/[/?]/);
  const authorityText = end === -1 ? rest : rest.slice(0, end);
  let path = end === -1 ? "/" : rest.slice(end);
  if (path.startsWith("?")) path = `/${path}`; // RFC 9112 §3.2.1: empty path is "/"
  const authority = parseAuthority(authorityText, 80);
  if (!authority) return reject(400, "bad authority in absolute-form target");
  return { kind: "forward", ...authority, path, authority: authorityText };
}

function tunnelRoute(target: string, rules: RoutingRules): Route {
  const authority = parseAuthority(target, undefined);
  if (!authority) return reject(400, "CONNECT needs host:port"); // RFC 9112 §3.2.3
  if (!rules.connectPorts.includes(authority.port)) {
    return reject(403, `CONNECT to port ${authority.port} is not allowed`);
  }
  return { kind: "tunnel", ...authority };
}

/**
 * Parses `host[:port]` (IPv6 in brackets). Returns undefined for userinfo,
 * empty hosts, bad characters or ports outside 1..65535.
 */
export function parseAuthority(
  text: string,
  defaultPort: number | undefined,
): { host: string; port: number } | undefined {
  const m =
    /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]+)(?::(\d{1,5}))?$/.exec(
      text,
    );
  if (!m) return undefined;
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (port === undefined || port < 1 || port > 65535) return undefined;
  const host = m[1]!.startsWith("[") ? m[1]!.slice(1, -1) : m[1]!;
  return { host, port };
}

function authorityOf(address: UpstreamAddress): string {
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return `${host}:${address.port}`;
}

function reject(status: number, reason: string): Route {
  return { kind: "reject", status, reason };
}
