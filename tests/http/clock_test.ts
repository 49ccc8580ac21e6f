import assert from "../helpers/assert.ts";
import {
  advanceProblem,
  isMovable,
  MAX_ADVANCE_SECONDS,
  MovableClock,
  realClock,
} from "../../http/clock.ts";

Deno.test("realClock.at() returns the real time it is given unchanged", () => {
  assert.equal(realClock.at(1234), 1234);
  const before = Date.now();
  const now = realClock.now();
  assert.ok(now >= before && now <= Date.now());
  assert.equal(isMovable(realClock), false);
});

Deno.test("MovableClock reads real time when it was never moved", () => {
  const clock = new MovableClock();
  const before = Date.now();
  const now = clock.now();
  assert.ok(now >= before && now <= Date.now());
  assert.equal(clock.offsetSeconds, 0);
  assert.equal(clock.at(5000), 5000);
  assert.equal(isMovable(clock), true);
});

Deno.test("MovableClock.advance() adds up offsets and moves now() and at() by them", () => {
  const clock = new MovableClock();
  assert.equal(clock.advance(61), 61);
  assert.equal(clock.advance(0.5), 61.5);
  assert.equal(clock.offsetSeconds, 61.5);
  assert.equal(clock.at(1000), 1000 + 61_500);
  const before = Date.now();
  const now = clock.now();
  assert.ok(now >= before + 61_500 && now <= Date.now() + 61_500);
});

Deno.test("MovableClock.advance() throws a RangeError and stays put when seconds are not a forward move", () => {
  const clock = new MovableClock();
  clock.advance(10);
  for (
    const bad of [0, -1, NaN, Infinity, -Infinity, MAX_ADVANCE_SECONDS + 1]
  ) {
    assert.throws(
      () => clock.advance(bad),
      (e: unknown) =>
        e instanceof RangeError &&
        e.message.startsWith("Cannot advance the clock: "),
      String(bad),
    );
  }
  assert.equal(clock.offsetSeconds, 10);
  assert.equal(clock.advance(MAX_ADVANCE_SECONDS), 10 + MAX_ADVANCE_SECONDS);
});

Deno.test("advanceProblem() names what is wrong when the value is no number", () => {
  assert.equal(advanceProblem("60"), "seconds must be a finite number");
  assert.equal(advanceProblem(null), "seconds must be a finite number");
  assert.equal(advanceProblem(60), undefined);
  assert.match(advanceProblem(-5)!, /only moves forward/);
});
