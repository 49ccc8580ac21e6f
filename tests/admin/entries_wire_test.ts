/**
 * Wire tests of the entry endpoints: a caching proxy (memory store) in
 * front of a scripted upstream, and the admin listener on port 0 serving
 * entriesRoutes() over its store, asked with fetch.
 */

import assert from "../helpers/assert.ts";
import { deferred, withDeadline } from "../helpers/deadline.ts";
import { exchange, ScriptedServer } from "../helpers/raw_peer.ts";
import {
  countingUpstream,
  startCacheProxy,
  waitUntil,
} from "../helpers/cache_proxy.ts";
import { startAdmin } from "../../admin/server.ts";
import { entriesRoutes } from "../../admin/entries.ts";
import type { Store } from "../../cache/store.ts";
import { keyParts } from "../../cache/key.ts";
import type { WireMessage } from "../helpers/wire_text.ts";

const ORIGIN = "http://site.example";

/** `path` through the proxy with Host site.example; the response's status, Cache-Status and body. */
async function get(port: number, path: string, extra = "") {
  const { responses } = await exchange(
    { hostname: "127.0.0.1", port },
    `GET ${path} HTTP/1.1\r\nHost: site.example\r\n${extra}Connection: close\r\n\r\n`,
  );
  const res = responses[0]!;
  return {
    status: res.status,
    cacheStatus: res.head.header("cache-status"),
    body: res.bodyText,
  };
}

/** The request-target of a request as the upstream received it. */
function targetOf(request: WireMessage): string {
  return request.head.startLine.split(" ")[1]!;
}

/** An upstream answering every path with `max-age=60` and the path as body; /v varies on Accept-Language, /nc adds no-cache and an ETag. */
function upstream(): ScriptedServer {
  return countingUpstream((request) => {
    const body = targetOf(request);
    const vary = targetOf(request) === "/v" ? "Vary: Accept-Language\r\n" : "";
    const nc = targetOf(request) === "/nc" ? ', no-cache\r\nETag: "n"' : "";
    return `HTTP/1.1 200 OK\r\nCache-Control: max-age=60${nc}\r\n${vary}` +
      `Content-Length: ${body.length}\r\n\r\n${body}`;
  });
}

/** The admin listener over `store`, its clock at `clock.now`. */
function admin(store: Store, clock: { now: number }) {
  return startAdmin({
    host: "127.0.0.1",
    port: 0,
    routes: entriesRoutes({ store, now: () => clock.now }),
  });
}

async function json(url: string, method = "GET") {
  const res = await fetch(url, { method });
  return { status: res.status, body: await res.json() };
}

/**
 * What the listing says of a response stored at `storedAt` with max-age=60
 * and no Date nor Age (corrected initial age 0) at `now`: RFC 9111 §4.2.3
 * age and the freshness left, in whole seconds rounded down.
 */
function clockAt(storedAt: number, now: number) {
  return {
    storedAt: new Date(storedAt).toISOString(),
    ageSeconds: Math.floor((now - storedAt) / 1000),
    freshSeconds: Math.floor((storedAt + 60_000 - now) / 1000),
  };
}

/** Fills the proxy's store with /a (hit once), /v (Accept-Language: fr) and /nc (no-cache); their response times by path. */
async function fill(port: number, store: Store) {
  await get(port, "/a");
  assert.match((await get(port, "/a")).cacheStatus!, /hit/);
  await get(port, "/v", "Accept-Language: fr\r\n");
  await get(port, "/nc");
  return Object.fromEntries(
    (await store.list()).map((
      { meta },
    ) => [keyParts(meta.key).uri.slice(ORIGIN.length), meta.responseTime]),
  ) as Record<string, number>;
}

Deno.test("GET /api/entries lists each stored response with its variant, age, freshness, state and hits", async () => {
  await using origin = upstream();
  await using proxy = await startCacheProxy(origin.port);
  const store = proxy.cache!.store;
  const at = await fill(proxy.port, store);
  const clock = { now: at["/a"]! + 12_000 };
  const via = `127.0.0.1:${origin.port}`; // Host site.example is not the upstream's name (proxy/route_key.ts)
  const server = admin(store, clock);
  try {
    const { status, body } = await json(`${server.url}/api/entries`);
    assert.equal(status, 200);
    assert.deepEqual(body, {
      entries: [
        {
          url: `${ORIGIN}/nc`,
          via,
          vary: {},
          status: 200,
          bodySize: 3,
          ...clockAt(at["/nc"]!, clock.now),
          freshSeconds: Math.floor((at["/nc"]! - clock.now) / 1000), // no-cache: a lifetime of 0
          state: "no-cache",
          hits: 0,
        },
        {
          url: `${ORIGIN}/v`,
          via,
          vary: { "accept-language": "fr" },
          status: 200,
          bodySize: 2,
          ...clockAt(at["/v"]!, clock.now),
          state: "fresh",
          hits: 0,
        },
        {
          url: `${ORIGIN}/a`,
          via,
          vary: {},
          status: 200,
          bodySize: 2,
          ...clockAt(at["/a"]!, clock.now),
          state: "fresh",
          hits: 1,
        },
      ],
      more: false,
      total: { entries: 3, bytes: 7 },
    });
    assert.equal(body.entries[2]!.ageSeconds, 12);
    assert.equal(body.entries[2]!.freshSeconds, 48);
    clock.now = at["/a"]! + 61_000;
    const later = await json(`${server.url}/api/entries?prefix=${ORIGIN}/a`);
    assert.deepEqual(
      later.body.entries.map((e: { state: string }) => e.state),
      ["stale"],
    );
    assert.equal(later.body.entries[0].freshSeconds, -1);
  } finally {
    await server.close();
  }
});

Deno.test("GET /api/entries keeps to ?prefix= and ?limit= and says when there are more", async () => {
  await using origin = upstream();
  await using proxy = await startCacheProxy(origin.port);
  const store = proxy.cache!.store;
  await fill(proxy.port, store);
  const server = admin(store, { now: Date.now() });
  try {
    const urls = async (query: string) => {
      const { body } = await json(`${server.url}/api/entries${query}`);
      return [body.entries.map((e: { url: string }) => e.url), body.more];
    };
    assert.deepEqual(await urls("?limit=2"), [
      [`${ORIGIN}/nc`, `${ORIGIN}/v`],
      true,
    ]);
    assert.deepEqual(await urls("?limit=3"), [[
      `${ORIGIN}/nc`,
      `${ORIGIN}/v`,
      `${ORIGIN}/a`,
    ], false]);
    assert.deepEqual(
      await urls(`?prefix=${encodeURIComponent(ORIGIN + "/n")}`),
      [[`${ORIGIN}/nc`], false],
    );
    assert.deepEqual(await urls("?prefix=http://other.example/"), [[], false]);
    for (const bad of ["0", "x", "-1", "100001", "1.5"]) {
      assert.deepEqual(await json(`${server.url}/api/entries?limit=${bad}`), {
        status: 400,
        body: {
          error:
            `Cannot list entries: limit must be a whole number from 1 to 100000, not "${bad}"`,
        },
      });
    }
  } finally {
    await server.close();
  }
});

Deno.test("GET /api/entry shows every variant of a URL with its stored fields; 404 when not stored, 400 without url", async () => {
  await using origin = upstream();
  await using proxy = await startCacheProxy(origin.port);
  const store = proxy.cache!.store;
  const at = await fill(proxy.port, store);
  await get(proxy.port, "/v", "Accept-Language: de\r\n");
  const clock = { now: Date.now() };
  const server = admin(store, clock);
  try {
    const { status, body } = await json(
      `${server.url}/api/entry?url=${encodeURIComponent(ORIGIN + "/v")}`,
    );
    assert.equal(status, 200);
    const metas = (await store.list({ url: `${ORIGIN}/v` })).map((e) => e.meta);
    assert.equal(metas.length, 2);
    assert.deepEqual(body, {
      url: `${ORIGIN}/v`,
      variants: metas.map((meta) => ({
        url: `${ORIGIN}/v`,
        via: `127.0.0.1:${origin.port}`,
        vary: Object.fromEntries(meta.vary),
        status: 200,
        bodySize: 2,
        ...clockAt(meta.responseTime, clock.now),
        state: "fresh",
        hits: 0,
        stored: {
          key: `${ORIGIN}/v via 127.0.0.1:${origin.port}`,
          vary: meta.vary,
          status: 200,
          reason: "OK",
          headers: meta.headers,
          requestTime: meta.requestTime,
          responseTime: meta.responseTime,
          correctedInitialAge: 0,
          freshUntil: meta.responseTime + 60_000,
          keepUntil: meta.responseTime + 60_000, // no validator: worth keeping while fresh
          bodySize: 2,
          bodyFile: meta.bodyFile,
        },
      })),
    });
    assert.deepEqual(
      body.variants.map((v: { vary: unknown }) => v.vary),
      [{ "accept-language": "de" }, { "accept-language": "fr" }],
    );
    assert.equal(at["/v"], metas[1]!.responseTime);
    assert.deepEqual(
      await json(
        `${server.url}/api/entry?url=${encodeURIComponent(ORIGIN + "/zz")}`,
      ),
      {
        status: 404,
        body: { error: `Cannot show ${ORIGIN}/zz: it is not stored` },
      },
    );
    assert.deepEqual(await json(`${server.url}/api/entry`), {
      status: 400,
      body: { error: "Cannot show an entry: url is missing" },
    });
  } finally {
    await server.close();
  }
});

Deno.test("DELETE /api/entries purges by url, prefix and all, answering {purged: N}; the next request is a miss", async () => {
  await using origin = upstream();
  await using proxy = await startCacheProxy(origin.port);
  const store = proxy.cache!.store;
  await fill(proxy.port, store);
  await get(proxy.port, "/v", "Accept-Language: de\r\n");
  const server = admin(store, { now: Date.now() });
  const purge = (query: string) =>
    json(`${server.url}/api/entries?${query}`, "DELETE");
  try {
    assert.deepEqual(await purge(`url=${encodeURIComponent(ORIGIN + "/v")}`), {
      status: 200,
      body: { purged: 2 },
    });
    assert.deepEqual(
      await purge(`prefix=${encodeURIComponent(ORIGIN + "/n")}`),
      {
        status: 200,
        body: { purged: 1 },
      },
    );
    assert.equal(origin.requests.length, 4);
    assert.match((await get(proxy.port, "/nc")).cacheStatus!, /fwd=uri-miss/);
    assert.equal(origin.requests.length, 5);
    assert.deepEqual(await purge("all=1"), {
      status: 200,
      body: { purged: 2 },
    });
    assert.equal(store.stats.entries, 0);
    assert.deepEqual(await purge("all=1"), {
      status: 200,
      body: { purged: 0 },
    });
    for (
      const [query, error] of [
        ["", "give exactly one of url=URL, prefix=P or all=1"],
        ["url=a&all=1", "give exactly one of url=URL, prefix=P or all=1"],
        ["all=yes", 'all must be 1, not "yes"'],
        ["prefix=", "prefix is empty"],
      ]
    ) {
      assert.deepEqual(await purge(query!), {
        status: 400,
        body: { error: `Cannot purge: ${error}` },
      }, query);
    }
  } finally {
    await server.close();
  }
});

Deno.test("DELETE /api/entries during a fill: the leader and a collapsed client get the whole body, nothing is stored", async () => {
  const rest = deferred();
  const requests: string[] = [];
  await using origin = ScriptedServer.start(async (peer) => {
    for (;;) {
      const request = await peer.readRequest();
      if (!request) return;
      requests.push(targetOf(request));
      await peer.write(
        "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 10\r\n\r\nhello",
      );
      if (requests.length === 1) await rest.promise;
      await peer.write("world");
    }
  });
  await using proxy = await startCacheProxy(origin.port);
  const store = proxy.cache!.store;
  const server = admin(store, { now: Date.now() });
  try {
    const leader = get(proxy.port, "/slow");
    await waitUntil(() => requests.length === 1, "the upstream request");
    const follower = get(proxy.port, "/slow");
    await waitUntil(
      () => proxy.stats.get("cache.collapsed") === 1,
      "a collapsed client",
    );
    assert.deepEqual(
      await json(
        `${server.url}/api/entries?url=${encodeURIComponent(ORIGIN + "/slow")}`,
        "DELETE",
      ),
      { status: 200, body: { purged: 0 } },
    );
    rest.resolve();
    const [a, b] = await withDeadline(
      Promise.all([leader, follower]),
      5000,
      "both responses",
    );
    assert.deepEqual([a.status, a.body, b.status, b.body], [
      200,
      "helloworld",
      200,
      "helloworld",
    ]);
    await waitUntil(
      () => proxy.stats.get("cache.store_failed") === 1,
      "the fill's end",
    );
    assert.equal(proxy.stats.get("cache.stored"), 0);
    assert.deepEqual(await store.list(), []);
    assert.match((await get(proxy.port, "/slow")).cacheStatus!, /fwd=uri-miss/);
    assert.equal(requests.length, 2);
    await waitUntil(
      () => proxy.stats.get("cache.stored") === 1,
      "the next fill stored",
    );
  } finally {
    await server.close();
  }
});
