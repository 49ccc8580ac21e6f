/**
 * Owns review 14's fill under a small maxmemory with allkeys-lru: two
 * nodes, one writing many entries while the other reads them back, Redis
 * evicting parts at any moment. A body is read whole and exact, or its
 * reader throws / it is a miss: never a short or foreign body that ends
 * cleanly.
 *
 * Must not assert timings: what each read gives is the oracle.
 */

import assert from "../helpers/assert.ts";
import { redisTest, startRedisServer } from "../helpers/redis_server.ts";
import { bodyBytes, draft, writeAll } from "../cache/store_helpers.ts";
import { RedisStore } from "../../redis/store.ts";
import type { Store } from "../../cache/store.ts";
import type { EntryMeta } from "../../cache/meta.ts";

const SIZES = [2_000, 70_000, 300_000, 600_000];

/** What reading one entry back gave. */
type Outcome = "exact" | "miss" | "threw";

async function readBack(
  store: Store,
  key: string,
  expected: Uint8Array,
): Promise<Outcome> {
  const [meta] = await store.variants(key) as readonly EntryMeta[];
  if (!meta) return "miss";
  const held = store.memoryBody(meta);
  let body: Uint8Array;
  if (held) {
    body = held;
  } else {
    const reader = await store.openBody(meta);
    if (!reader) return "miss";
    const parts: Uint8Array[] = [];
    try {
      for (let c = await reader.read(); c; c = await reader.read()) {
        parts.push(c.slice());
      }
    } catch (error) {
      assert.match(String(error), /Cannot read cached body/);
      return "threw";
    }
    body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      body.set(p, at);
      at += p.length;
    }
  }
  assert.equal(body.length, expected.length, `${key}: a short body served`);
  assert.deepEqual(body, expected, `${key}: other bytes served`);
  return "exact";
}

redisTest(
  "RedisStore serves every body whole or not at all while allkeys-lru evicts under a fill from another node",
  async () => {
    await using server = await startRedisServer();
    await server.command("CONFIG", "SET", "maxmemory", "4mb");
    await server.command("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
    const a = RedisStore.open(server.url, { timeoutMs: 5000 });
    const b = RedisStore.open(server.url, { timeoutMs: 5000 });
    try {
      assert.equal(await a.client.ready(5000), true);
      assert.equal(await b.client.ready(5000), true);
      const counts: Record<Outcome, number> = { exact: 0, miss: 0, threw: 0 };
      const bodies: Uint8Array[] = [];
      for (let i = 0; i < 120; i++) {
        const body = bodyBytes(SIZES[i % SIZES.length]!, i);
        bodies.push(body);
        const writer = a.begin(draft(`http://r.example/fill/${i}`));
        const reading = i > 0
          ? readBack(b, `http://r.example/fill/${i - 1}`, bodies[i - 1]!)
          : undefined;
        await writeAll(writer, body, 50_000);
        await writer.commit(body.length);
        if (reading) counts[await reading]++;
        if (i >= 4) {
          const j = (i * 7) % i;
          counts[await readBack(b, `http://r.example/fill/${j}`, bodies[j]!)]++;
        }
      }
      const evicted = await server.command("INFO", "stats") as string;
      assert.match(evicted, /evicted_keys:[1-9]/, "Redis evicted nothing");
      assert.ok(counts.exact > 0, JSON.stringify(counts));
    } finally {
      await a.close();
      await b.close();
    }
  },
);
