/**
 * Component tests of the cache flow's outcomes, in-process: the proxy
 * handler with a MemoryStore in front of a scripted Upstream, no socket.
 * What the upstream was sent, what the store holds and the counters are
 * the oracles.
 */

import assert from "../../helpers/assert.ts";
import { waitUntil } from "../../helpers/cache_proxy.ts";
import { deferred } from "../../helpers/deadline.ts";
import {
  bodyText,
  flowHarness,
  type Scripted,
} from "../../helpers/scripted_upstream.ts";

const KEY = "http://origin.test/r";
const V1: [string, string] = ["ETag", '"v1"'];
/** Stored, and revalidated on every use (RFC 9111 §5.2.2.4). */
const ALWAYS_REVALIDATED: Scripted = {
  status: 200,
  headers: [["Cache-Control", "no-cache"], V1],
  body: "stored body",
};

function notModified(...extra: [string, string][]): Scripted {
  return { status: 304, headers: [V1, ...extra] };
}

const BREAKING: [string, [string, string], string][] = [
  ["Set-Cookie", ["Set-Cookie", "session=abc"], "set-cookie"],
  ["private", ["Cache-Control", "private, max-age=600"], "private"],
  ["no-store", ["Cache-Control", "no-store"], "no-store"],
  ["Vary: *", ["Vary", "*"], "vary-star"],
];

for (const [name, field, detail] of BREAKING) {
  Deno.test(`serveWithCache() removes the entry when a 304 adds ${name}, answers this client from the update, and the next one goes upstream (RFC 9111 §3, §4.3.4)`, async () => {
    await using h = flowHarness((_request, i) =>
      i === 0 ? ALWAYS_REVALIDATED : i === 1 ? notModified(field) : {
        status: 200,
        headers: [["Cache-Control", "max-age=60"]],
        body: "fresh",
      }
    );
    await bodyText(await h.send("/r"));
    const revalidated = await h.send("/r");
    assert.equal(revalidated.status, 200);
    assert.equal(await bodyText(revalidated), "stored body");
    assert.match(
      revalidated.headers.get("cache-status")!,
      new RegExp(
        `^cachelab; fwd=stale; fwd-status=304; ttl=-?\\d+; detail=${detail}$`,
      ),
    );
    assert.equal(revalidated.logSuffix?.endsWith(" REVALIDATED"), true);
    assert.equal(revalidated.headers.get(field[0]), field[1]);
    assert.equal(
      (await h.cache.store.variants(KEY)).length,
      0,
      "the entry is gone",
    );
    assert.equal(h.stats.get("cache.update_removed"), 1);
    const next = await h.send("/r");
    assert.equal(await bodyText(next), "fresh");
    assert.equal(next.headers.get("set-cookie"), undefined);
    assert.equal(
      h.upstream.requests[2]!.head.headers.get("if-none-match"),
      undefined,
    );
  });
}

Deno.test("serveWithCache() re-keys the entry when a 304 changes Vary, under the request that led to it (RFC 9111 §4.1, §4.3.4)", async () => {
  await using h = flowHarness((request, i) => {
    if (i === 0) return ALWAYS_REVALIDATED;
    if (i === 1) {
      return notModified(["Vary", "Accept-Language"], [
        "Cache-Control",
        "max-age=60",
      ]);
    }
    return {
      status: 200,
      headers: [["Cache-Control", "max-age=60"], ["Vary", "Accept-Language"]],
      body: `for ${request.head.headers.get("accept-language")}`,
    };
  });
  const en: [string, string][] = [["Accept-Language", "en"]];
  await bodyText(await h.send("/r", { headers: en }));
  assert.equal(
    await bodyText(await h.send("/r", { headers: en })),
    "stored body",
  );
  assert.deepEqual(
    (await h.cache.store.variants(KEY)).map((entry) => entry.vary),
    [[["accept-language", "en"]]],
  );
  const hit = await h.send("/r", { headers: en });
  assert.match(hit.headers.get("cache-status")!, /^cachelab; hit/);
  assert.equal(await bodyText(hit), "stored body");
  const fr = await h.send("/r", { headers: [["Accept-Language", "fr"]] });
  assert.equal(await bodyText(fr), "for fr");
  assert.equal(h.upstream.requests.length, 3);
});

Deno.test("serveWithCache() sends the request again without conditions when a 304's validator matches nothing stored (RFC 9111 §4.3.4)", async () => {
  await using h = flowHarness((_request, i) =>
    i === 0
      ? ALWAYS_REVALIDATED
      : i === 1
      ? { status: 304, headers: [["ETag", '"other"']] }
      : {
        status: 200,
        headers: [["Cache-Control", "max-age=60"]],
        body: "whole",
      }
  );
  await bodyText(await h.send("/r"));
  const res = await h.send("/r");
  assert.equal(await bodyText(res), "whole");
  const sent = h.upstream.requests.map((r) =>
    r.head.headers.get("if-none-match")
  );
  assert.deepEqual(sent, [undefined, '"v1"', undefined]);
  assert.equal(h.stats.get("cache.mismatched_304"), 1);
});

Deno.test("serveWithCache() sends the request again when a 304 has bytes right behind it, updating nothing", async () => {
  await using h = flowHarness((_request, i) =>
    i === 0 ? ALWAYS_REVALIDATED : i === 1
      ? {
        ...notModified(["Cache-Control", "max-age=600"]),
        trailingBytes: true,
      }
      : {
        status: 200,
        headers: [["Cache-Control", "no-cache"], V1],
        body: "again",
      }
  );
  await bodyText(await h.send("/r"));
  assert.equal(await bodyText(await h.send("/r")), "again");
  assert.equal(h.stats.get("cache.untrusted_304"), 1);
  assert.equal(h.upstream.requests.length, 3);
});

Deno.test("serveWithCache() freshens the stored GET response from a matching 200 to HEAD, and removes it when that HEAD adds Set-Cookie (RFC 9111 §3, §4.3.5)", async () => {
  await using h = flowHarness((request) => {
    const path = request.head.target;
    if (request.head.method === "GET") {
      return {
        status: 200,
        headers: [["Cache-Control", "max-age=10"], ["Age", "20"], V1],
        body: "12345",
      };
    }
    const extra: [string, string][] = path === "/cookie"
      ? [["Set-Cookie", "s=1"]]
      : [];
    return {
      status: 200,
      headers: [["Cache-Control", "max-age=60"], V1, [
        "Content-Length",
        "5",
      ], ...extra],
    };
  });
  for (const path of ["/same", "/cookie"]) {
    await bodyText(await h.send(path));
    const head = await h.send(path, { method: "HEAD" });
    assert.equal(head.status, 200);
  }
  assert.equal(h.stats.get("cache.head_freshened"), 1);
  assert.equal(h.stats.get("cache.head_invalidated"), 1);
  assert.match((await h.send("/same")).headers.get("cache-status")!, /hit/);
  assert.match(
    (await h.send("/cookie")).headers.get("cache-status")!,
    /fwd=uri-miss/,
  );
  assert.equal(h.upstream.requests.length, 5);
});

Deno.test("serveWithCache() serves the stored response stale instead of a 503 within stale-if-error (RFC 5861 §4)", async () => {
  await using h = flowHarness((_request, i) =>
    i === 0
      ? {
        status: 200,
        headers: [
          ["Cache-Control", "max-age=10, stale-if-error=600"],
          ["Age", "20"],
          V1,
        ],
        body: "kept",
      }
      : { status: 503, body: "down" }
  );
  await bodyText(await h.send("/r"));
  const stale = await h.send("/r");
  assert.equal(stale.status, 200);
  assert.equal(await bodyText(stale), "kept");
  assert.match(
    stale.headers.get("cache-status")!,
    /^cachelab; fwd=stale; fwd-status=503; ttl=-\d+; detail=stale-if-error$/,
  );
  assert.equal(stale.logSuffix, "- STALE");
});

const VANISHING: [string, [string, string][], string][] = [
  ["keeps the update", [], "cache.revalidated"],
  [
    "removes the entry",
    [["Set-Cookie", "session=abc"]],
    "cache.update_removed",
  ],
];

for (const [what, extra, counter] of VANISHING) {
  Deno.test(`serveWithCache() counts no revalidation when a 304 that ${what} finds the stored body gone, and fetches it whole`, async () => {
    const answer = deferred();
    await using h = flowHarness(async (_request, i) => {
      if (i === 0) return ALWAYS_REVALIDATED;
      if (i === 1) {
        await answer.promise;
        return notModified(...extra);
      }
      return {
        status: 200,
        headers: [["Cache-Control", "max-age=60"]],
        body: "whole",
      };
    });
    await bodyText(await h.send("/r"));
    const revalidating = h.send("/r");
    await waitUntil(() => h.upstream.requests.length === 2, "it revalidates");
    const [stored] = await h.cache.store.variants(KEY);
    await h.cache.store.remove(stored!); // its body vanishes meanwhile
    answer.resolve();
    assert.equal(await bodyText(await revalidating), "whole");
    assert.equal(h.stats.get(counter), 0);
    assert.equal(h.stats.get("cache.revalidated"), 0);
    assert.equal(h.stats.get("cache.vanished"), 1);
    assert.equal(h.upstream.requests.length, 3);
  });
}
