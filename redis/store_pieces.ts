/**
 * Owns committing one piece of a partial entry into Redis: what the slot
 * becomes is cache/piece_commit.ts's answer on the slot's current
 * metadata; pieces to merge or a whole body to assemble are read back and
 * written under new body file names first; then one compare-and-set
 * COMMIT switches the metadata in only when the slot still holds the
 * version the answer was computed on (else it computes again, a few
 * times).
 *
 * Must not decide what the slot becomes (piece_commit.ts does).
 */

import { concatBytes } from "../http/bytes.ts";
import { type EntryMeta, parseMeta } from "../cache/meta.ts";
import { filesOf, pieceCommit } from "../cache/piece_commit.ts";
import type { Segment } from "../cache/pieces.ts";
import type { PartialDraft, PieceOptions } from "../cache/store.ts";
import { openSegments } from "./body_read.ts";
import {
  bodyField,
  CHUNK_BYTES,
  chunkCount,
  chunkKey,
  fileSize,
  type KeyPlace,
  metaField,
  newBodyFile,
  PURGE_EPOCH,
} from "./layout.ts";
import { commitDeadline, recordStored } from "./store_changes.ts";
import type { RedisStoreParts } from "./store_parts.ts";

/** Attempts of a piece's compare-and-set commit before it gives up. */
const ATTEMPTS = 3;

/** One piece's commit. */
export interface PieceWork {
  place: KeyPlace;
  draft: PartialDraft;
  options: PieceOptions;
  /** The piece's body file, its size, and its bytes when inline (not yet in Redis). */
  piece: { file: string; size: number; inline: Uint8Array | undefined };
  /** The key's purge generation when the write began. */
  generation: string;
  /** The bound on a call, in ms (COMMIT's deadline). */
  timeoutMs: number;
}

/** Commits the piece (Store.beginPartial); resolves to whether it was stored. Rejects when Redis fails. */
export async function commitPiece(
  parts: RedisStoreParts,
  work: PieceWork,
): Promise<boolean> {
  const { place, draft, options, piece } = work;
  const { start, end } = options.range;
  if (piece.size !== end - start + 1) return false;
  const field = metaField(draft.vary);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const raw = await parts.client.call("HGET", place.hash, field);
    const current = typeof raw === "string" ? parsedMeta(raw) : undefined;
    const change = pieceCommit(current, {
      draft,
      piece: { start, end, file: piece.file },
      replaces: options.replaces,
      spare: newBodyFile(draft.vary),
    });
    if (change.kind === "refused") return false;
    const sizes = new Map<string, number>([[piece.file, piece.size]]);
    for (const file of filesOf(current)) {
      sizes.set(file, fileSize(current!, file) ?? 0);
    }
    const local = new Map<string, Uint8Array>();
    if (piece.inline) local.set(piece.file, piece.inline);
    const written: string[] = [];
    const build = async (file: string, plan: Segment[]) => {
      const bytes = await assemble(parts, place, plan, { sizes, local });
      if (!bytes) return false;
      await writeFile(parts, place, file, bytes);
      written.push(file);
      sizes.set(file, bytes.length);
      local.set(file, bytes);
      return true;
    };
    let meta = change.meta;
    let unused = change.unused;
    if (change.merge && !await build(change.merge.file, change.merge.plan)) {
      return false; // a part vanished meanwhile
    }
    if (change.whole) {
      let bodyFile = change.whole.reuse;
      if (!bodyFile) {
        bodyFile = newBodyFile(draft.vary);
        if (!await build(bodyFile, change.whole.plan)) return false;
      }
      meta = { ...change.whole.meta, bodyFile };
      unused = change.whole.unused;
    }
    const named = new Set(filesOf(meta));
    const inline = piece.inline && named.has(piece.file)
      ? piece.inline
      : undefined;
    const gone = [...new Set([...unused, piece.file])]
      .map((file) => `${file}\t${sizes.get(file) ?? 0}`).join("\n");
    const reply = await parts.scripts.commit.run([place.hash, PURGE_EPOCH], [
      place.chunks,
      draft.key,
      field,
      JSON.stringify(meta),
      work.generation,
      current?.bodyFile ?? "",
      inline ? bodyField(piece.file) : "",
      inline ?? "",
      gone,
      commitDeadline(work.timeoutMs),
    ]) as [number, string, number];
    if (reply[0] === 1) {
      recordStored(parts, meta, reply[1], reply[2]);
      return true;
    }
    await forget(parts, place, written.map((f) => [f, sizes.get(f) ?? 0]));
    if (reply[0] === 0 || reply[0] === -2) return false; // purged since, or late
  }
  return false;
}

/** The bytes `plan` names, in order; undefined when a part is gone. */
async function assemble(
  parts: RedisStoreParts,
  place: KeyPlace,
  plan: readonly Segment[],
  known: { sizes: Map<string, number>; local: Map<string, Uint8Array> },
): Promise<Uint8Array | undefined> {
  const out: Uint8Array[] = [];
  for (const segment of plan) {
    const held = known.local.get(segment.file);
    if (held) {
      out.push(held.subarray(segment.offset, segment.offset + segment.count));
      continue;
    }
    const size = known.sizes.get(segment.file) ?? 0;
    const reader = await openSegments(
      parts.client,
      parts.scripts.open,
      place,
      [{ ...segment, size }],
      { total: segment.count, onTorn: () => {} },
    );
    if (!reader) return undefined;
    for (let chunk = await reader.read(); chunk; chunk = await reader.read()) {
      out.push(chunk);
    }
  }
  return concatBytes(out);
}

/** Writes a new body file, invisible until a metadata names it (chunks expire in an hour until then). */
async function writeFile(
  parts: RedisStoreParts,
  place: KeyPlace,
  file: string,
  bytes: Uint8Array,
): Promise<void> {
  const count = chunkCount(bytes.length);
  if (count === 0) {
    await parts.client.call("HSET", place.hash, bodyField(file), bytes);
    return;
  }
  for (let i = 0; i < count; i++) {
    const chunk = bytes.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES);
    await parts.client.call(
      "SET",
      chunkKey(place, file, i),
      chunk,
      "PX",
      3_600_000,
    );
  }
}

/** Deletes body files no metadata names (after a failed compare-and-set). */
async function forget(
  parts: RedisStoreParts,
  place: KeyPlace,
  files: [string, number][],
): Promise<void> {
  for (const [file, size] of files) {
    const count = chunkCount(size);
    if (count === 0) {
      await parts.client.call("HDEL", place.hash, bodyField(file));
    } else {
      const keys = Array.from(
        { length: count },
        (_, i) => chunkKey(place, file, i),
      );
      await parts.client.call("DEL", ...keys);
    }
  }
}

function parsedMeta(raw: string): EntryMeta | undefined {
  try {
    return parseMeta(JSON.parse(raw));
  } catch {
    return undefined;
  }
}
