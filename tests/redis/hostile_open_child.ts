/**
 * Owns the child process of store_hostile_test.ts: opens a RedisStore on
 * the Redis at Deno.args[0], looks up the key Deno.args[1] and opens the
 * body of its one variant, printing "variants N" then "opened undefined"
 * or "opened reader". Run with a small heap, so that a store that builds
 * something as large as a planted metadata claims dies quickly.
 *
 * Must not be imported: it runs as a program.
 */

import { RedisStore } from "../../redis/store.ts";

const [url, key] = Deno.args;
const store = RedisStore.open(url!, { timeoutMs: 2000 });
try {
  if (!await store.client.ready(5000)) throw new Error("Redis not ready");
  const variants = await store.variants(key!);
  console.log(`variants ${variants.length}`);
  if (variants[0]) {
    const reader = await store.openBody(variants[0]);
    console.log(`opened ${reader ? "reader" : "undefined"}`);
    await reader?.cancel();
  }
} finally {
  await store.close();
}
