/**
 * Table tests of the gaps a second reader's walk of RFC 9111 found in
 * the pure policy (review of issue 10). Each test names the RFC section
 * it holds the code to, and fails until the gap is fixed.
 */

import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  afterResponse,
  currentAge,
  draftOf,
  type Exchange,
  freshen,
  servedHeaders,
  type StoreOptions,
} from "../../cache/policy.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import { at, dateAt, fields, stored } from "./policy_fixtures.ts";

const OPTIONS: StoreOptions = { maxObjectBytes: 1_000_000, skipBinary: false };

/** An exchange at 10 s after T0 for http://origin.test/x. */
function exchange(
  method: string,
  status: number,
  response: Field[],
): Exchange {
  return {
    key: "http://origin.test/x",
    method,
    requestFields: fields(),
    status,
    reason: status === 304 ? "Not Modified" : "OK",
    responseFields: fields(...response),
    requestTime: at(10),
    responseTime: at(10),
  };
}

function values(entry: { headers: Field[] }, name: string): string[] {
  return entry.headers.filter(([n]) => n.toLowerCase() === name).map((
    [, v],
  ) => v);
}

Deno.test("servedHeaders() sends Age 2147483648 when the age calculation passes 2^31 (RFC 9111 §5.1)", () => {
  // RFC 9111 §5.1: "If a cache receives a value larger than the largest
  // positive integer it can represent, or if any of its age calculations
  // overflows, it MUST transmit an Age header field with a field value of
  // 2147483648 (2^31)."
  for (const received of ["2147483648", "99999999999"]) {
    const entry = stored({
      headers: [
        ["Date", dateAt(0)],
        ["Cache-Control", "max-age=60"],
        ["Age", received],
      ],
    });
    const age = currentAge(entry, at(10));
    assert.equal(
      servedHeaders(entry, age).first("age"),
      "2147483648",
      `received Age: ${received}, served 10 s later`,
    );
  }
});

/** A stored 200 without any validator, stale at 10 s, 5 bytes long. */
function storedWithoutValidators(): EntryMeta {
  const entry = stored({
    headers: [
      ["Date", dateAt(0)],
      ["Cache-Control", "max-age=1"],
      ["Content-Length", "5"],
    ],
  });
  return { ...entry, bodySize: 5 };
}

Deno.test("afterResponse() freshens a stored response without validators from a 200 to HEAD without validators (RFC 9111 §4.3.5)", () => {
  // RFC 9111 §4.3.5: HEAD "can be used to invalidate or update a cached
  // GET response if the more efficient conditional GET request mechanism
  // is not available (due to no validators being present in the stored
  // response)": with no validator received there is none that differs,
  // and a Content-Length, when sent, must equal the stored one; then the
  // cache SHOULD update the stored response.
  const cases: [string, Field[]][] = [
    ["the same Content-Length", [["Content-Length", "5"]]],
    ["no Content-Length", []],
  ];
  for (const [name, extra] of cases) {
    const entry = storedWithoutValidators();
    const o = afterResponse(
      exchange("HEAD", 200, [
        ["Date", dateAt(10)],
        ["Cache-Control", "max-age=60"],
        ...extra,
      ]),
      { revalidated: entry, options: OPTIONS },
    );
    assert.equal(o.kind, "freshen", name);
    if (o.kind === "freshen") {
      assert.equal(o.answer, "upstream", name);
      assert.equal(o.entry.freshUntil, at(70), name);
    }
  }
});

Deno.test("draftOf() and freshen() never store Proxy-Authentication-Info (RFC 9111 §3.1, §3.2)", () => {
  // RFC 9111 §3.1: header fields specific to the proxy a cache forwards
  // through "MUST NOT be stored ... Effectively, this is limited to
  // Proxy-Authenticate, Proxy-Authentication-Info, and
  // Proxy-Authorization"; §3.2 excepts them from updates too. The first
  // and last are dropped today, the middle one is not.
  const draft = draftOf(
    exchange("GET", 200, [
      ["Date", dateAt(10)],
      ["Cache-Control", "max-age=60"],
      ["Proxy-Authentication-Info", 'nextnonce="abc"'],
      ["Proxy-Authenticate", 'Basic realm="p"'],
    ]),
    OPTIONS,
  );
  assert.deepEqual(values(draft, "proxy-authenticate"), []);
  assert.deepEqual(values(draft, "proxy-authentication-info"), []);

  const entry = stored({
    headers: [["Date", dateAt(0)], ["Cache-Control", "max-age=1"], [
      "ETag",
      '"v1"',
    ]],
  });
  const updated = freshen(
    entry,
    fields(["ETag", '"v1"'], ["Proxy-Authentication-Info", 'nextnonce="d"']),
    at(10),
    at(10),
  );
  assert.deepEqual(values(updated, "proxy-authentication-info"), []);
});
