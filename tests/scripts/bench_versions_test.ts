/** Tests version extraction in scripts/bench/versions.ts. */

import assert from "../helpers/assert.ts";
import { firstVersion } from "../../scripts/bench/versions.ts";

Deno.test("firstVersion() finds the version in each program's own wording", () => {
  assert.equal(firstVersion("nginx version: nginx/1.22.1"), "1.22.1");
  assert.equal(
    firstVersion("varnishd (varnish-7.1.1 revision 7cee1c581bead20e)"),
    "7.1.1",
  );
  assert.equal(firstVersion("Squid Cache: Version 5.7\nService Name"), "5.7");
  assert.equal(firstVersion("wrk debian/4.1.0-3+b2 [epoll]"), "4.1.0");
  assert.equal(firstVersion("no digits"), undefined);
});
