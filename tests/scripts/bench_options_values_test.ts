/**
 * Tests that the bench's command line (scripts/bench/options.ts) answers
 * a negative number given as a separate argument with the same one line
 * as any other bad value (review of issue 11: `--duration -1` printed
 * node's two-line "argument is ambiguous ... Did you forget" instead).
 */

import assert from "../helpers/assert.ts";
import { parseBenchArgs } from "../../scripts/bench/options.ts";

const KNOWN = ["cachelab", "nginx-1w", "nginx-auto", "varnish", "squid"];

Deno.test("parseBenchArgs() says a negative --duration, --rounds or --entries is not a positive integer, in one line, when it is a separate argument", () => {
  for (const flag of ["--duration", "--rounds", "--entries"]) {
    assert.throws(() => parseBenchArgs([flag, "-1"], KNOWN), {
      message:
        `Cannot run the bench: ${flag} must be a positive integer, not "-1"`,
    });
  }
});
