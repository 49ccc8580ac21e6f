/**
 * Owns review 14's check of the Redis store on the lab's movable clock
 * (http/clock.ts): the proxy's handler (flowHarness) with a RedisStore,
 * the clock moved a day ahead of real time. Redis's expiry runs on the
 * real clock, so a key must expire after the entry's remaining keep
 * time, not after that plus the clock's offset.
 *
 * Must not wait: the key's PTTL is the oracle.
 */

import assert from "../helpers/assert.ts";
import { redisKnownDefect } from "../helpers/redis_server.ts";
import { MovableClock } from "../../http/clock.ts";
import { formatHttpDate } from "../../http/dates.ts";
import { bodyText, flowHarness } from "../helpers/scripted_upstream.ts";
import { placeOf } from "../../redis/layout.ts";
import { redisServer, redisStore } from "./store_fixture.ts";

redisKnownDefect(
  "RedisStore commit() through the proxy makes the key expire after the entry's keep time on the real clock when the lab's clock is a day ahead",
  "expiry on the lab clock",
  async () => {
    const clock = new MovableClock();
    clock.advance(86_400);
    const store = await redisStore();
    await using h = flowHarness(() => ({
      status: 200,
      headers: [
        ["Date", formatHttpDate(clock.now())], // the origin on the same clock
        ["Cache-Control", "max-age=60"], // no validator: kept until a set time
      ],
      body: "v1",
    }), { clock, store });
    const res = await h.send("/ttl", { receivedAt: clock.now() });
    assert.equal(await bodyText(res), "v1");
    let meta;
    for (let i = 0; i < 200 && !meta; i++) { // a bound, not an oracle
      [meta] = await store.variants("http://origin.test/ttl");
      if (!meta) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(meta, "the response was stored");
    assert.equal(typeof meta.keepUntil, "number");
    const remaining = meta.keepUntil! - clock.now(); // on the lab's clock
    const pttl = await redisServer!.command(
      "PTTL",
      placeOf(meta.key).hash,
    ) as number;
    assert.ok(
      pttl > 0 && pttl <= remaining + 1000,
      `the key expires in ${pttl} ms, the entry is worth keeping ${remaining} ms more`,
    );
  },
);
