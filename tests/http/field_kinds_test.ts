import assert from "../helpers/assert.ts";
import { isSensitive, mayForwardAsTrailer } from "../../http/field_kinds.ts";

Deno.test("mayForwardAsTrailer() refuses framing, routing and proxy hops, modifiers, authentication, control data and content metadata (RFC 9110 §6.5.1)", () => {
  const refused = [
    "content-length",
    "transfer-encoding",
    "trailer",
    "connection",
    "keep-alive",
    "te",
    "upgrade",
    "host",
    "max-forwards",
    "cache-control",
    "expect",
    "pragma",
    "range",
    "if-match",
    "if-none-match",
    "if-modified-since",
    "if-unmodified-since",
    "if-range",
    "accept",
    "authorization",
    "proxy-authorization",
    "www-authenticate",
    "proxy-authenticate",
    "cookie",
    "set-cookie",
    "age",
    "date",
    "expires",
    "location",
    "retry-after",
    "vary",
    "content-type",
    "content-encoding",
    "content-range",
    "via",
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-forwarded-port",
    "x-forwarded-anything",
    "x-real-ip",
    "cdn-loop",
    "x-http-method-override",
    "cache-status",
  ];
  for (const name of refused) {
    assert.equal(mayForwardAsTrailer(name), false, name);
  }
  for (
    const name of ["x-sum", "server-timing", "etag", "digest", "grpc-status"]
  ) {
    assert.equal(mayForwardAsTrailer(name), true, name);
  }
});

Deno.test("isSensitive() is true for credentials, cookies and secret-looking names (RFC 9110 §9.3.8)", () => {
  for (
    const name of [
      "authorization",
      "proxy-authorization",
      "cookie",
      "x-api-key",
      "x-auth-token",
      "x-csrf-token",
      "x-amz-security-token",
      "x-session-id",
    ]
  ) {
    assert.equal(isSensitive(name), true, name);
  }
  for (const name of ["host", "accept", "user-agent", "max-forwards", "via"]) {
    assert.equal(isSensitive(name), false, name);
  }
});
