/** Tests the bench's command line (scripts/bench/options.ts). */

import assert from "../helpers/assert.ts";
import {
  parseBenchArgs,
  selectProxies,
  usage,
} from "../../scripts/bench/options.ts";

const KNOWN = ["cachelab", "nginx-1w", "nginx-auto", "varnish", "squid"];

Deno.test("parseBenchArgs() runs every contender for 3 rounds of 5 s when given nothing", () => {
  assert.deepEqual(parseBenchArgs([], KNOWN), {
    help: false,
    quick: false,
    proxies: KNOWN,
    durationS: 5,
    rounds: 3,
    entries: 200_000,
    out: undefined,
  });
});

Deno.test("parseBenchArgs() makes --quick three rounds of 1 s unless told otherwise", () => {
  const quick = parseBenchArgs(["--quick"], KNOWN);
  assert.equal(quick.quick, true);
  assert.equal(quick.rounds, 3);
  assert.equal(quick.durationS, 1);
  assert.equal(quick.entries, 0);
  const longer = parseBenchArgs(
    ["--quick", "--duration", "4", "--rounds", "5"],
    KNOWN,
  );
  assert.equal(longer.durationS, 4);
  assert.equal(longer.rounds, 5);
});

Deno.test("parseBenchArgs() takes --only, --duration, --rounds, --entries and --out when given", () => {
  const options = parseBenchArgs([
    "--only",
    "squid,cachelab",
    "--duration",
    "10",
    "--rounds",
    "5",
    "--entries",
    "5000",
    "--out",
    "bench-results.md",
  ], KNOWN);
  assert.deepEqual(options.proxies, ["cachelab", "squid"]);
  assert.equal(options.durationS, 10);
  assert.equal(options.rounds, 5);
  assert.equal(options.entries, 5000);
  assert.equal(options.out, "bench-results.md");
});

Deno.test("parseBenchArgs() skips the restart with --entries 0 and ignores --entries with --quick", () => {
  assert.equal(parseBenchArgs(["--entries", "0"], KNOWN).entries, 0);
  assert.equal(parseBenchArgs(["--quick", "--entries", "9"], KNOWN).entries, 0);
  assert.throws(() => parseBenchArgs(["--entries=-3"], KNOWN), {
    message:
      'Cannot run the bench: --entries must be a positive integer, not "-3"',
  });
});

Deno.test("parseBenchArgs() refuses durations and rounds that are not positive integers", () => {
  for (const bad of ["0", "-1", "1.5", "abc", ""]) {
    assert.throws(
      () => parseBenchArgs([`--duration=${bad}`], KNOWN),
      {
        message:
          `Cannot run the bench: --duration must be a positive integer, not "${bad}"`,
      },
    );
  }
  assert.throws(() => parseBenchArgs(["--rounds", "2.5"], KNOWN), /--rounds/);
});

Deno.test("parseBenchArgs() refuses unknown flags and positional arguments", () => {
  assert.throws(
    () => parseBenchArgs(["--fast"], KNOWN),
    /^Error: Cannot run the bench: /,
  );
  assert.throws(
    () => parseBenchArgs(["squid"], KNOWN),
    /^Error: Cannot run the bench: /,
  );
});

Deno.test("selectProxies() keeps the table order and names unknown contenders when it throws", () => {
  assert.deepEqual(selectProxies("varnish, cachelab", KNOWN), [
    "cachelab",
    "varnish",
  ]);
  assert.throws(
    () => selectProxies("cachelab,haproxy", KNOWN),
    /unknown contender haproxy in --only/,
  );
  assert.throws(() => selectProxies(",", KNOWN), /names no contender/);
});

Deno.test("usage() lists the contenders", () => {
  assert.match(usage(KNOWN), /cachelab, nginx-1w, nginx-auto, varnish, squid/);
});
