/**
 * Stored times later than `now` (a moved lab clock, then a restart; a
 * peer's clock): freshUntilAt() and remainingSeconds() never give an
 * entry more freshness than its lifetime (RFC 9111 §4.2.3: resident time
 * is never negative), and an entry stored on the real clock is unchanged.
 */

import assert from "../helpers/assert.ts";
import {
  freshUntilAt,
  FUTURE_SKEW_MS,
  remainingSeconds,
} from "../../cache/freshness.ts";

const HOUR = 3_600_000;

Deno.test("freshUntilAt() takes an entry stored more than FUTURE_SKEW_MS ahead of now as stale", () => {
  const stored = { responseTime: 100_000 + HOUR, freshUntil: 160_000 + HOUR };
  for (
    const now of [0, 100_000, 161_000, 100_000 + HOUR - FUTURE_SKEW_MS - 1]
  ) {
    assert.equal(freshUntilAt(stored, now), now, String(now));
    assert.ok(remainingSeconds(stored, now) <= 0, String(now));
  }
  assert.equal(remainingSeconds(stored, 161_000 + HOUR), -1);
});

Deno.test("freshUntilAt() moves freshUntil back by how far the response time lies after now, within FUTURE_SKEW_MS", () => {
  const stored = { responseTime: 103_000, freshUntil: 163_000 };
  assert.equal(freshUntilAt(stored, 100_000), 160_000);
  assert.equal(remainingSeconds(stored, 100_000), 60);
});

Deno.test("freshUntilAt() keeps freshUntil when the response time is not later than now", () => {
  const stored = { responseTime: 100_000, freshUntil: 160_000 };
  assert.equal(freshUntilAt(stored, 100_000), 160_000);
  assert.equal(freshUntilAt(stored, 130_000), 160_000);
  assert.equal(remainingSeconds(stored, 130_000), 30);
  assert.equal(remainingSeconds(stored, 170_000), -10);
});
