/**
 * Owns review 14's findings where the Redis store meets the proxy's
 * caching flow (flowHarness with a RedisStore): Redis out of reach or
 * refusing, the proxy must answer as a plain proxy (issue 14: "Redis
 * unreachable or failing: the proxy keeps serving as a plain proxy").
 *
 * Must not fix the product; the response the client gets is the oracle.
 */

import assert from "../helpers/assert.ts";
import { redisTest, startRedisServer } from "../helpers/redis_server.ts";
import { bodyText, flowHarness } from "../helpers/scripted_upstream.ts";
import { RedisStore } from "../../redis/store.ts";

/** A port nothing listens on (bound, then closed). */
function deadPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

redisTest(
  "serveWithCache() relays the origin's answer to a POST when the Redis store cannot be reached",
  async () => {
    const store = RedisStore.open(`redis://127.0.0.1:${deadPort()}/0`, {
      timeoutMs: 300,
    });
    await using h = flowHarness((request) => ({
      status: request.head.method === "POST" ? 201 : 200,
      headers: [["Cache-Control", "max-age=60"]],
      body: request.head.method === "POST" ? "created" : "page",
    }), { store });
    const got = await h.send("/r", { method: "GET" });
    assert.equal(
      await bodyText(got),
      "page",
      "a GET is served as by a plain proxy",
    );
    const posted = await h.send("/r", { method: "POST" });
    // RFC 9111 §4.4 invalidation may fail with the store; the origin's
    // answer to the unsafe request (already acted on) must still reach the client.
    assert.equal(posted.status, 201);
    assert.equal(await bodyText(posted), "created");
    assert.equal(h.upstream.requests.length, 2);
  },
);

redisTest(
  "serveWithCache() answers a GET as a plain proxy while Redis answers BUSY",
  async () => {
    const server = await startRedisServer({
      args: ["--busy-reply-threshold", "20"],
    });
    const store = RedisStore.open(server.url, { timeoutMs: 2000 });
    assert.equal(await store.client.ready(5000), true);
    // A read-only script that loops (an operator's, or finding 7b's purge).
    const loop = server.command(
      "EVAL",
      "local i = 0 while true do i = i + 1 end",
      0,
    ).catch(() => undefined);
    try {
      for (let i = 0;; i++) { // until BUSY, at most 200 looks
        const busy = await server.command("PING").then(
          () => false,
          (e) => String(e).includes("BUSY"),
        );
        if (busy) break;
        if (i > 200) throw new Error("Cannot make Redis busy");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await using h = flowHarness(() => ({
        status: 200,
        headers: [["Cache-Control", "max-age=60"]],
        body: "page",
      }), { store });
      const got = await h.send("/busy");
      assert.equal(got.status, 200);
      assert.equal(await bodyText(got), "page");
    } finally {
      await server.command("SCRIPT", "KILL").catch(() => undefined);
      await loop;
      await store.close();
      await server.stop();
    }
  },
);
