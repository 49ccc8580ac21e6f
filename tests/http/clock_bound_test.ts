/**
 * Review 13: the movable clock's offset is bounded per advance (ten
 * years) but not in total, so repeated advances carry it past year 9999,
 * where a Date is no longer an IMF-fixdate (RFC 9110 §5.6.7: 4DIGIT year).
 */

import assert from "../helpers/assert.ts";
import { MAX_ADVANCE_SECONDS, MovableClock } from "../../http/clock.ts";
import { formatHttpDate, parseHttpDate } from "../../http/dates.ts";

Deno.test("MovableClock.advance() refuses a move that would put the clock past year 9999, whatever the number of steps", () => {
  const clock = new MovableClock();
  let refused = false;
  for (let i = 0; i < 1000 && !refused; i++) {
    try {
      clock.advance(MAX_ADVANCE_SECONDS);
    } catch (error) {
      assert.ok(error instanceof RangeError);
      refused = true;
    }
  }
  assert.ok(refused, `the clock reached ${formatHttpDate(clock.now())}`);
  const date = formatHttpDate(clock.now());
  assert.match(date, /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  assert.ok(parseHttpDate(date) !== undefined, date);
});
