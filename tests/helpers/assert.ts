/**
 * Owns the assertions the tests use, backed by node:assert/strict (JSR,
 * and so @std/assert, is unreachable here). Tests import from this module
 * only: the default export is node's strict `assert` object, and the named
 * exports carry @std/assert's names. Moving to @std/assert is a change to
 * this one file.
 *
 * Must not hold test logic.
 */

import assert from "node:assert/strict";

export default assert;

/** Deep strict equality. */
export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  assert.deepStrictEqual(actual, expected, message);
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
