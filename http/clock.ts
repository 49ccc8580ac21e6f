/**
 * Owns the clock that HTTP times are read from (RFC 9110 §6.6.1 Date,
 * RFC 9111 §4.2.3 ages): the real one, and a movable one (real time plus
 * an offset that only moves forward) that `cachelab lab` shares between
 * its origin, proxy and admin listener, so "wait an hour" takes a click.
 *
 * Must not know what the times are for (no caching here), and must not
 * be used for what is measured in real time (timeouts, durations, idle
 * connections): those read Date.now().
 */

/** Where ms-since-the-epoch times come from. */
export interface Clock {
  /** The time now, in ms since the epoch. */
  now(): number;
  /**
   * The clock's time for a moment measured on the real clock
   * (`realMs`, a Date.now() value): `realMs` plus the offset now.
   */
  at(realMs: number): number;
}

/** The real clock: Date.now(), no offset. */
export const realClock: Clock = {
  now: () => Date.now(),
  at: (realMs) => realMs,
};

/** The largest single advance (s): ten years of 365 days. */
export const MAX_ADVANCE_SECONDS = 10 * 365 * 86400;

/**
 * The latest time a clock may read (ms since the epoch):
 * 9999-12-31T23:59:59Z, the last an IMF-fixdate can write (RFC 9110
 * §5.6.7: a 4DIGIT year).
 */
export const LATEST_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/**
 * Real time plus an offset that only moves forward (advance()). Starts at
 * offset 0, so it reads the real time until moved.
 */
export class MovableClock implements Clock {
  #offsetMs = 0;

  now(): number {
    return Date.now() + this.#offsetMs;
  }

  at(realMs: number): number {
    return realMs + this.#offsetMs;
  }

  /** How far ahead of real time it is, in seconds (0 until moved). */
  get offsetSeconds(): number {
    return this.#offsetMs / 1000;
  }

  /**
   * Moves the clock `seconds` forward (decimals allowed, kept to the ms)
   * and returns the new offset in seconds. Throws a RangeError ("Cannot
   * advance the clock: ...") unless `seconds` is a finite number above 0
   * and at most MAX_ADVANCE_SECONDS, and the clock would then still read
   * at most LATEST_TIME_MS (RFC 9110 §5.6.7), whatever the number of
   * steps.
   */
  advance(seconds: number): number {
    const reason = advanceProblem(seconds);
    if (reason) throw new RangeError(`Cannot advance the clock: ${reason}`);
    const stepMs = Math.max(1, Math.round(seconds * 1000));
    // RFC 9110 §5.6.7: past year 9999 a Date is no IMF-fixdate.
    if (this.now() + stepMs > LATEST_TIME_MS) {
      throw new RangeError(
        "Cannot advance the clock: it would pass 9999-12-31T23:59:59Z, the last time an HTTP date can write",
      );
    }
    this.#offsetMs += stepMs;
    return this.offsetSeconds;
  }
}

/** Why `seconds` cannot be an advance, or undefined when it can. */
export function advanceProblem(seconds: unknown): string | undefined {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
    return "seconds must be a finite number";
  }
  if (seconds <= 0) {
    return "seconds must be above 0 (the clock only moves forward)";
  }
  if (seconds > MAX_ADVANCE_SECONDS) {
    return `seconds must be at most ${MAX_ADVANCE_SECONDS} (ten years)`;
  }
  return undefined;
}

/** True when `clock` can be moved (a MovableClock). */
export function isMovable(clock: Clock): clock is MovableClock {
  return clock instanceof MovableClock;
}
