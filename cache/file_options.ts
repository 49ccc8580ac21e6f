/**
 * Owns the file store's options: their shape, their defaults and their
 * checks (FileStore.open throws for bad ones before touching the disk).
 *
 * Must not touch files nor hold state.
 */

import type { Accounting } from "./file_sidecar.ts";
import { randomWriteId } from "./file_layout.ts";
import { INLINE_BODY_MAX_BYTES, MEMORY_TIER_DEFAULT_OBJECT } from "./limits.ts";
import { checkSize } from "./store_checks.ts";

/** Options of the file store. */
export interface FileStoreOptions {
  /** The most body bytes kept on disk; least recently used entries go first. */
  sizeBytes: number;
  /** The most bytes the memory tier of small hot bodies holds (0 turns it off). */
  memoryBytes: number;
  /** The largest body the memory tier keeps (default 64 KiB). */
  memoryMaxObject?: number;
  /** Makes the unique part of file names (default: 64 random bits); tests predict names with it. */
  newWriteId?: () => string;
  /**
   * What entries cost against `sizeBytes`: "disk" (the default) counts
   * what their files take (sidecar and bodies rounded up to 4 KiB blocks,
   * plus their directory entries), "body" their body bytes only.
   */
  accounting?: Accounting;
  /**
   * The largest body stored inside its sidecar (default
   * INLINE_BODY_MAX_BYTES, at most that; -1: none, every body in its own
   * file, the layout before inline bodies).
   */
  inlineMaxBytes?: number;
}

/** The options with their defaults filled in (inlineMaxBytes capped at INLINE_BODY_MAX_BYTES). */
export type ResolvedOptions = Required<FileStoreOptions>;

/** Checks `options` and fills in the defaults; throws a TypeError/RangeError (store_checks.ts) for a bad size. */
export function resolveOptions(options: FileStoreOptions): ResolvedOptions {
  checkSize("sizeBytes", options.sizeBytes);
  checkSize("memoryBytes", options.memoryBytes);
  checkSize("memoryMaxObject", options.memoryMaxObject ?? 0);
  return {
    sizeBytes: options.sizeBytes,
    memoryBytes: options.memoryBytes,
    memoryMaxObject: options.memoryMaxObject ?? MEMORY_TIER_DEFAULT_OBJECT,
    newWriteId: options.newWriteId ?? randomWriteId,
    accounting: options.accounting ?? "disk",
    inlineMaxBytes: Math.min(
      options.inlineMaxBytes ?? INLINE_BODY_MAX_BYTES,
      INLINE_BODY_MAX_BYTES,
    ),
  };
}
