/**
 * Table tests of the rule for a request whose upstream connection failed
 * before a response (proxy/retry.ts): which method, what body and what
 * state lead to a retry, a resend (nothing was sent) or a 502 with a
 * reason.
 */

import assert from "../../helpers/assert.ts";
import {
  type FailedAttempt,
  type NextStep,
  nextStep,
} from "../../../proxy/upstream/retry.ts";

/** A first try on a reused connection, lost after the request was written. */
const LOST: FailedAttempt = {
  method: "GET",
  attempt: 1,
  reused: true,
  lost: true,
  written: 120,
  received: 0,
  replayable: true,
};

const NOT_IDEMPOTENT =
  /^upstream closed the connection after the request was sent; \w+ is not idempotent, so it is not retried \(RFC 9110 §9\.2\.2\)$/;

// deno-fmt-ignore
const CASES: [string, Partial<FailedAttempt>, NextStep["kind"], RegExp?][] = [
  ["GET lost on a reused connection", {}, "retry"],
  ["HEAD lost on a reused connection", { method: "HEAD" }, "retry"],
  ["PUT with a held body", { method: "PUT" }, "retry"],
  ["DELETE", { method: "DELETE" }, "retry"],
  ["OPTIONS", { method: "OPTIONS" }, "retry"],
  ["TRACE", { method: "TRACE" }, "retry"],
  ["POST written and lost", { method: "POST" }, "fail", NOT_IDEMPOTENT],
  ["PATCH written and lost", { method: "PATCH" }, "fail", NOT_IDEMPOTENT],
  ["an unknown method written and lost", { method: "PURGE" }, "fail", NOT_IDEMPOTENT],
  ["a lowercase get (methods are case-sensitive)", { method: "get" }, "fail", NOT_IDEMPOTENT],
  ["PUT whose body was streamed past 64 KiB", { method: "PUT", replayable: false }, "fail", /streamed past 64 KiB and cannot be sent again$/],
  ["POST of which no byte was written", { method: "POST", written: 0 }, "resend"],
  ["PATCH of which no byte was written, on a fresh connection", { method: "PATCH", written: 0, reused: false }, "resend"],
  ["GET of which no byte was written, bytes having arrived before", { written: 0, received: 3 }, "resend"],
  ["a streamed body nothing of which was written but that cannot start over", { method: "PUT", written: 0, replayable: false }, "fail", /cannot be sent again/],
  ["GET after part of a response arrived", { received: 10 }, "fail"],
  ["POST after an interim response arrived", { method: "POST", received: 25 }, "fail"],
  ["GET lost on a fresh connection", { reused: false }, "fail"],
  ["a GET's second try", { attempt: 2 }, "fail"],
  ["a second try of which nothing was written", { attempt: 2, written: 0 }, "fail"],
  ["a timeout or bad response (not lost)", { lost: false }, "fail"],
  ["a POST timeout", { method: "POST", lost: false, written: 0 }, "fail"],
];

for (const [what, change, kind, reason] of CASES) {
  Deno.test(`nextStep() gives ${kind} for ${what}`, () => {
    const step = nextStep({ ...LOST, ...change });
    assert.equal(step.kind, kind);
    const said = step.kind === "fail" ? step.reason : undefined;
    if (reason) assert.match(said ?? "", reason);
    else assert.equal(said, undefined, "the original error stands");
  });
}
