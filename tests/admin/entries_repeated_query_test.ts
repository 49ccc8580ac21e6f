/**
 * Review 12: `DELETE /api/entries` (admin/entries.ts) with a parameter
 * given twice. `?url=A&url=B` must not answer 200 having purged A only
 * (a script that sends both believes both went): it purges both or is
 * refused with 400.
 */

import assert from "../helpers/assert.ts";
import { entriesRoutes } from "../../admin/entries.ts";
import { startAdmin } from "../../admin/server.ts";
import { countingUpstream, startCacheProxy } from "../helpers/cache_proxy.ts";

const CACHEABLE =
  "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 2\r\n\r\nok";

Deno.test("entriesRoutes() DELETE /api/entries?url=A&url=B purges both or answers 400, never A alone with 200", async () => {
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
    if (res.status === 400) return;
    assert.equal(res.status, 200);
    assert.deepEqual(
      { body, left: store.stats.entries },
      { body: { purged: 2 }, left: 0 },
    );
  } finally {
    await admin.close();
  }
});
