/**
 * Unit tests of redis/commands.ts meansUnavailable(): which error replies
 * mean "the server cannot serve now" (treated as Redis out of reach) and
 * which mean "this command or this data is wrong". Pure: no server.
 */

import assert from "../helpers/assert.ts";
import { meansUnavailable } from "../../redis/commands.ts";

Deno.test("meansUnavailable() is true for the replies of a server that cannot serve now", () => {
  for (
    const reply of [
      "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
      "LOADING Redis is loading the dataset in memory",
      "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
      "READONLY You can't write against a read only replica.",
      "OOM command not allowed when used memory > 'maxmemory'.",
      "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk.",
      "NOREPLICAS Not enough good replicas to write.",
      "CLUSTERDOWN The cluster is down",
      "TRYAGAIN Multiple keys request during rehashing of slot",
    ]
  ) {
    assert.equal(meansUnavailable(reply), true, reply);
  }
});

Deno.test("meansUnavailable() is false for a refused command or data of another type", () => {
  for (
    const reply of [
      "WRONGTYPE Operation against a key holding the wrong kind of value",
      "NOSCRIPT No matching script. Please use EVAL.",
      "ERR Error running script (call to f_x): user_script:1: oops",
      "BUSYKEY Target key name already exists.",
      "ERR unknown command 'BUSY'",
    ]
  ) {
    assert.equal(meansUnavailable(reply), false, reply);
  }
});
