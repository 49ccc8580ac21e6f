/**
 * Owns reading an entry hash as HGETALL returns it (field, value, ...):
 * the variants' metadata (strictly checked, cache/meta.ts), the fields
 * found corrupt (to remove), the entries whose inline body is missing or
 * of another size (torn: a miss, to remove), and the inline bodies.
 *
 * Must not talk to Redis: the store acts on the answer.
 */

import { type EntryMeta, parseMeta } from "../cache/meta.ts";
import {
  chunkCount,
  fileSize,
  MAX_PIECES,
  metaField,
  plausibleSize,
} from "./layout.ts";

/** What one entry hash holds. */
export interface HashContents {
  /** The variants whose parts are all there (as far as the hash tells). */
  metas: EntryMeta[];
  /** Metadata fields that do not parse, name another key or variant, or claim sizes past STORED_MAX_BYTES. */
  corrupt: string[];
  /** Variants whose inline body is missing or of another size. */
  torn: EntryMeta[];
  /** Inline bodies by body file name. */
  bodies: Map<string, Uint8Array>;
}

const text = new TextDecoder();

/** Reads the HGETALL reply of the hash of primary key `key`. */
export function readMetas(
  key: string,
  reply: readonly Uint8Array[],
): HashContents {
  const found: EntryMeta[] = [];
  const corrupt: string[] = [];
  const bodies = new Map<string, Uint8Array>();
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const field = text.decode(reply[i]!);
    const value = reply[i + 1]!;
    if (field.startsWith("b:")) bodies.set(field.slice(2), value);
    if (!field.startsWith("v:")) continue;
    const meta = parsed(value);
    if (
      meta && meta.key === key && metaField(meta.vary) === field &&
      plausible(meta)
    ) {
      found.push(meta);
    } else {
      corrupt.push(field);
    }
  }
  const metas: EntryMeta[] = [];
  const torn: EntryMeta[] = [];
  for (const meta of found) {
    (whole(meta, bodies) ? metas : torn).push(meta);
  }
  return { metas, corrupt, torn, bodies };
}

function parsed(value: Uint8Array): EntryMeta | undefined {
  try {
    return parseMeta(JSON.parse(text.decode(value)));
  } catch {
    return undefined;
  }
}

/**
 * True when the sizes `meta` claims are ones the store could have written
 * (never trusted past STORED_MAX_BYTES, nor more than MAX_PIECES pieces):
 * a reader is built per chunk a size claims.
 */
function plausible(meta: EntryMeta): boolean {
  if (!plausibleSize(meta.bodySize)) return false;
  if (!meta.partial) return true;
  const pieces = meta.partial.pieces;
  return pieces.length <= MAX_PIECES &&
    pieces.every((p) => plausibleSize(p.end - p.start + 1)) &&
    plausibleSize(pieces.reduce((n, p) => n + p.end - p.start + 1, 0));
}

/** True when every inline part the metadata names is there, of its size. */
function whole(meta: EntryMeta, bodies: Map<string, Uint8Array>): boolean {
  const files = meta.partial
    ? meta.partial.pieces.map((p) => p.file)
    : [meta.bodyFile];
  return files.every((file) => {
    const size = fileSize(meta, file) ?? -1;
    if (chunkCount(size) > 0) return true; // chunks are checked when opened
    return bodies.get(file)?.length === size;
  });
}
