/**
 * Table tests of what the cache does with a request before it looks
 * anything up (cache/forwarding.ts): passReason() and validatorsSent().
 */

import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import { passReason, validatorsSent } from "../../cache/policy.ts";
import { fields } from "./policy_fixtures.ts";

Deno.test("passReason() passes other methods, requests without a key and origin-only preconditions through (RFC 9111 §4, §2, §4.3.2)", () => {
  const rows: [string, string, Field[], boolean, string | undefined][] = [
    ["GET", "GET", [], true, undefined],
    ["HEAD", "HEAD", [], true, undefined],
    ["POST", "POST", [], true, "method"],
    ["DELETE without a key", "DELETE", [], false, "method"],
    ["no key", "GET", [], false, "bypass"],
    ["If-Match", "GET", [["If-Match", '"a"']], true, "request"],
    [
      "If-Unmodified-Since",
      "HEAD",
      [[
        "If-Unmodified-Since",
        "Sun, 31 Dec 2023 12:00:00 GMT",
      ]],
      true,
      "request",
    ],
    [
      "If-None-Match (the cache's to evaluate)",
      "GET",
      [[
        "If-None-Match",
        '"a"',
      ]],
      true,
      undefined,
    ],
  ];
  for (const [name, method, request, keyed, want] of rows) {
    assert.equal(
      passReason({ method, fields: fields(...request), keyed }),
      want,
      name,
    );
  }
});

const MISS = { kind: "miss" } as const;
const INM: Field = ["If-None-Match", '"a"'];
const IMS: Field = ["If-Modified-Since", "Sun, 31 Dec 2023 12:00:00 GMT"];

Deno.test("validatorsSent() sends the cache's own validators when it revalidates or selects a variant (RFC 9111 §4.3.1)", () => {
  const own: [string, string][] = [["If-None-Match", '"stored"']];
  const revalidate = { kind: "revalidate", conditional: own } as const;
  assert.deepEqual(
    validatorsSent(revalidate, { method: "GET", fields: fields(INM) }),
    own,
  );
  assert.deepEqual(
    validatorsSent({ kind: "revalidate", conditional: [] }, {
      method: "HEAD",
      fields: fields(IMS),
    }),
    [],
    "a stored response without validators: a plain fetch",
  );
  assert.deepEqual(
    validatorsSent({ kind: "miss", conditional: own }, {
      method: "GET",
      fields: fields(INM),
    }),
    own,
  );
});

Deno.test("validatorsSent() fetches a GET miss without the client's If-None-Match and If-Modified-Since, to store it and answer them itself (RFC 9111 §4.3.2)", () => {
  for (const request of [[INM], [IMS], [INM, IMS]]) {
    assert.deepEqual(
      validatorsSent(MISS, { method: "GET", fields: fields(...request) }),
      [],
    );
  }
});

Deno.test("validatorsSent() keeps the client's validators on a miss it will not store or cannot answer: HEAD, Range, no-store, Authorization, or none to replace (RFC 9111 §4.3.2, §5.2.1.5, §3.5)", () => {
  const rows: [string, string, Field[]][] = [
    ["HEAD", "HEAD", [INM]],
    ["Range", "GET", [INM, ["Range", "bytes=0-9"]]],
    ["no-store", "GET", [INM, ["Cache-Control", "no-store"]]],
    ["Authorization", "GET", [INM, ["Authorization", "Basic eDp5"]]],
    ["no validators", "GET", []],
  ];
  for (const [name, method, request] of rows) {
    assert.equal(
      validatorsSent(MISS, { method, fields: fields(...request) }),
      undefined,
      name,
    );
  }
});
