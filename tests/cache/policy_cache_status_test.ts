import assert from "../helpers/assert.ts";
import { cacheStatus, type CacheStatusParams } from "../../cache/policy.ts";

Deno.test("cacheStatus() formats hits, forwards, stored responses and details (RFC 9211 §2)", () => {
  const cases: [CacheStatusParams, string][] = [
    [{ hit: true, ttl: 42 }, "cachelab; hit; ttl=42"],
    [{ hit: true, ttl: -12.5 }, "cachelab; hit; ttl=-13"],
    [
      { hit: false, fwd: "uri-miss", stored: true },
      "cachelab; fwd=uri-miss; stored",
    ],
    [{ hit: false, fwd: "miss", stored: true }, "cachelab; fwd=miss; stored"],
    [
      { hit: false, fwd: "stale", fwdStatus: 304, stored: true, ttl: 0 },
      "cachelab; fwd=stale; fwd-status=304; ttl=0; stored",
    ],
    [
      { hit: false, fwd: "uri-miss", detail: "no-store" },
      "cachelab; fwd=uri-miss; detail=no-store",
    ],
    [{ hit: false, fwd: "bypass" }, "cachelab; fwd=bypass"],
    [
      { hit: false, fwd: "uri-miss", collapsed: true },
      "cachelab; fwd=uri-miss; collapsed",
    ],
    [
      { hit: false, fwd: "request", fwdStatus: 200, stored: false },
      "cachelab; fwd=request; fwd-status=200",
    ],
  ];
  for (const [params, expected] of cases) {
    assert.equal(cacheStatus(params), expected);
  }
});

Deno.test("cacheStatus() never writes hit and fwd together (RFC 9211 §2.1, §2.2)", () => {
  assert.equal(
    cacheStatus({ hit: true, fwd: "stale", fwdStatus: 304, ttl: -3 }),
    "cachelab; hit; ttl=-3",
  );
});

Deno.test("cacheStatus() writes a detail that is not a token as a quoted sf-string (RFC 9211 §2.8, RFC 8941 §3.3.3)", () => {
  assert.equal(
    cacheStatus({ hit: false, fwd: "miss", detail: 'too large "5 GB"\\é' }),
    'cachelab; fwd=miss; detail="too large \\"5 GB\\"\\\\?"',
  );
  assert.equal(
    cacheStatus({ hit: false, fwd: "miss", detail: "" }),
    "cachelab; fwd=miss",
  );
});
