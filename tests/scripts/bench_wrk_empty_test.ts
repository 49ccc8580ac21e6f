/**
 * Tests what scripts/bench/wrk.ts reads from a wrk run in which no
 * request completed (a contender that accepted connections and answered
 * nothing within the run). wrk then prints 0.00us for every percentile;
 * in a --quick run on a busy machine the bench took those for latencies
 * and reported "cachelab hit-1KiB p50 0.00 ms", ratio 0.00 "lower is
 * better", with no problem line (review of issue 11).
 */

import assert from "../helpers/assert.ts";
import { parseWrkOutput } from "../../scripts/bench/wrk.ts";

/** wrk 4.1.0 against a listener that accepts and never answers (captured on this machine). */
const NO_REQUEST_COMPLETED = `Running 1s test @ http://127.0.0.1:38467/1k.bin
  1 threads and 5 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     0.00us    0.00us   0.00us    -nan%
    Req/Sec     0.00      0.00     0.00      -nan%
  Latency Distribution
     50%    0.00us
     75%    0.00us
     90%    0.00us
     99%    0.00us
  0 requests in 1.05s, 0.00B read
Requests/sec:      0.00
Transfer/sec:       0.00B
`;

Deno.test("parseWrkOutput() gives no latency percentiles when no request completed", () => {
  const report = parseWrkOutput(NO_REQUEST_COMPLETED);
  if (report === undefined) return; // refusing the run outright is fine too
  assert.equal(report.requests, 0);
  assert.equal(report.p50Ms, undefined, "0.00us is no measured latency");
  assert.equal(report.p99Ms, undefined, "0.00us is no measured latency");
});
