import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  requestDirectives,
  servedHeaders,
  staleOnError,
} from "../../cache/policy.ts";
import { takesStale } from "../../cache/stale.ts";
import { at, dateAt, fields, stored } from "./policy_fixtures.ts";

function onError(cc: string, req: Field[], nowSeconds: number): boolean {
  const e = stored({
    headers: [["Date", dateAt(0)], ["Cache-Control", cc], ["ETag", '"a"']],
  });
  return staleOnError(e, fields(...req), at(nowSeconds));
}

Deno.test("staleOnError() serves stale within the response's stale-if-error window (RFC 5861 §4)", () => {
  const cc = "max-age=600, stale-if-error=1200";
  assert.equal(onError(cc, [], 900), true); // the RFC 5861 §4.1 example
  assert.equal(onError(cc, [], 1800), true);
  assert.equal(onError(cc, [], 1801), false);
});

Deno.test("staleOnError() honours the request's stale-if-error and max-stale (RFC 5861 §4, RFC 9111 §4.2.4)", () => {
  assert.equal(
    onError("max-age=10", [["Cache-Control", "stale-if-error=60"]], 50),
    true,
  );
  assert.equal(
    onError("max-age=10", [["Cache-Control", "stale-if-error=30"]], 50),
    false,
  );
  assert.equal(
    onError("max-age=10", [["Cache-Control", "max-stale"]], 5000),
    true,
  );
  assert.equal(
    onError("max-age=10", [["Cache-Control", "max-stale=5"]], 50),
    false,
  );
});

Deno.test("staleOnError() refuses without explicit permission (RFC 9111 §4.2.4)", () => {
  assert.equal(onError("max-age=10", [], 50), false);
  assert.equal(onError("max-age=10, stale-if-error", [], 50), false); // invalid value
});

Deno.test("staleOnError() lets must-revalidate win over stale-if-error (RFC 9111 §5.2.2.2)", () => {
  assert.equal(
    onError("max-age=10, must-revalidate, stale-if-error=600", [], 50),
    false,
  );
  assert.equal(
    onError("max-age=10, must-revalidate", [[
      "Cache-Control",
      "stale-if-error=600",
    ]], 50),
    false,
  );
});

Deno.test("staleOnError() refuses under proxy-revalidate, s-maxage and no-cache (RFC 9111 §5.2.2.8, §5.2.2.10, §5.2.2.4)", () => {
  assert.equal(
    onError("max-age=10, proxy-revalidate, stale-if-error=600", [], 50),
    false,
  );
  assert.equal(onError("s-maxage=10, stale-if-error=600", [], 50), false);
  assert.equal(onError("no-cache, stale-if-error=600", [], 50), false);
});

Deno.test("staleOnError() refuses when the request said no-cache (RFC 9111 §5.2.1.4)", () => {
  assert.equal(
    onError(
      "max-age=10, stale-if-error=600",
      [["Cache-Control", "no-cache"]],
      50,
    ),
    false,
  );
  assert.equal(
    onError("max-age=10, stale-if-error=600", [["Pragma", "no-cache"]], 50),
    false,
  );
});

Deno.test("servedHeaders() replaces any upstream Age with the current age, keeping the other fields in order (RFC 9111 §5.1)", () => {
  const e = stored({
    headers: [["Content-Type", "text/plain"], ["age", "3"], ["ETag", '"a"'], [
      "Age",
      "4",
    ]],
  });
  assert.deepEqual(servedHeaders(e, 42).toArray(), [
    ["Content-Type", "text/plain"],
    ["age", "42"],
    ["ETag", '"a"'],
  ]);
  assert.deepEqual(servedHeaders(stored({ headers: [] }), 0).toArray(), [[
    "Age",
    "0",
  ]]);
});

Deno.test("takesStale() is the request's one word on every stale answer: no-cache, max-age without max-stale, min-fresh refuse, and max-stale=N bounds the staleness, whatever max-age (RFC 9111 §5.2.1.1-§5.2.1.4)", () => {
  const rows: [string, string, number, boolean][] = [
    // name, request Cache-Control, staleness, takes
    ["no directive", "", 60, true],
    ["no-cache", "no-cache", 60, false],
    ["max-age=0", "max-age=0", 60, false],
    ["max-age above the age, no max-stale", "max-age=100", 60, false],
    ["max-age=0 with max-stale", "max-age=0, max-stale", 60, true],
    [
      "max-age=0 with a max-stale below it",
      "max-age=0, max-stale=5",
      60,
      false,
    ],
    ["min-fresh", "min-fresh=0", 60, false],
    ["min-fresh with max-stale", "min-fresh=0, max-stale", 60, false],
    ["max-stale", "max-stale", 60, true],
    ["max-stale covers it exactly", "max-stale=60", 60, true],
    ["max-stale below the staleness", "max-stale=59", 60, false],
    ["an invalid max-stale takes none", 'max-stale="x"', 60, false],
  ];
  for (const [name, cc, staleness, takes] of rows) {
    const req = requestDirectives(
      fields(...(cc ? [["Cache-Control", cc]] as Field[] : [])),
    );
    assert.equal(takesStale(req, staleness), takes, name);
  }
});

Deno.test("staleOnError() gives the response's stale-if-error only to a request that takes stale, and the request's own stale-if-error still counts (RFC 5861 §4, RFC 9111 §5.2.1.1, §5.2.1.2)", () => {
  const cc = "max-age=10, stale-if-error=600";
  assert.equal(onError(cc, [["Cache-Control", "max-age=0"]], 50), false);
  assert.equal(onError(cc, [["Cache-Control", "min-fresh=1"]], 50), false);
  assert.equal(onError(cc, [["Cache-Control", "max-stale=5"]], 50), false); // stale by 40
  assert.equal(onError(cc, [["Cache-Control", "max-stale=40"]], 50), true);
  assert.equal(
    onError(cc, [["Cache-Control", "max-age=0, stale-if-error=60"]], 50),
    true,
  );
});
