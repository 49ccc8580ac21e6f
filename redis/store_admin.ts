/**
 * Owns the Redis store's work for people and tools: listing entries and
 * purging them (by SCAN over the entry hashes, never KEYS; one script
 * per hash), and what Redis says about itself (INFO, DBSIZE).
 *
 * Must not be on the request path: each call visits every entry hash.
 */

import { parseMeta } from "../cache/meta.ts";
import type { EntryMeta } from "../cache/meta.ts";
import { listMatch, targets } from "../cache/purge_log.ts";
import type { ListedEntry, ListOptions, PurgeTarget } from "../cache/store.ts";
import type { RedisClient } from "./client.ts";
import { HASH_PATTERN, placeOf, PURGE_EPOCH } from "./layout.ts";
import { removeEntries } from "./store_changes.ts";
import type { RedisStoreParts } from "./store_parts.ts";

/**
 * The entries `options` names, those this node stored or served most
 * recently first (the others after, newest response first), with this
 * node's hits. Visits every entry hash (to order them). Never rejects:
 * when Redis fails midway, what was found.
 */
export async function listEntries(
  parts: RedisStoreParts,
  options: ListOptions,
): Promise<ListedEntry[]> {
  const { limit = Infinity } = options;
  if (limit <= 0) return [];
  const match = listMatch(options);
  const found: EntryMeta[] = [];
  try {
    for await (const hashes of parts.client.scan(HASH_PATTERN)) {
      for (const hash of hashes) {
        const reply = await parts.scripts.metas.run([hash], []) as string[];
        const [key = "", ...metas] = reply;
        if (!match(key)) continue;
        for (const raw of metas) {
          const meta = parsedMeta(raw);
          if (meta?.key === key) found.push(meta);
        }
      }
    }
  } catch {
    // Redis out of reach: what was found so far
  }
  const { use } = parts;
  found.sort((a, b) =>
    use.lastUse(b) - use.lastUse(a) || b.responseTime - a.responseTime
  );
  return found.slice(0, limit).map((meta) => ({ meta, hits: use.hits(meta) }));
}

/**
 * Removes every variant of the keys `target` names, and raises each such
 * key's purge generation (writes begun before are not committed, on any
 * node); a purge by prefix or of all first raises the purge epoch, so
 * that writes begun before it on any node, of keys that had no hash to
 * mark yet, are not committed either (when the prefix matches). Resolves to
 * how many variants were removed; never rejects.
 */
export async function purgeEntries(
  parts: RedisStoreParts,
  target: PurgeTarget,
): Promise<number> {
  let purged = 0;
  try {
    if (!("url" in target)) {
      const prefix = "prefix" in target ? target.prefix : "";
      await parts.scripts.purged.run([PURGE_EPOCH], [prefix]);
    }
    for await (const hashes of parts.client.scan(HASH_PATTERN)) {
      for (const hash of hashes) {
        const key = await parts.client.call("HGET", hash, "k");
        if (typeof key !== "string" || placeOf(key).hash !== hash) {
          // A hash whose k field names another key (or none) is no entry of
          // ours to trust: a purge of everything takes it, whatever it says.
          if ("all" in target) {
            purged += await parts.client.call("DEL", hash) as number;
          }
          continue;
        }
        if (!targets(target, key)) continue;
        purged += await removeEntries(parts, key, {
          field: "",
          file: "*",
          purge: true,
        });
      }
    }
  } catch {
    parts.counts.writeErrors++; // Redis out of reach: what was purged so far
  }
  return purged;
}

/** Fields of INFO that describe() reports. */
const INFO_FIELDS = [
  "used_memory",
  "maxmemory",
  "maxmemory_policy",
  "evicted_keys",
  "expired_keys",
] as const;

/**
 * What Redis reports: used_memory, maxmemory (bytes), maxmemory_policy,
 * evicted_keys, expired_keys (since the server started) and keys (in
 * this database, DBSIZE). Rejects like RedisClient.call().
 */
export async function describeRedis(
  client: RedisClient,
): Promise<Record<string, string | number>> {
  const memory = await client.call("INFO", "memory") as string;
  const stats = await client.call("INFO", "stats") as string;
  const keys = await client.call("DBSIZE") as number;
  const values = new Map<string, string>();
  for (const line of `${memory}\n${stats}`.split(/\r?\n/)) {
    const at = line.indexOf(":");
    if (at > 0) values.set(line.slice(0, at), line.slice(at + 1));
  }
  const described: Record<string, string | number> = {};
  for (const name of INFO_FIELDS) {
    const value = values.get(name);
    if (value === undefined) continue;
    described[name] = /^\d+$/.test(value) ? Number(value) : value;
  }
  described.keys = keys;
  return described;
}

function parsedMeta(raw: string): EntryMeta | undefined {
  try {
    return parseMeta(JSON.parse(raw));
  } catch {
    return undefined;
  }
}
