/**
 * Owns the rule for a request's Host field (RFC 9112 §3.2): which
 * requests must be refused with 400 for their Host, the same for every
 * server (origin and proxy), applied as the head is parsed (head.ts) and
 * by the proxy's routing (proxy/target.ts).
 *
 * Must not decide where a request goes nor what its target URI is.
 */

import type { RequestHead } from "./types.ts";
import { parseAuthority } from "./uri.ts";

/** An absolute-form request-target, CONNECT's aside: a scheme, then ":" (RFC 9112 §3.2.2). */
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * Why the request's Host fields must be answered with 400 (RFC 9112
 * §3.2), or undefined when they are acceptable:
 * - an HTTP/1.1 request without Host (an HTTP/1.0 one may lack it);
 * - more than one Host field line, in any version;
 * - a value that is not `uri-host [ ":" port ]` naming a usable host: a
 *   reg-name of unreserved, sub-delims and well-formed percent-encodings,
 *   an IPv4 address, or an IPv6 literal in brackets, and a port of 1 to
 *   65535 or none (RFC 3986 §3.2.2, §3.2.3; see uri.ts parseAuthority);
 * - an empty value, except with an absolute-form target. An empty Host
 *   says the target URI has no authority (RFC 9110 §7.2), which an
 *   origin-form, asterisk-form or authority-form request for an "http"
 *   URI cannot mean: an "http" URI with an empty host is invalid
 *   (RFC 9110 §4.2.1). An absolute-form target carries its own authority
 *   and the server ignores Host (RFC 9112 §3.2.2).
 */
export function hostFieldProblem(
  head: RequestHead,
): string | undefined {
  const hosts = head.headers.getAll("host");
  if (hosts.length === 0) {
    return head.version === "HTTP/1.1" ? "missing Host" : undefined; // RFC 9112 §3.2
  }
  if (hosts.length > 1) return "repeated Host"; // RFC 9112 §3.2
  const value = hosts[0]!;
  if (value === "") {
    const absolute = head.method !== "CONNECT" && // RFC 9112 §3.2.3: authority-form
      ABSOLUTE_FORM.test(head.target);
    return absolute ? undefined : "empty Host"; // RFC 9110 §4.2.1, §7.2
  }
  if (parseAuthority(value, 80) === undefined) return "invalid Host"; // RFC 9112 §3.2
  return undefined;
}
