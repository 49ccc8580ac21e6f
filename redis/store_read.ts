/**
 * Owns the Redis store's lookup: one HGETALL of a key's hash read into
 * its variants (meta_reply.ts), inline bodies put in this node's memory
 * tier, and what the reply shows broken cleaned up (a field that does
 * not parse, an entry with a part missing), counted as corrupt.
 *
 * Must not serve bodies nor decide freshness: the store and the policy do.
 */

import type { EntryMeta } from "../cache/meta.ts";
import { type KeyPlace, metaField, placeOf } from "./layout.ts";
import { RedisReplyError } from "./commands.ts";
import { readMetas } from "./meta_reply.ts";
import { forgetVersion, removeEntries } from "./store_changes.ts";
import type { RedisStoreParts } from "./store_parts.ts";

/**
 * The variants stored under `key`, in one round trip. Rejects with a
 * StoreUnavailableError when Redis is out of reach or cannot serve now
 * (RedisClient.call()); a refusal about the data (a WRONGTYPE: the key
 * holds something else) is none stored.
 */
export async function readVariants(
  parts: RedisStoreParts,
  key: string,
): Promise<readonly EntryMeta[]> {
  const place = placeOf(key);
  let reply: unknown;
  try {
    reply = await parts.client.callBytes("HGETALL", place.hash);
  } catch (error) {
    if (!(error instanceof RedisReplyError)) throw error;
    return []; // left as it is: a miss, never a failed request
  }
  const { metas, corrupt, torn, bodies } = readMetas(
    key,
    reply as Uint8Array[],
  );
  for (const field of corrupt) dropField(parts, place, field);
  for (const meta of torn) void removeTorn(parts, meta);
  for (const meta of metas) {
    const body = bodies.get(meta.bodyFile);
    if (body && !meta.partial) parts.tier.put(meta, body);
  }
  return metas;
}

/** An entry found with a part missing: removed, counted when it was still there. Never rejects. */
export async function removeTorn(
  parts: RedisStoreParts,
  meta: EntryMeta,
): Promise<void> {
  forgetVersion(parts, meta.key, meta.bodyFile);
  const removed = await removeEntries(parts, meta.key, {
    field: metaField(meta.vary),
    file: meta.bodyFile,
  });
  if (removed > 0) parts.counts.corruptRemoved++;
}

function dropField(parts: RedisStoreParts, place: KeyPlace, field: string) {
  parts.counts.corruptRemoved++;
  void parts.client.call("HDEL", place.hash, field).catch(() => {});
}
