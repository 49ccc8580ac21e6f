/**
 * Found by the review of issue 12: the admin listener (admin/server.ts) against requests a new
 * user or a hostile page may send: HEAD on a GET endpoint (RFC 9110 §9.1:
 * every general-purpose server supports GET and HEAD), and an
 * absolute-form target naming another authority (RFC 9112 §3.2.2: the
 * target's authority wins over Host, so it names another site).
 */

import assert from "../helpers/assert.ts";
import { exchange } from "../helpers/raw_peer.ts";
import { startAdmin } from "../../admin/server.ts";
import type { AdminRoutes } from "../../admin/route.ts";

const ROUTES: AdminRoutes = {
  "GET /hello": () => Response.json({ hello: "world" }),
};

Deno.test("startAdmin() answers HEAD on a GET endpoint as GET without a body (RFC 9110 §9.3.2)", async () => {
  const admin = startAdmin({ host: "127.0.0.1", port: 0, routes: ROUTES });
  try {
    const res = await fetch(`${admin.url}/hello`, { method: "HEAD" });
    await res.body?.cancel();
    assert.equal(res.status, 200, `HEAD /hello answered ${res.status}`);
  } finally {
    await admin.close();
  }
});

Deno.test("startAdmin() answers 421 to an absolute-form target naming another site, whatever Host says (RFC 9112 §3.2.2)", async () => {
  const admin = startAdmin({ host: "127.0.0.1", port: 0, routes: ROUTES });
  try {
    const self = `127.0.0.1:${admin.addr.port}`;
    const { responses } = await exchange(
      { hostname: "127.0.0.1", port: admin.addr.port },
      `GET http://evil.example/hello HTTP/1.1\r\nHost: ${self}\r\nConnection: close\r\n\r\n`,
    );
    assert.equal(responses[0]!.status, 421, responses[0]!.bodyText);
  } finally {
    await admin.close();
  }
});
