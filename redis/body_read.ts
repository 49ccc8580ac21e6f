/**
 * Owns reading a stored body (or a range of it, or a partial entry's
 * pieces) back from Redis: inline bodies by one HMGET, chunked ones
 * streamed chunk by chunk (GETRANGE for the bytes a range needs), never
 * the whole chunked body in memory. A part found missing before the first
 * byte makes the body absent (undefined); one that vanishes while it is
 * read makes the reader throw "Cannot read cached body: ..." (never a
 * short body passed off as complete). Either way the caller is told
 * (`onTorn`), to remove the entry.
 *
 * Must not decide which version is current nor remove anything itself.
 */

import type { BodyReader } from "../http/types.ts";
import type { EntryMeta } from "../cache/meta.ts";
import type { Segment } from "../cache/pieces.ts";
import { resolveRange } from "../cache/body_reader.ts";
import { piecePlan } from "../cache/store_checks.ts";
import type { ByteRange } from "../cache/store.ts";
import type { RedisStoreParts } from "./store_parts.ts";
import type { RedisClient, RedisScript } from "./client.ts";
import {
  bodyField,
  CHUNK_BYTES,
  chunkCount,
  chunkKey,
  fileSize,
  type KeyPlace,
  metaField,
  placeOf,
  plausibleSize,
} from "./layout.ts";

/** One stretch of a body file to read, and the size of that file. */
export interface FileSegment extends Segment {
  /** The whole file's size (inline when at most INLINE_MAX). */
  size: number;
}

/**
 * Opens the body of stored version `meta` (or `range` of it; a partial
 * entry's pieces, Store.openBody's rules) from Redis: undefined when the
 * version is no longer stored or a part is missing (`onTorn` then), or
 * when Redis cannot be reached (never a rejection: the caller goes
 * upstream). Throws a RangeError when the range does not fit.
 */
export function openStored(
  parts: RedisStoreParts,
  meta: EntryMeta,
  how: { range?: ByteRange; onTorn: () => void },
): Promise<BodyReader | undefined> {
  const { range, onTorn } = how;
  const current = { field: metaField(meta.vary), file: meta.bodyFile };
  const place = placeOf(meta.key);
  const open = parts.scripts.open;
  if (meta.partial) {
    const segments = piecePlan(meta, range).map((s) => ({
      ...s,
      size: fileSize(meta, s.file) ?? 0,
    }));
    const total = range!.end - range!.start + 1;
    return openSegments(parts.client, open, place, segments, {
      total,
      onTorn,
      current,
    }).catch(absent);
  }
  const { start, count } = resolveRange(meta.bodySize, range);
  const segment = {
    file: meta.bodyFile,
    offset: start,
    count,
    size: meta.bodySize,
  };
  return openSegments(parts.client, open, place, [segment], {
    total: count,
    onTorn,
    current,
  }).catch(absent);
}

/** Redis out of reach (or failing) while opening: the body is absent, the entry stays. */
function absent(): undefined {
  return undefined;
}

/** How a body is opened. */
export interface OpenHow {
  /** Its length in bytes (the reader's `length`). */
  total: number;
  /** Called when a part is found missing (the entry is torn). */
  onTorn: () => void;
  /** The version it must still be: its variant field and body file (no check when absent). */
  current?: { field: string; file: string };
}

/**
 * In one round trip (the OPEN script), checks that the version is still
 * stored and every part the segments need is there, and opens a reader
 * over them; undefined when the version was replaced or removed, or
 * (after `onTorn()`) when a part is missing. Rejects like
 * RedisClient.call() when Redis is out of reach.
 */
export async function openSegments(
  client: RedisClient,
  open: RedisScript,
  place: KeyPlace,
  segments: readonly FileSegment[],
  how: OpenHow,
): Promise<BodyReader | undefined> {
  // a size past what the store writes is never built chunk by chunk
  if (!segments.every((s) => plausibleSize(s.size))) return torn(how.onTorn);
  const inline = [
    ...new Set(
      segments.filter((s) => chunkCount(s.size) === 0).map((s) => s.file),
    ),
  ];
  const chunks = [
    ...new Set(
      segments.flatMap((s) =>
        chunksOf(s).map((c) => chunkKey(place, s.file, c.index))
      ),
    ),
  ];
  const reply = await open.runBytes([place.hash], [
    how.current?.field ?? "",
    how.current?.file ?? "",
    inline.length,
    ...inline.map(bodyField),
    ...chunks,
  ]) as [number, number, ...(Uint8Array | null)[]];
  const [current, found, ...values] = reply;
  if (current !== 1) return undefined; // replaced or removed meanwhile
  const held = new Map<string, Uint8Array>();
  for (const [i, file] of inline.entries()) {
    const bytes = values[i];
    if (!bytes) return torn(how.onTorn);
    held.set(file, bytes);
  }
  if (found !== chunks.length) return torn(how.onTorn);
  return segmentsReader(client, place, segments, { ...how, held });
}

function torn(onTorn: () => void): undefined {
  onTorn();
  return undefined;
}

/** One chunk's part a segment needs: chunk index, first byte within it, byte count. */
interface ChunkPart {
  index: number;
  from: number;
  count: number;
}

function chunksOf(segment: FileSegment): ChunkPart[] {
  if (chunkCount(segment.size) === 0 || segment.count === 0) return [];
  const parts: ChunkPart[] = [];
  const end = segment.offset + segment.count; // exclusive
  for (let at = segment.offset; at < end;) {
    const index = Math.floor(at / CHUNK_BYTES);
    const chunkEnd = Math.min(end, (index + 1) * CHUNK_BYTES);
    parts.push({ index, from: at - index * CHUNK_BYTES, count: chunkEnd - at });
    at = chunkEnd;
  }
  return parts;
}

function segmentsReader(
  client: RedisClient,
  place: KeyPlace,
  segments: readonly FileSegment[],
  how: { total: number; onTorn: () => void; held: Map<string, Uint8Array> },
): BodyReader {
  const steps = segments.flatMap((segment) => {
    const bytes = how.held.get(segment.file);
    if (bytes) {
      const { offset, count } = segment;
      if (count === 0) return [];
      return [() => Promise.resolve(bytes.subarray(offset, offset + count))];
    }
    return chunksOf(segment).map((part) => () =>
      readChunk(client, chunkKey(place, segment.file, part.index), part)
    );
  });
  let next = 0;
  let done = false;
  return {
    length: how.total,
    async read() {
      if (done) return null;
      const step = steps[next++];
      if (!step) {
        done = true;
        return null;
      }
      try {
        return await step();
      } catch (error) {
        done = true;
        if (error instanceof TornError) how.onTorn();
        throw error;
      }
    },
    trailers: () => undefined,
    cancel() {
      done = true;
      return Promise.resolve();
    },
  };
}

class TornError extends Error {}

async function readChunk(
  client: RedisClient,
  key: string,
  part: ChunkPart,
): Promise<Uint8Array> {
  const bytes = await client.callBytes(
    "GETRANGE",
    key,
    part.from,
    part.from + part.count - 1,
  ) as Uint8Array;
  if (bytes.length !== part.count) {
    throw new TornError(
      `Cannot read cached body: ${key} has ${bytes.length} of ${part.count} bytes (evicted or expired)`,
    );
  }
  return bytes;
}
