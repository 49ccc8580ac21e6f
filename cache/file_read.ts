/**
 * Owns opening a file store entry's body for reading: the memory tier
 * first, then the body file checked for its exact size; a small body is
 * read whole into the tier, a larger one streamed by a FileBody the store
 * keeps track of (it stops them at close). A missing or wrong-size file
 * is reported to the store as torn.
 *
 * Must not change the index nor delete files: the store does (torn()).
 */

import { closeQuietly } from "../http/close.ts";
import type { BodyReader } from "../http/types.ts";
import {
  bytesReader,
  FileBody,
  openExact,
  readWhole,
  resolveRange,
} from "./body_reader.ts";
import type { LruIndex } from "./lru_index.ts";
import type { MemoryTier } from "./memory_tier.ts";
import type { EntryMeta } from "./meta.ts";
import type { ByteRange } from "./store.ts";

/** What opening a body needs from its store. */
export interface ReadHost {
  readonly index: LruIndex;
  readonly tier: MemoryTier;
  /** Readers that hold files: added here, removed when they close. */
  readonly readers: Set<{ abort(): void }>;
  /** The body bytes from the memory tier, counted as a memory hit. */
  memoryBody(meta: EntryMeta): Uint8Array | undefined;
  bodyPath(meta: EntryMeta): string;
  /** Removes the entry of a torn body (when it is still current) and counts it. */
  torn(meta: EntryMeta): Promise<void>;
}

/** Store.openBody of the file store (the store checks it is open). */
export async function openStoredBody(
  host: ReadHost,
  { meta, range }: { meta: EntryMeta; range: ByteRange | undefined },
): Promise<BodyReader | undefined> {
  const { start, count } = resolveRange(meta.bodySize, range);
  const held = host.memoryBody(meta);
  if (held) return bytesReader(held.subarray(start, start + count));
  const file = await openExact(host.bodyPath(meta), meta.bodySize);
  if (file === "missing" || file === "wrong-size") {
    await host.torn(meta);
    return undefined;
  }
  if (file === "failed") return undefined; // e.g. out of file handles: a miss, the entry kept
  try {
    if (host.tier.accepts(meta.bodySize) && host.index.isCurrent(meta)) {
      const bytes = await readWhole(file, meta.bodySize);
      if (!bytes) return host.torn(meta).then(() => undefined);
      if (host.index.isCurrent(meta)) host.tier.put(meta, bytes);
      return bytesReader(bytes.subarray(start, start + count));
    }
    if (start > 0) await file.seek(start, Deno.SeekMode.Start);
  } catch {
    closeQuietly(file);
    return undefined;
  }
  const reader = new FileBody(file, count, {
    onShort: () => void host.torn(meta),
    onClose: (body) => host.readers.delete(body),
  });
  if (count > 0) host.readers.add(reader);
  return reader;
}
