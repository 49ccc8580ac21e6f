/**
 * Owns the assertions the tests use, in @std/assert's names, backed by
 * node:assert/strict (JSR is unreachable here). Moving to @std/assert is
 * a change to this one file.
 *
 * Must not hold test logic.
 */

import assert from "node:assert/strict";

/** Deep strict equality. */
export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  assert.deepStrictEqual(actual, expected, message);
}

/** Deep strict inequality. */
export function assertNotEquals(
  actual: unknown,
  expected: unknown,
  message?: string,
): void {
  assert.notDeepStrictEqual(actual, expected, message);
}

/** Truthiness. */
export function assert_(value: unknown, message?: string): asserts value {
  assert.ok(value, message);
}
export { assert_ as assert };

/** Strict equality (===). */
export function assertStrictEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  assert.strictEqual(actual, expected, message);
}

/** The string contains the part. */
export function assertStringIncludes(
  actual: string,
  part: string,
  message?: string,
): void {
  assert.ok(
    actual.includes(part),
    message ??
      `expected ${JSON.stringify(actual)} to include ${JSON.stringify(part)}`,
  );
}

/** The string matches the pattern. */
export function assertMatch(
  actual: string,
  pattern: RegExp,
  message?: string,
): void {
  assert.match(actual, pattern, message);
}

/** The function throws (an instance of `type`, when given); returns the error. */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  type?: new (...args: any[]) => E,
  includes?: string,
): E {
  try {
    fn();
  } catch (e) {
    if (type) assert.ok(e instanceof type, `expected ${type.name}, got ${e}`);
    if (includes) assertStringIncludes(String((e as Error).message), includes);
    return e as E;
  }
  throw new assert.AssertionError({
    message: "expected the function to throw",
  });
}

/** The promise rejects (with an instance of `type`, when given); returns the error. */
export async function assertRejects<E extends Error = Error>(
  fn: () => Promise<unknown>,
  // deno-lint-ignore no-explicit-any
  type?: new (...args: any[]) => E,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (e) {
    if (type) assert.ok(e instanceof type, `expected ${type.name}, got ${e}`);
    if (includes) assertStringIncludes(String((e as Error).message), includes);
    return e as E;
  }
  throw new assert.AssertionError({
    message: "expected the promise to reject",
  });
}
