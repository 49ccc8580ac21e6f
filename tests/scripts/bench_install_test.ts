/** Tests the pure parts of scripts/bench/install.ts. */

import assert from "../helpers/assert.ts";
import {
  findPrograms,
  packagesToInstall,
  searchDirs,
} from "../../scripts/bench/install.ts";

Deno.test("packagesToInstall() names each missing program's package once, sorted", () => {
  assert.deepEqual(
    packagesToInstall(["wrk", "nginx", "varnishd", "squid"], {
      nginx: "/usr/sbin/nginx",
    }),
    ["squid", "varnish", "wrk"],
  );
  assert.deepEqual(packagesToInstall(["nginx", "nginx"], {}), ["nginx"]);
  assert.deepEqual(
    packagesToInstall(["wrk"], { wrk: "/usr/bin/wrk" }),
    [],
  );
});

Deno.test("packagesToInstall() refuses a program without a known package", () => {
  assert.throws(
    () => packagesToInstall(["haproxy"], {}),
    { message: "Cannot install haproxy: no Debian package is known" },
  );
});

Deno.test("searchDirs() adds the sbin folders after PATH's, each once", () => {
  assert.deepEqual(searchDirs("/usr/bin:/usr/sbin::/bin"), [
    "/usr/bin",
    "/usr/sbin",
    "/bin",
    "/usr/local/sbin",
    "/sbin",
  ]);
  assert.deepEqual(searchDirs(undefined), [
    "/usr/local/sbin",
    "/usr/sbin",
    "/sbin",
  ]);
});

Deno.test("findPrograms() finds sh and leaves out a program that does not exist", () => {
  const found = findPrograms(["sh", "no-such-program-cachelab"]);
  assert.match(found.sh ?? "", /\/sh$/);
  assert.equal(found["no-such-program-cachelab"], undefined);
});
