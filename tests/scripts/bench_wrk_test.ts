/**
 * Tests reading wrk's report and building its command line
 * (scripts/bench/wrk.ts) on captured wrk 4.1 output.
 */

import assert from "../helpers/assert.ts";
import {
  FRESH_URLS_SCRIPT,
  parseWrkBytes,
  parseWrkOutput,
  parseWrkTime,
  wrkCommand,
} from "../../scripts/bench/wrk.ts";

const HIT_REPORT = `Running 3s test @ http://127.0.0.1:45998/1k.bin
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.96ms    1.25ms  10.35ms   69.70%
    Req/Sec    15.58k   731.55    16.72k    66.67%
  Latency Distribution
     50%    3.08ms
     75%    3.59ms
     90%    4.34ms
     99%    6.70ms
  46613 requests in 3.01s, 59.17MB read
Requests/sec:  15463.00
Transfer/sec:     19.63MB
`;

const ERROR_REPORT = `Running 2s test @ http://127.0.0.1:45998/nothere
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   850.00us   11.14ms   1.20s    96.43%
    Req/Sec    18.96k     4.18k   22.33k    90.00%
  Latency Distribution
     50%  850.00us
     75%    2.75ms
     90%    3.68ms
     99%    1.20s
  37661 requests in 2.01s, 12.00MB read
  Socket errors: connect 1, read 2, write 3, timeout 4
  Non-2xx or 3xx responses: 37661
Requests/sec:  18776.95
Transfer/sec:      5.98MB
`;

Deno.test("parseWrkOutput() reads rate, transfer and percentiles when the run went well", () => {
  assert.deepEqual(parseWrkOutput(HIT_REPORT), {
    requests: 46613,
    rps: 15463,
    bytesPerS: 19.63 * 1024 * 1024,
    p50Ms: 3.08,
    p99Ms: 6.7,
    non2xx: 0,
    socketErrors: 0,
  });
});

Deno.test("parseWrkOutput() counts non-2xx responses and every kind of socket error when wrk reports them", () => {
  const report = parseWrkOutput(ERROR_REPORT);
  assert.equal(report?.non2xx, 37661);
  assert.equal(report?.socketErrors, 10);
  assert.equal(report?.p50Ms, 0.85);
  assert.equal(report?.p99Ms, 1200);
});

Deno.test("parseWrkOutput() returns undefined when wrk printed no summary", () => {
  assert.equal(
    parseWrkOutput("unable to connect to 127.0.0.1:1 Connection refused"),
    undefined,
  );
});

Deno.test("parseWrkOutput() leaves the percentiles out when --latency printed no distribution", () => {
  const withoutDistribution = HIT_REPORT.replace(
    / {2}Latency Distribution\n(?:\s+\d+%.*\n)+/,
    "",
  );
  const report = parseWrkOutput(withoutDistribution);
  assert.equal(report?.rps, 15463);
  assert.equal(report?.p50Ms, undefined);
  assert.equal(report?.p99Ms, undefined);
});

Deno.test("parseWrkTime() converts every wrk time unit to milliseconds", () => {
  assert.equal(parseWrkTime("250.00us"), 0.25);
  assert.equal(parseWrkTime("2.50ms"), 2.5);
  assert.equal(parseWrkTime("1.50s"), 1500);
  assert.equal(parseWrkTime("2.00m"), 120_000);
  assert.equal(parseWrkTime("1.00h"), 3_600_000);
  assert.equal(parseWrkTime("fast"), undefined);
});

Deno.test("parseWrkBytes() reads wrk's binary units when given B to GB", () => {
  assert.equal(parseWrkBytes("512.00B"), 512);
  assert.equal(parseWrkBytes("2.00KB"), 2048);
  assert.equal(parseWrkBytes("1.50GB"), 1.5 * 1024 ** 3);
  assert.equal(parseWrkBytes("1.5 parsecs"), undefined);
});

Deno.test("wrkCommand() pins one wrk thread to the core when a core is given", () => {
  assert.deepEqual(
    wrkCommand({
      url: "http://127.0.0.1:8080/1k.bin",
      connections: 50,
      durationS: 5,
      timeoutS: 10,
      core: 1,
    }),
    [
      "taskset",
      "-c",
      "1",
      "wrk",
      "-t1",
      "-c50",
      "-d5s",
      "--timeout",
      "10s",
      "--latency",
      "http://127.0.0.1:8080/1k.bin",
    ],
  );
});

Deno.test("wrkCommand() passes the Lua script and its path and tag when URLs must be fresh", () => {
  const command = wrkCommand({
    url: "http://127.0.0.1:8080/1k.bin",
    connections: 50,
    durationS: 2,
    timeoutS: 10,
    fresh: { path: "/1k.bin", tag: "r1-squid" },
  });
  assert.equal(command[0], "wrk");
  assert.deepEqual(command.slice(-6), [
    "-s",
    FRESH_URLS_SCRIPT,
    "http://127.0.0.1:8080/1k.bin",
    "--",
    "/1k.bin",
    "r1-squid",
  ]);
});
