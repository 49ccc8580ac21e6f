/**
 * Owns the contract every cache store keeps (the file store and the memory
 * store alike), checked by one contract test suite run against both.
 *
 * Must not hold RFC 9111 decisions: a store keeps and returns what it is
 * given; policy.ts decides what to store and what to serve.
 */

import type { BodyReader } from "../http/types.ts";
import type { EntryMeta } from "./meta.ts";

/** Metadata as the caller knows it before the body is written. */
export type EntryDraft = Omit<EntryMeta, "bodySize" | "bodyFile">;

/** An inclusive byte range of a stored body. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Counters a store keeps for tests and the stats view. */
export interface StoreStats {
  /** Entries (variants) stored now. */
  entries: number;
  /** Body bytes stored now. */
  bytes: number;
  /** Entries removed to stay under the size cap. */
  evictions: number;
  /** Entries found corrupt or torn and removed (never served). */
  corruptRemoved: number;
  /** Writes that failed (full disk, I/O error); the response still went to the client. */
  writeErrors: number;
  /** Bodies served from the in-memory tier. */
  memoryHits: number;
}

/**
 * Writes one response into the store. Nothing of it is visible until
 * `commit()` succeeds; a write that fails or is aborted leaves the store
 * as it was (an older entry of the same variant stays in place).
 */
export interface EntryWriter {
  /**
   * Appends body bytes. Never rejects: a failure here (full disk, I/O
   * error) is reported by `commit()` returning false and counted in
   * `stats.writeErrors`. The chunk must not be modified until the promise
   * settles.
   */
  write(chunk: Uint8Array): Promise<void>;
  /**
   * Makes the entry visible, replacing an older one of the same key and
   * variant, when exactly `bodySize` bytes were written (the caller knows
   * the length once the body completed). Returns whether it was stored:
   * false for a wrong size, a failed write, or a body larger than the
   * store's whole cap. Never rejects. Commits of one variant land in the
   * order `commit()` was called: the last one wins. Evicts least recently
   * used entries to stay under the cap.
   */
  commit(bodySize: number): Promise<boolean>;
  /** Discards what was written (the older entry stays). */
  abort(): Promise<void>;
}

/** A cache store: metadata in memory, bodies wherever the store keeps them. */
export interface Store {
  /** Every stored variant under a primary key, from memory (no I/O). */
  variants(key: string): readonly EntryMeta[];
  /**
   * The body of a stored entry as bytes when the store holds it in memory
   * (small hot bodies), else undefined. Synchronous: the fast hit path.
   * The bytes are shared with the store: read-only. Never returns the
   * bytes of another version than `meta`'s.
   */
  memoryBody(meta: EntryMeta): Uint8Array | undefined;
  /**
   * Opens the body (or a range of it) of a stored entry. Undefined when the
   * entry is gone or found torn (it is then removed). The reader yields
   * exactly the requested bytes or throws (a file found short mid-read:
   * "Cannot read cached body: ...", and the entry is removed); it keeps
   * reading the version it opened even if that is replaced meanwhile.
   * Rejects with a RangeError when the range does not fit the body.
   * Chunks that come from memory are shared with the store: read-only.
   * Chunks read from a file are valid until the next read() (one buffer
   * is reused): copy what you keep.
   */
  openBody(meta: EntryMeta, range?: ByteRange): Promise<BodyReader | undefined>;
  /**
   * Starts storing a response; the store picks the body file and records
   * the body size at commit. Throws a TypeError when the draft does not
   * fit the metadata schema (a caller bug).
   */
  begin(draft: EntryDraft): EntryWriter;
  /**
   * Replaces the metadata of a stored entry (after a 304), atomically,
   * keeping its body (bodyFile and bodySize stay the stored ones). Does
   * nothing when `meta` is no longer the stored version (replaced or
   * removed meanwhile). A failed write is counted, never thrown.
   */
  updateMeta(meta: EntryMeta): Promise<void>;
  /** Marks an entry as just used (least-recently-used order). */
  touch(meta: EntryMeta): void;
  /**
   * Removes one entry, or every variant of a key when given the key. A
   * meta that was replaced meanwhile removes nothing.
   */
  remove(target: EntryMeta | string): Promise<void>;
  readonly stats: Readonly<StoreStats>;
  /**
   * Finishes pending work and releases resources: open writers are
   * aborted, commits under way completed, open body readers closed.
   */
  close(): Promise<void>;
}
