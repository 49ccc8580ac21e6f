/**
 * Owns routing a request by its target form (RFC 9112 §3.2): origin-form
 * and asterisk-form go to the configured upstream (reverse proxy),
 * absolute-form to the host it names (forward proxy), authority-form to a
 * CONNECT tunnel. Pure: decides, never connects.
 *
 * Must not build upstream requests (messages.ts) nor open sockets.
 */

import { hostFieldProblem } from "../http/host.ts";
import type { RequestHead } from "../http/types.ts";
import { parseAuthority } from "../http/uri.ts";
import type { UpstreamAddress } from "./config.ts";

/** Where a request goes, or why it is refused. */
export type Route =
  | {
    kind: "reverse" | "forward";
    host: string;
    port: number;
    /** The origin-form target to send upstream ("/path?query" or "*"). */
    path: string;
    /**
     * The authority sent upstream as Host, and the target URI's (RFC 9112
     * §3.3): forward, as the URL writes it; reverse, the client's Host
     * unchanged, or the upstream's own when the client sent none.
     */
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

/**
 * Decides where a request goes. Refused with 400: the Host fields that
 * every server refuses (http/host.ts, the rule head parsing applies, so
 * a head built elsewhere gets the same answer: RFC 9112 §3.2), a target
 * with a fragment or userinfo, a bad authority.
 */
export function route(head: RequestHead, rules: RoutingRules): Route {
  const target = head.target;
  const hostProblem = hostFieldProblem(head);
  if (hostProblem) return reject(400, hostProblem); // RFC 9112 §3.2: MUST respond 400
  if (head.method === "CONNECT") return tunnelRoute(target, rules);
  if (target.includes("#")) {
    return reject(400, "a request target has no fragment"); // RFC 9110 §7.1, RFC 9112 §3.2
  }
  if (target.startsWith("/") || (target === "*" && head.method === "OPTIONS")) {
    return reverseRoute(head, rules);
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
  if (end === -1 && head.method === "OPTIONS") path = "*"; // RFC 9112 §3.2.4: empty path, no query
  if (path.startsWith("?")) path = `/${path}`; // RFC 9112 §3.2.1: empty path is "/"
  if (authorityText.includes("@")) {
    return reject(400, "userinfo in the request target"); // RFC 9110 §4.2.4
  }
  const authority = parseAuthority(authorityText, 80);
  if (!authority) return reject(400, "bad authority in absolute-form target");
  return { kind: "forward", ...authority, path, authority: authorityText };
}

/**
 * Origin-form and asterisk-form go to the configured upstream with the
 * client's Host unchanged (valid and not empty: route() checked it); a
 * request without Host (HTTP/1.0) names the upstream's own authority
 * (RFC 9112 §3.2). Either way that authority is the target URI's
 * (RFC 9112 §3.3).
 */
function reverseRoute(head: RequestHead, rules: RoutingRules): Route {
  const authority = head.headers.first("host") ?? authorityOf(rules.upstream);
  return {
    kind: "reverse",
    host: rules.upstream.host,
    port: rules.upstream.port,
    path: head.target,
    authority,
  };
}

function tunnelRoute(target: string, rules: RoutingRules): Route {
  const authority = parseAuthority(target, undefined);
  if (!authority) return reject(400, "CONNECT needs host:port"); // RFC 9112 §3.2.3
  if (!rules.connectPorts.includes(authority.port)) {
    return reject(403, `CONNECT to port ${authority.port} is not allowed`);
  }
  return { kind: "tunnel", ...authority };
}

function authorityOf(address: UpstreamAddress): string {
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return `${host}:${address.port}`;
}

function reject(status: number, reason: string): Route {
  return { kind: "reject", status, reason };
}
