/**
 * Owns which kinds a header field belongs to, by name, beyond hop-by-hop
 * (headers.ts): the fields likely to carry credentials (never echoed by
 * TRACE) and the fields that must not be sent in a trailer section
 * (RFC 9110 §6.5.1), so relayed trailers in both directions never carry
 * them.
 *
 * Must not touch field lists' contents: callers remove what these say.
 */

import { isHopByHop } from "./headers.ts";

/**
 * Fields that may carry credentials or session secrets (RFC 9110 §9.3.8:
 * "likely to contain sensitive data"): the authentication fields
 * (RFC 9110 §11.6.2, §11.7.2), cookies (RFC 6265 §5.4), and any field
 * whose name says it holds a token, key, secret, password, session or
 * signature (X-Api-Key, X-Auth-Token, X-CSRF-Token, ...).
 */
const SENSITIVE = new Set(["authorization", "proxy-authorization", "cookie"]);
const SENSITIVE_WORDS =
  /auth|token|secret|passw|session|key|cookie|csrf|xsrf|signature|credential/;

/**
 * True when a field (by lowercase name) is likely to carry credentials, so
 * that a response generated from a request (TRACE, RFC 9110 §9.3.8) must
 * not echo it.
 */
export function isSensitive(lowerName: string): boolean {
  return SENSITIVE.has(lowerName) || SENSITIVE_WORDS.test(lowerName);
}

/**
 * Fields that must not be sent as trailers (RFC 9110 §6.5.1): their
 * meaning is needed before the content arrives.
 */
const NOT_TRAILERS = new Set([
  // message framing (RFC 9112 §6) and the Trailer field itself (RFC 9110 §6.6.2)
  "content-length",
  "transfer-encoding",
  "trailer",
  // connection management (RFC 9110 §7.6.1)
  "connection",
  "proxy-connection",
  "keep-alive",
  "te",
  "upgrade",
  // routing and the proxy hops a request went through: whoever reads
  // them (a proxy, an origin's logs or access rules) has acted on the
  // head before a trailer arrives, so a trailer could only contradict it
  // (RFC 9110 §6.5.1; the kind of Apache's CVE-2013-5704)
  "host",
  "max-forwards", // RFC 9110 §7.6.2
  "via", // RFC 9110 §7.6.3
  "forwarded", // RFC 7239
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-forwarded-port",
  "x-forwarded-prefix",
  "x-forwarded-server",
  "x-real-ip",
  "true-client-ip",
  "client-ip",
  "cdn-loop", // RFC 8586
  // request modifiers: a method override changes what the request is
  "x-http-method-override",
  "x-http-method",
  "x-method-override",
  // request modifiers: controls (RFC 9110 §10.1, RFC 9111 §5.2, §5.4)
  "cache-control",
  "expect",
  "pragma",
  "range",
  // request modifiers: conditionals (RFC 9110 §13.1)
  "if-match",
  "if-none-match",
  "if-modified-since",
  "if-unmodified-since",
  "if-range",
  // request modifiers: content negotiation (RFC 9110 §12.5)
  "accept",
  "accept-charset",
  "accept-encoding",
  "accept-language",
  // authentication (RFC 9110 §11) and state (RFC 6265)
  "authorization",
  "proxy-authorization",
  "www-authenticate",
  "proxy-authenticate",
  "authentication-info",
  "proxy-authentication-info",
  "cookie",
  "set-cookie",
  // response control data (RFC 9110 §6.6, §10.2; RFC 9111 §5; RFC 9211; RFC 9209)
  "age",
  "cache-status",
  "proxy-status",
  "date",
  "expires",
  "location",
  "retry-after",
  "vary",
  "warning",
  // content format and metadata (RFC 9110 §8, §14.4)
  "content-type",
  "content-encoding",
  "content-language",
  "content-location",
  "content-range",
]);

/**
 * True when a field (by lowercase name) may be forwarded in a trailer
 * section: not one of the kinds RFC 9110 §6.5.1 says cannot be processed
 * after the content (framing, routing and proxy hops, request modifiers,
 * authentication, response control data, content format), nor hop-by-hop,
 * nor any X-Forwarded-* field. Used wherever trailers are
 * written, so relayed trailers in both directions are filtered.
 */
export function mayForwardAsTrailer(lowerName: string): boolean {
  if (NOT_TRAILERS.has(lowerName) || isHopByHop(lowerName)) return false;
  return !lowerName.startsWith("x-forwarded-"); // every de facto proxy-hop field of that family
}
