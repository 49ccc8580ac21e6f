import assert from "../helpers/assert.ts";
import { exchange } from "../helpers/raw_peer.ts";
import { namesSelf, startAdmin } from "../../admin/server.ts";
import type { AdminRoutes } from "../../admin/route.ts";

const ROUTES: AdminRoutes = {
  "GET /hello": (_request, url) =>
    Response.json({ hello: url.searchParams.get("who") }),
  "DELETE /hello": () => new Response(null, { status: 204 }),
  "GET /boom": () => {
    throw new Error("it broke");
  },
};

/** One request with this Host (raw, so any Host can be sent); the response's status, Allow and body. */
async function ask(
  port: number,
  host: string,
  target: string,
  method = "GET",
): Promise<{ status: number; allow?: string; body: unknown }> {
  const { responses } = await exchange(
    { hostname: "127.0.0.1", port },
    `${method} ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
  );
  const res = responses[0]!;
  return {
    status: res.status,
    allow: res.head.header("allow"),
    body: res.bodyText === "" ? null : JSON.parse(res.bodyText),
  };
}

Deno.test("startAdmin() serves a route and says where it listens when bound to port 0", async () => {
  const admin = startAdmin({ host: "127.0.0.1", port: 0, routes: ROUTES });
  try {
    assert.equal(admin.url, `http://127.0.0.1:${admin.addr.port}`);
    const res = await fetch(`${admin.url}/hello?who=me`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { hello: "me" });
  } finally {
    await admin.close();
  }
});

Deno.test("startAdmin() answers localhost and its own address, with its port or none", async () => {
  const admin = startAdmin({ host: "127.0.0.1", port: 0, routes: ROUTES });
  const port = admin.addr.port;
  try {
    for (
      const host of [
        `127.0.0.1:${port}`,
        "127.0.0.1",
        `localhost:${port}`,
        `LOCALHOST:${port}`,
        "localhost",
      ]
    ) {
      assert.equal((await ask(port, host, "/hello")).status, 200, host);
    }
  } finally {
    await admin.close();
  }
});

Deno.test("startAdmin() answers 421 when Host names another site or port (DNS rebinding)", async () => {
  const admin = startAdmin({ host: "127.0.0.1", port: 0, routes: ROUTES });
  const port = admin.addr.port;
  try {
    for (
      const host of [
        `evil.example:${port}`,
        "evil.example",
        `localhost.evil.example:${port}`,
        `127.0.0.2:${port}`,
        `localhost:${port + 1 > 65535 ? 1 : port + 1}`,
      ]
    ) {
      assert.deepEqual(await ask(port, host, "/hello"), {
        status: 421,
        allow: undefined,
        body: {
          error:
            `Cannot answer for ${host}: this is the admin listener of 127.0.0.1:${port}`,
        },
      }, host);
    }
  } finally {
    await admin.close();
  }
});

Deno.test("startAdmin() answers 404 for an unknown path, 405 with Allow for another method", async () => {
  const admin = startAdmin({ host: "127.0.0.1", port: 0, routes: ROUTES });
  const port = admin.addr.port;
  try {
    assert.deepEqual(await ask(port, "localhost", "/nope"), {
      status: 404,
      allow: undefined,
      body: { error: "Cannot find /nope: no such endpoint" },
    });
    assert.deepEqual(await ask(port, "localhost", "/hello", "PUT"), {
      status: 405,
      allow: "GET, DELETE",
      body: { error: "Cannot PUT /hello: allowed are GET, DELETE" },
    });
  } finally {
    await admin.close();
  }
});

Deno.test("startAdmin() answers 500 with the reason when a handler throws", async () => {
  const admin = startAdmin({ host: "127.0.0.1", port: 0, routes: ROUTES });
  try {
    assert.deepEqual(await ask(admin.addr.port, "localhost", "/boom"), {
      status: 500,
      allow: undefined,
      body: { error: "Cannot answer /boom: it broke" },
    });
  } finally {
    await admin.close();
  }
});

Deno.test("namesSelf() takes any address literal when bound to a wildcard address, never a name", () => {
  const addr: Deno.NetAddr = { transport: "tcp", hostname: "0.0.0.0", port: 9 };
  assert.equal(namesSelf("192.168.1.4:9", addr), true);
  assert.equal(namesSelf("[::1]:9", addr), true);
  assert.equal(namesSelf("router.lan:9", addr), false);
  assert.equal(namesSelf("192.168.1.4:10", addr), false);
  const v6: Deno.NetAddr = { transport: "tcp", hostname: "::1", port: 9 };
  assert.equal(namesSelf("[::1]:9", v6), true);
  assert.equal(namesSelf("127.0.0.1:9", v6), false);
});
