/**
 * Owns opening a file store entry's body for reading: the memory tier
 * first, then the body file checked to be a regular file of its exact size; a small body is
 * read whole into the tier, a larger one streamed by a FileBody the store
 * keeps track of (it stops them at close); an inline body from its
 * sidecar (read whole, checked to be the same version); a range of a partial entry
 * read across the piece files that hold it. A missing or wrong-size file,
 * or something else than a regular file, is reported to the store as torn.
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
import type { FileIndex } from "./file_index.ts";
import type { MemoryTier } from "./memory_tier.ts";
import type { EntryMeta } from "./meta.ts";
import type { ByteRange } from "./store.ts";
import { chainReaders } from "./chain_reader.ts";
import { piecePlan } from "./store_checks.ts";
import { isInline, keyHash } from "./file_layout.ts";
import { readSidecar } from "./file_sidecar.ts";
import { variantId } from "./key.ts";

/** What opening a body needs from its store. */
export interface ReadHost {
  readonly index: FileIndex;
  readonly tier: MemoryTier;
  /** Readers that hold files: added here, removed when they close. */
  readonly readers: Set<{ abort(): void }>;
  /** The body bytes from the memory tier, counted as a memory hit. */
  memoryBody(meta: EntryMeta): Uint8Array | undefined;
  /** The path of one of the entry's body files (its body, or a piece). */
  pathOf(meta: EntryMeta, file: string): string;
  /** Removes the entry of a torn body (when it is still current) and counts it. */
  torn(meta: EntryMeta): Promise<void>;
}

/** Store.openBody of the file store (the store checks it is open). */
export async function openStoredBody(
  host: ReadHost,
  { meta, range }: { meta: EntryMeta; range: ByteRange | undefined },
): Promise<BodyReader | undefined> {
  if (meta.partial) return await openPieces(host, { meta, range });
  const { start, count } = resolveRange(meta.bodySize, range);
  const held = host.memoryBody(meta);
  if (held) return bytesReader(held.subarray(start, start + count));
  if (isInline(meta.bodyFile)) {
    const body = inlineBody(host, meta);
    if (!body) return host.torn(meta).then(() => undefined);
    if (host.tier.accepts(meta.bodySize) && host.index.isCurrent(meta)) {
      host.tier.put(meta, body.slice()); // not the whole file's buffer
    }
    return bytesReader(body.subarray(start, start + count));
  }
  const file = await openExact(host.pathOf(meta, meta.bodyFile), meta.bodySize);
  if (file !== "failed" && typeof file === "string") {
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

/**
 * A range a partial entry holds, read across its pieces: every piece file
 * it needs is opened (and checked for its exact size) before the first
 * byte is read, so the reader keeps its bytes when the entry changes.
 */
async function openPieces(
  host: ReadHost,
  { meta, range }: { meta: EntryMeta; range: ByteRange | undefined },
): Promise<BodyReader | undefined> {
  const plan = piecePlan(meta, range);
  const files: Deno.FsFile[] = [];
  const closeAll = () => files.forEach((file) => closeQuietly(file));
  for (const segment of plan) {
    const piece = meta.partial!.pieces.find((p) => p.file === segment.file)!;
    const file = await openExact(
      host.pathOf(meta, piece.file),
      piece.end - piece.start + 1,
    );
    if (typeof file === "string") {
      closeAll();
      if (file !== "failed") await host.torn(meta);
      return undefined;
    }
    files.push(file);
  }
  try {
    for (const [i, file] of files.entries()) {
      await file.seek(plan[i]!.offset, Deno.SeekMode.Start);
    }
  } catch {
    closeAll();
    return undefined;
  }
  const parts = files.map((file, i) => {
    const reader = new FileBody(file, plan[i]!.count, {
      onShort: () => void host.torn(meta),
      onClose: (body) => host.readers.delete(body),
    });
    host.readers.add(reader);
    return reader;
  });
  return chainReaders(parts, range!.end - range!.start + 1);
}

/**
 * The body `meta` keeps inside its sidecar, read back synchronously (at
 * most INLINE_BODY_MAX_BYTES and its metadata); undefined when the
 * sidecar is gone, unreadable, names another version now, or holds a
 * body of another length than the looked-up `meta.bodySize` (rewritten
 * since the lookup: its Content-Length would not match).
 */
function inlineBody(host: ReadHost, meta: EntryMeta): Uint8Array | undefined {
  const read = readSidecar(host.pathOf(meta, ""), {
    hash: keyHash(meta.key),
    variant: variantId(meta.vary),
  }, { body: true });
  if (typeof read === "string" || read.meta.bodyFile !== meta.bodyFile) {
    return undefined;
  }
  if (read.body?.length !== meta.bodySize) return undefined; // never a short (or long) body under the old length
  return read.body;
}
