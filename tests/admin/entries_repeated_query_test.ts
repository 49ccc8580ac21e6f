/**
 * Found by the review of issue 12: `DELETE /api/entries` (admin/entries.ts) with a parameter
 * given twice. `?url=A&url=B` must not answer 200 having purged A only
 * (a script that sends both believes both went): it is refused with
 * 400, as any admin query parameter given twice is (admin/server.ts).
 */

import assert from "../helpers/assert.ts";
import { entriesRoutes } from "../../admin/entries.ts";
import { startAdmin } from "../../admin/server.ts";
import { countingUpstream, startCacheProxy } from "../helpers/cache_proxy.ts";

const CACHEABLE =
  "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 2\r\n\r\nok";

Deno.test("entriesRoutes() on startAdmin() answers 400 and purges nothing for DELETE /api/entries?url=A&url=B", async () => {
  await using upstream = countingUpstream(() => CACHEABLE);
  await using proxy = await startCacheProxy(upstream.port);
  const store = proxy.cache!.store;
  const admin = startAdmin({
    host: "127.0.0.1",
    port: 0,
    routes: entriesRoutes({ store }),
  });
  try {
    for (const path of ["/a", "/b"]) {
      await (await fetch(`http://127.0.0.1:${proxy.port}${path}`)).text();
    }
    assert.equal(store.stats.entries, 2);
    const a = encodeURIComponent(`http://127.0.0.1:${proxy.port}/a`);
    const b = encodeURIComponent(`http://127.0.0.1:${proxy.port}/b`);
    const res = await fetch(`${admin.url}/api/entries?url=${a}&url=${b}`, {
      method: "DELETE",
    });
    const body = await res.json();
    assert.deepEqual(
      { status: res.status, body, left: store.stats.entries },
      {
        status: 400,
        body: {
          error:
            "Cannot answer /api/entries: query parameter url is given more than once",
        },
        left: 2,
      },
    );
    for (const query of ["prefix=a&prefix=b", "limit=1&limit=abc"]) {
      const listed = await fetch(`${admin.url}/api/entries?${query}`);
      assert.equal(listed.status, 400, query);
      assert.match(await listed.text(), /^\{"error":"Cannot answer [^\n]*"\}$/);
    }
  } finally {
    await admin.close();
  }
});
