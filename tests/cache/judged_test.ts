import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  afterFailure,
  decide,
  judgedUnder,
  judgedVariants,
  servedHeaders,
  staleOnError,
} from "../../cache/policy.ts";
import { factsOf } from "../../cache/entry_facts.ts";
import { at, dateAt, fields, stored } from "./policy_fixtures.ts";

const REVERSE = ["Cachelab-Cache-Control", "CDN-Cache-Control"];
const FORWARD = ["Cachelab-Cache-Control"];
const DATE: Field = ["Date", dateAt(0)];

Deno.test("judgedUnder() returns the stored entry itself when the request's target list picks the field that stored it (RFC 9213 §2.1)", () => {
  const rows: [string, Field[], readonly string[], readonly string[]][] = [
    [
      "Cache-Control both ways",
      [DATE, ["Cache-Control", "max-age=60"]],
      FORWARD,
      REVERSE,
    ],
    [
      "Cachelab-Cache-Control both ways",
      [DATE, ["Cache-Control", "no-store"], [
        "Cachelab-Cache-Control",
        "max-age=60",
      ], ["CDN-Cache-Control", "no-store"]],
      FORWARD,
      REVERSE,
    ],
    [
      "CDN-Cache-Control with no list",
      [DATE, ["Cache-Control", "max-age=60"], [
        "CDN-Cache-Control",
        "max-age=60",
      ]],
      REVERSE,
      REVERSE,
    ],
  ];
  for (const [name, headers, storedBy, readBy] of rows) {
    const entry = stored({ headers, targets: storedBy });
    assert.equal(judgedUnder(entry, readBy), entry, name);
  }
});

Deno.test("judgedUnder() gives no entry when the request's policy would not have stored it: no-store, private, must-understand with an unknown status (RFC 9213 §2.1, §3; RFC 9111 §3, §5.2.2.3, §5.2.2.5, §5.2.2.7)", () => {
  const rows: [
    string,
    number,
    Field[],
    readonly string[],
    readonly string[],
  ][] = [
    [
      "reverse copy, forward reads Cache-Control no-store",
      200,
      [DATE, ["Cache-Control", "no-store"], [
        "CDN-Cache-Control",
        "max-age=600",
      ]],
      REVERSE,
      FORWARD,
    ],
    [
      "reverse copy, forward reads Cache-Control private",
      200,
      [DATE, ["Cache-Control", "private"], [
        "CDN-Cache-Control",
        "max-age=600",
      ]],
      REVERSE,
      FORWARD,
    ],
    [
      "forward copy, reverse reads CDN-Cache-Control no-store",
      200,
      [DATE, ["Cache-Control", "max-age=600"], [
        "CDN-Cache-Control",
        "no-store",
      ]],
      FORWARD,
      REVERSE,
    ],
    [
      "forward copy, reverse reads CDN-Cache-Control private",
      200,
      [DATE, ["Cache-Control", "max-age=600"], [
        "CDN-Cache-Control",
        "private",
      ]],
      FORWARD,
      REVERSE,
    ],
    [
      "unknown status with must-understand under the reader's field",
      599,
      [DATE, ["Cache-Control", "max-age=600"], [
        "CDN-Cache-Control",
        "max-age=600, must-understand",
      ]],
      FORWARD,
      REVERSE,
    ],
  ];
  for (const [name, status, headers, storedBy, readBy] of rows) {
    const entry = stored({ status, headers, targets: storedBy });
    assert.equal(judgedUnder(entry, readBy), undefined, name);
  }
});

Deno.test("judgedUnder() gives freshness, stale permissions and revalidation requirements of the request's own policy (RFC 9213 §2.1; RFC 9111 §4.2.1, §4.2.4)", () => {
  // Stored by a reverse request under CDN-Cache-Control max-age=600; a
  // forward request reads Cache-Control max-age=10, must-revalidate.
  const entry = stored({
    headers: [DATE, ["Cache-Control", "max-age=10, must-revalidate"], [
      "CDN-Cache-Control",
      "max-age=600, stale-if-error=600",
    ]],
    targets: REVERSE,
  });
  assert.equal(entry.freshUntil, at(600));
  const forward = judgedUnder(entry, FORWARD)!;
  assert.equal(forward.freshUntil, at(10));
  assert.equal(forward.policyField, undefined);
  assert.ok(factsOf(forward).directives.has("must-revalidate"));
  assert.equal(judgedUnder(entry, FORWARD), forward, "memoised: one object");
  const req = fields();
  // fresh for the reverse role, stale and to be revalidated for the forward one
  assert.equal(
    decide("GET", req, [entry], at(20), req, { targets: REVERSE }).kind,
    "fresh",
  );
  const d = decide("GET", req, [entry], at(20), req, { targets: FORWARD });
  assert.equal(d.kind, "revalidate");
  // must-revalidate under Cache-Control: never stale on error for the forward request
  assert.equal(staleOnError(forward, req, at(20)), false);
  assert.equal(
    afterFailure(
      { entry: forward, requestFields: req, failureStatus: 502, now: at(20) },
      { maxStaleOnErrorSeconds: 86400 },
    ).kind,
    "fail",
  );
});

Deno.test("decide() answers fwd=miss when every stored variant is one the request's policy would not store, and serves a qualified-private copy without the fields its own policy names (RFC 9213 §2.1, §3; RFC 9111 §5.2.2.7)", () => {
  const req = fields();
  const crossed = stored({
    headers: [DATE, ["Cache-Control", "no-store"], [
      "CDN-Cache-Control",
      "max-age=600",
    ]],
    targets: REVERSE,
  });
  assert.deepEqual(
    decide("GET", req, [crossed], at(1), req, { targets: FORWARD }),
    { kind: "miss", detail: "miss" },
  );
  assert.equal(
    decide("GET", req, [crossed], at(1), req, { targets: REVERSE }).kind,
    "fresh",
  );
  const qualified = stored({
    headers: [DATE, ["Cache-Control", 'max-age=60, private="X-Secret"'], [
      "CDN-Cache-Control",
      "max-age=600",
    ], ["X-Secret", "s"]],
    targets: REVERSE,
  });
  const d = decide("GET", req, [qualified], at(1), req, { targets: FORWARD });
  assert.equal(d.kind, "fresh");
  if (d.kind !== "fresh") return;
  assert.equal(servedHeaders(d.entry, 1).has("x-secret"), false);
  assert.equal(
    servedHeaders(qualified, 1).has("x-secret"),
    true,
    "the reverse role's copy keeps it (RFC 9213 §2.1)",
  );
});

Deno.test("judgedVariants() keeps the order, leaves out what the request's policy would not store, and gives the list itself when every entry stands as stored (RFC 9213 §2.1)", () => {
  const plain = stored({ headers: [DATE, ["Cache-Control", "max-age=60"]] });
  const crossed = stored({
    headers: [DATE, ["Cache-Control", "no-store"], [
      "CDN-Cache-Control",
      "max-age=600",
    ]],
    targets: REVERSE,
  });
  const other = stored({
    headers: [DATE, ["Cache-Control", "max-age=5"], [
      "CDN-Cache-Control",
      "max-age=600",
    ]],
    targets: REVERSE,
  });
  const list = [plain, crossed, other];
  assert.equal(judgedVariants(list, REVERSE), list);
  const forward = judgedVariants(list, FORWARD);
  assert.equal(forward.length, 2);
  assert.equal(forward[0], plain);
  assert.equal(forward[1]!.freshUntil, at(5));
});
