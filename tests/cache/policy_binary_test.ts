import assert from "../helpers/assert.ts";
import { isBinaryMediaType } from "../../cache/policy.ts";

Deno.test("isBinaryMediaType() tells text-like types from binary ones (RFC 9110 §8.3)", () => {
  const cases: [string | undefined, boolean][] = [
    ["text/plain", false],
    ["TEXT/HTML; charset=UTF-8", false],
    ["text/css", false],
    ["application/json", false],
    ["application/problem+json", false],
    ["application/xml", false],
    ["application/atom+xml", false],
    ["image/svg+xml", false],
    ["application/javascript", false],
    ["application/ecmascript", false],
    ["application/x-www-form-urlencoded", false],
    ["application/ld+json; profile=x", false],
    ["application/octet-stream", true],
    ["image/png", true],
    ["video/mp4", true],
    ["application/pdf", true],
    ["application/zip", true],
    ["font/woff2", true],
    ["garbage", true],
    ["", true],
    [undefined, true],
  ];
  for (const [type, binary] of cases) {
    assert.equal(isBinaryMediaType(type), binary, String(type));
  }
});
