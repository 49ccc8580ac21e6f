/**
 * Owns the child process of store_hostile_test.ts: opens a RedisStore on
 * the Redis at Deno.args[0], opens the body of the metadata JSON
 * Deno.args[2] (as a caller holding it would), printing "opened
 * undefined" or "opened reader", then looks up the key Deno.args[1],
 * printing "variants N". Run with a small heap, so that a store that
 * builds something as large as a planted metadata claims dies quickly.
 *
 * Must not be imported: it runs as a program.
 */

import { parseMeta } from "../../cache/meta.ts";
import { RedisStore } from "../../redis/store.ts";

const [url, key, json] = Deno.args;
const store = RedisStore.open(url!, { timeoutMs: 2000 });
try {
  if (!await store.client.ready(5000)) throw new Error("Redis not ready");
  const meta = parseMeta(JSON.parse(json!));
  if (!meta) throw new Error("the planted metadata does not parse");
  const reader = await store.openBody(meta);
  console.log(`opened ${reader ? "reader" : "undefined"}`);
  await reader?.cancel();
  const variants = await store.variants(key!);
  console.log(`variants ${variants.length}`);
} finally {
  await store.close();
}
