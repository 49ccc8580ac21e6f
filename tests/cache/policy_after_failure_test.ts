import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  afterFailure,
  type FailureKind,
  type FailureOutcome,
} from "../../cache/policy.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import { at, dateAt, fields, stored } from "./policy_fixtures.ts";

/** A stored 200 fresh for 10 s from T0, with an ETag. */
function entryWith(cc: string, extra: Field[] = []): EntryMeta {
  return stored({
    headers: [["Date", dateAt(0)], ["Cache-Control", cc], [
      "ETag",
      '"v1"',
    ], ...extra],
  });
}

const DAY = 86400;

interface Row {
  name: string;
  cc: string;
  request?: Field[];
  /** Seconds after T0 (the entry is stale from 10). */
  now: number;
  limit?: number;
  failure?: FailureKind;
  /** "stale-on-..." / "stale-if-error" when served stale, else the status. */
  expect: string | number;
}

function check(rows: Row[]): void {
  for (const row of rows) {
    const entry = entryWith(row.cc);
    const got = afterFailure(
      {
        entry,
        requestFields: fields(...(row.request ?? [])),
        failureStatus: 502,
        now: at(row.now),
      },
      { maxStaleOnErrorSeconds: row.limit ?? DAY, failure: row.failure },
    );
    const want: FailureOutcome = typeof row.expect === "number"
      ? { kind: "fail", status: row.expect }
      : row.expect === "stale-if-error"
      ? { kind: "serve-stale", entry, detail: "stale-if-error" }
      : {
        kind: "serve-stale",
        entry,
        detail: row.expect as `stale-on-${FailureKind}`,
        failure: row.failure ?? "connect-failed",
      };
    assert.deepEqual(got, want, row.name);
  }
}

Deno.test("afterFailure() serves a stored response stale by no more than maxStaleOnErrorSeconds when no response came (RFC 9111 §4.2.4)", () => {
  check([
    {
      name: "connect failed, stale by a minute",
      cc: "max-age=10",
      now: 70,
      expect: "stale-on-connect-failed",
    },
    {
      name: "closed before a response",
      cc: "max-age=10",
      now: 70,
      failure: "closed",
      expect: "stale-on-closed",
    },
    {
      name: "timed out",
      cc: "max-age=10",
      now: 70,
      failure: "timeout",
      expect: "stale-on-timeout",
    },
    {
      name: "stale by exactly the limit",
      cc: "max-age=10",
      now: 10 + DAY,
      expect: "stale-on-connect-failed",
    },
    {
      name: "stale by more than the limit",
      cc: "max-age=10",
      now: 11 + DAY,
      expect: 504,
    },
    {
      name: "a limit of 0 is off",
      cc: "max-age=10",
      now: 70,
      limit: 0,
      expect: 504,
    },
    {
      name: "stale-if-error still comes first, with its own detail",
      cc: "max-age=10, stale-if-error=600",
      now: 70,
      expect: "stale-if-error",
    },
    {
      name: "a request's max-stale that accepts it",
      cc: "max-age=10",
      request: [["Cache-Control", "max-stale=100"]],
      now: 70,
      limit: 0,
      expect: "stale-if-error",
    },
  ]);
});

Deno.test("afterFailure() never serves stale on a disconnect when the stored response forbids it (RFC 9111 §4.2.4, §5.2.2.2, §5.2.2.4, §5.2.2.8, §5.2.2.10)", () => {
  check([
    { name: "no-cache", cc: "no-cache, max-age=10", now: 70, expect: 504 },
    {
      name: "qualified no-cache",
      cc: 'no-cache="X-A", max-age=10',
      now: 70,
      expect: 504,
    },
    {
      name: "must-revalidate",
      cc: "max-age=10, must-revalidate",
      now: 70,
      expect: 504,
    },
    {
      name: "proxy-revalidate",
      cc: "max-age=10, proxy-revalidate",
      now: 70,
      expect: 504,
    },
    { name: "s-maxage", cc: "s-maxage=10", now: 70, expect: 504 },
  ]);
});

Deno.test("afterFailure() never serves stale on a disconnect when the request asks for more than the stale response gives (RFC 9111 §5.2.1.1, §5.2.1.3, §5.2.1.4)", () => {
  const cc = "max-age=10";
  check([
    {
      name: "no-cache",
      cc,
      request: [["Cache-Control", "no-cache"]],
      now: 70,
      expect: 504,
    },
    {
      name: "Pragma: no-cache",
      cc,
      request: [["Pragma", "no-cache"]],
      now: 70,
      expect: 504,
    },
    {
      name: "max-age below the age",
      cc,
      request: [["Cache-Control", "max-age=60"]],
      now: 70,
      expect: 504,
    },
    // RFC 9111 §5.2.1.1: "Unless the max-stale request directive is also
    // present, the client does not wish to receive a stale response",
    // whatever its age (it was served here before takesStale(), one rule
    // for every stale path, like stale-while-revalidate and stale-if-error).
    {
      name: "max-age above the age, without max-stale",
      cc,
      request: [["Cache-Control", "max-age=100"]],
      now: 70,
      expect: 504,
    },
    {
      name: "max-age above the age, with a max-stale that covers it",
      cc,
      request: [["Cache-Control", "max-age=100, max-stale=60"]],
      now: 70,
      expect: "stale-if-error",
    },
    {
      name: "a max-stale below the staleness (§5.2.1.2)",
      cc,
      request: [["Cache-Control", "max-stale=30"]],
      now: 70,
      expect: 504,
    },
    {
      name: "min-fresh",
      cc,
      request: [["Cache-Control", "min-fresh=1"]],
      now: 70,
      expect: 504,
    },
    {
      name: "min-fresh=0",
      cc,
      request: [["Cache-Control", "min-fresh=0"]],
      now: 70,
      expect: 504,
    },
  ]);
});

Deno.test("afterFailure() keeps today's answers without maxStaleOnErrorSeconds (RFC 9111 §4.2.4)", () => {
  const entry = entryWith("max-age=10");
  assert.deepEqual(
    afterFailure({
      entry,
      requestFields: fields(),
      failureStatus: 502,
      now: at(70),
    }),
    {
      kind: "fail",
      status: 504,
    },
  );
  assert.deepEqual(
    afterFailure({
      entry: undefined,
      requestFields: fields(),
      failureStatus: 502,
      now: at(70),
    }, {
      maxStaleOnErrorSeconds: DAY,
    }),
    { kind: "fail", status: 502 },
  );
});

Deno.test("afterFailure() answers 504 when the stored response it chose to serve stale is gone (RFC 9111 §4.2.4)", () => {
  const entry = entryWith("max-age=10, stale-if-error=600");
  const failure = {
    entry,
    requestFields: fields(),
    failureStatus: 502,
    now: at(70),
  };
  assert.equal(afterFailure(failure).kind, "serve-stale");
  assert.deepEqual(afterFailure({ ...failure, staleGone: true }), {
    kind: "fail",
    status: 504,
  });
  assert.deepEqual(
    afterFailure({ ...failure, entry: undefined, staleGone: true }),
    { kind: "fail", status: 502 },
    "nothing was stored: the failure's own status",
  );
});

Deno.test("afterFailure() answers a fill-range's failure with the failure's own status, 502 or 504, and serves stale only a range a partial entry holds (RFC 9111 §3.3, §4.2.4)", () => {
  const stale = stored({
    headers: [
      ["Date", dateAt(0)],
      ["Cache-Control", "max-age=10, stale-if-error=600"],
      ["ETag", '"v1"'],
    ],
  });
  const part: EntryMeta = {
    ...stale,
    bodySize: 1000,
    partial: {
      validator: '"v1"',
      length: 10_000,
      pieces: [{ start: 0, end: 999, file: "p0.body" }],
    },
  };
  const failing = (
    range: string,
    failureStatus: number,
    failure: FailureKind,
  ) =>
    afterFailure(
      {
        entry: part,
        requestFields: fields(["Range", range]),
        failureStatus,
        now: at(70),
      },
      { maxStaleOnErrorSeconds: DAY, failure },
    );
  assert.deepEqual(failing("bytes=500-1999", 502, "closed"), {
    kind: "fail",
    status: 502,
  }, "a broken upstream: 502");
  assert.deepEqual(failing("bytes=500-1999", 502, "connect-failed"), {
    kind: "fail",
    status: 502,
  });
  assert.deepEqual(failing("bytes=500-1999", 504, "timeout"), {
    kind: "fail",
    status: 504,
  }, "a timeout: 504");
  assert.deepEqual(failing("bytes=0-99", 502, "closed"), {
    kind: "serve-stale",
    entry: part,
    detail: "stale-if-error",
  }, "a held range may still stand in");
});
