/**
 * Table tests of whether a completed upstream connection is kept idle,
 * and for how long (proxy/keep_policy.ts): bytes behind the response,
 * the upstream's Keep-Alive timeout less 1 s, and its max.
 */

import assert from "../../helpers/assert.ts";
import type { KeepAliveHint } from "../../../http/keep_alive.ts";
import {
  type CompletedConnection,
  type KeepDecision,
  keepDecision,
} from "../../../proxy/upstream/keep_policy.ts";

const CLEAN: CompletedConnection = { buffered: 0, ended: false, requests: 1 };
const OWN_MS = 60_000;

// deno-fmt-ignore
const CASES: [string, Partial<CompletedConnection>, KeepAliveHint, KeepDecision][] = [
  ["no hint: our own limit", {}, {}, { keep: true, idleMs: 60_000 }],
  ["Node's timeout=5: 4 s", {}, { timeoutSeconds: 5 }, { keep: true, idleMs: 4000 }],
  ["timeout=2: 1 s", {}, { timeoutSeconds: 2 }, { keep: true, idleMs: 1000 }],
  ["timeout=1: nothing left after the margin", {}, { timeoutSeconds: 1 }, { keep: false, reason: "short_keepalive" }],
  ["timeout=0", {}, { timeoutSeconds: 0 }, { keep: false, reason: "short_keepalive" }],
  ["a timeout longer than our own limit", {}, { timeoutSeconds: 300 }, { keep: true, idleMs: 60_000 }],
  ["max not reached", { requests: 99 }, { max: 100 }, { keep: true, idleMs: 60_000 }],
  ["max reached", { requests: 100 }, { max: 100 }, { keep: false, reason: "max_requests" }],
  ["max=1 after the first request", { requests: 1 }, { max: 1, timeoutSeconds: 5 }, { keep: false, reason: "max_requests" }],
  ["max=0", {}, { max: 0 }, { keep: false, reason: "max_requests" }],
  ["bytes buffered past the response", { buffered: 1 }, {}, { keep: false, reason: "extra_bytes" }],
  ["bytes past the response outrank a good hint", { buffered: 9 }, { timeoutSeconds: 30 }, { keep: false, reason: "extra_bytes" }],
  ["the upstream ended the connection", { ended: true }, {}, { keep: false, reason: "closed" }],
];

for (const [what, conn, hint, expected] of CASES) {
  Deno.test(`keepDecision() gives ${JSON.stringify(expected)} for ${what}`, () => {
    assert.deepEqual(
      keepDecision({ ...CLEAN, ...conn }, { hint, ownIdleMs: OWN_MS }),
      expected,
    );
  });
}
