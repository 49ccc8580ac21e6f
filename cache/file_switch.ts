/**
 * Owns the file store's switches, in the slot's turn, once a committed
 * write's bytes are in their own (still unreferenced) body file. A
 * complete body: the variant's metadata file is switched to it, then the
 * index, the memory tier, and the files of the version it replaced go.
 * A piece of a partial entry: what it does to the slot is
 * piece_commit.ts's answer; when the pieces make the whole body, it is assembled into a
 * new body file (`<variant>-<writeId>.body.tmp`, renamed when complete),
 * unless one piece holds it all already; pieces merged past
 * PARTIAL_PIECES_MAX are copied into their new file the same way first.
 * Then the variant's sidecar
 * is switched (the one atomic step), the index follows, and the files
 * the slot no longer names are deleted. A process killed at any point
 * leaves the old metadata naming the old pieces, or the new one naming
 * what it needs; what nothing names is litter the start-up sweep removes.
 *
 * Must not take locks nor read the clock: the writer runs this in the
 * slot's turn.
 */

import { closeQuietly } from "../http/close.ts";
import { READ_CHUNK } from "./limits.ts";
import {
  bodyName,
  entryBase,
  isInline,
  onDisk,
  removeQuietly,
  sidecarBytes,
  TEMP_SUFFIX,
  writeMetaFile,
  writeSidecarFile,
} from "./file_layout.ts";
import { costOf } from "./file_sidecar.ts";
import { variantId } from "./key.ts";
import { sidecarOf, type UpdateHost } from "./file_update.ts";
import type { EntryMeta } from "./meta.ts";
import { filesOf, pieceCommit, type Whole } from "./piece_commit.ts";
import type { Segment } from "./pieces.ts";
import type { PartialDraft, PieceOptions } from "./store.ts";

/** What a switch needs from its store (the same as an update). */
export type SwitchHost = UpdateHost;

/**
 * The switch of a committed write: metadata file, index, memory tier
 * (`bytes`, when it keeps them), then the replaced version's files.
 * With `inline`, the body is written inside the sidecar, in the same
 * temp file and rename (`meta` names an inline body). Resolves to false
 * (the body file removed) when the metadata could not be written
 * (counted), or when the entry would cost more than the store's whole
 * cap (its sidecar and body in whole blocks, with "disk" accounting):
 * eviction would take it at once, so it is not stored and the variant
 * keeps the version it had.
 */
export async function switchIn(
  host: SwitchHost,
  { meta, bytes, inline }: {
    meta: EntryMeta;
    bytes: Uint8Array | undefined;
    inline?: Uint8Array;
  },
): Promise<boolean> {
  const base = entryBase(host.root, meta.key);
  const replaced = host.index.current(meta);
  const file = sidecarBytes(meta, inline);
  const cost = costOf(meta, {
    sidecarBytes: file.length,
    accounting: host.cap.accounting,
  });
  if (cost > host.cap.sizeBytes) {
    if (!isInline(meta.bodyFile)) await removeQuietly(base + meta.bodyFile);
    return false; // evicted at once otherwise: never "stored"
  }
  let written: number;
  try {
    written = writeSidecarFile(base, sidecarOf(host, meta), file);
  } catch {
    host.writeFailed();
    if (!isInline(meta.bodyFile)) await removeQuietly(base + meta.bodyFile);
    return false;
  }
  host.index.set(meta, written);
  if (bytes) host.tier.put(meta, bytes);
  if (replaced && replaced.bodyFile !== meta.bodyFile) {
    host.tier.drop(replaced);
    for (const file of onDisk(filesOf(replaced))) {
      await removeQuietly(base + file);
    }
  }
  return true;
}

/** One piece whose bytes are in `body.bodyFile` (in the entry's folder). */
export interface PieceBody {
  draft: PartialDraft;
  options: PieceOptions;
  body: { bodySize: number; bodyFile: string };
}

/**
 * Store.beginPartial's commit: resolves to whether the piece was stored.
 * Failed writes are counted, never thrown; the piece's file is removed
 * when nothing names it.
 */
export async function switchPiece(
  host: SwitchHost,
  { draft, options, body }: PieceBody,
): Promise<boolean> {
  const base = entryBase(host.root, draft.key);
  const { start, end } = options.range;
  const current = host.index.current(draft);
  const change = body.bodySize === end - start + 1
    ? pieceCommit(current, {
      draft,
      piece: { start, end, file: body.bodyFile },
      replaces: options.replaces,
      spare: bodyName(variantId(draft.vary), host.newWriteId()),
    })
    : undefined;
  const merged = change?.kind === "stored" && change.merge
    ? await copyPlan(host, { base, ...change.merge })
    : true;
  if (!change || change.kind === "refused" || !merged) {
    await removeQuietly(base + body.bodyFile);
    return false;
  }
  let meta = change.meta;
  let unused = change.unused;
  const whole = change.whole &&
    await assemble(host, { base, whole: change.whole });
  if (whole) {
    meta = whole;
    unused = change.whole!.unused;
  }
  let sidecarBytes: number;
  try {
    sidecarBytes = writeMetaFile(base, sidecarOf(host, meta), meta);
  } catch {
    host.writeFailed();
    const named = new Set(filesOf(current));
    const made = [
      body.bodyFile,
      ...(whole ? [whole.bodyFile] : []),
      ...(change.merge ? [change.merge.file] : []),
    ];
    for (const file of made) {
      if (!named.has(file)) await removeQuietly(base + file);
    }
    return false;
  }
  host.index.set(meta, sidecarBytes);
  if (current) host.tier.drop(current);
  for (const file of unused) await removeQuietly(base + file);
  return true;
}

/**
 * The complete entry with its body in one file: the piece that holds it
 * all, or a new file the pieces are copied into. Undefined when the copy
 * failed (counted; the pieces are then stored as a partial entry).
 */
async function assemble(
  host: SwitchHost,
  { base, whole }: { base: string; whole: Whole },
): Promise<EntryMeta | undefined> {
  if (whole.reuse) return { ...whole.meta, bodyFile: whole.reuse };
  const file = bodyName(variantId(whole.meta.vary), host.newWriteId());
  const copied = await copyPlan(host, { base, file, plan: whole.plan });
  return copied ? { ...whole.meta, bodyFile: file } : undefined;
}

/**
 * Copies the bytes `plan` names into the new body file `file` (through a
 * temp file, renamed when complete): true when it is there; false when
 * the copy failed (counted, the temp file removed).
 */
async function copyPlan(
  host: SwitchHost,
  { base, file, plan }: { base: string; file: string; plan: Segment[] },
): Promise<boolean> {
  const temp = base + file + TEMP_SUFFIX;
  host.live.add(temp);
  try {
    const out = await Deno.open(temp, {
      write: true,
      create: true,
      truncate: true,
    });
    try {
      for (const segment of plan) {
        await copySegment(base + segment.file, out, segment);
      }
    } finally {
      closeQuietly(out);
    }
    await Deno.rename(temp, base + file);
    return true;
  } catch {
    host.writeFailed();
    await removeQuietly(temp);
    return false;
  } finally {
    host.live.delete(temp);
  }
}

/** Appends `count` bytes of the file at `path`, from `offset`, to `out`; throws when it ends early. */
async function copySegment(
  path: string,
  out: Deno.FsFile,
  { offset, count }: { offset: number; count: number },
): Promise<void> {
  if (!(await Deno.lstat(path)).isFile) {
    throw new Error(`Cannot assemble body: ${path} is not a regular file`); // never open a FIFO or follow a link
  }
  const source = await Deno.open(path, { read: true });
  try {
    await source.seek(offset, Deno.SeekMode.Start);
    const buffer = new Uint8Array(Math.min(READ_CHUNK, count));
    for (let left = count; left > 0;) {
      const got = await source.read(
        buffer.subarray(0, Math.min(left, buffer.length)),
      );
      if (got === null) {
        throw new Error(`Cannot assemble body: ${path} is short`);
      }
      let at = 0;
      while (at < got) at += await out.write(buffer.subarray(at, got));
      left -= got;
    }
  } finally {
    closeQuietly(source);
  }
}
