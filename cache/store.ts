/**
 * Owns the contract every cache store keeps (the file store and the memory
 * store alike), checked by one contract test suite run against both.
 *
 * Must not hold RFC 9111 decisions: a store keeps and returns what it is
 * given; policy.ts decides what to store and what to serve.
 */

import type { BodyReader } from "../http/types.ts";
import type { EntryMeta, Representation } from "./meta.ts";
import type { Variants } from "./variants.ts";

/** Metadata as the caller knows it before the body is written. */
export type EntryDraft = Omit<EntryMeta, "bodySize" | "bodyFile">;

/**
 * Metadata of a piece of a partial entry before its bytes are written:
 * the entry as a complete one would be stored (status, fields and times
 * of the representation), and which representation it is a part of.
 */
export type PartialDraft = Omit<EntryDraft, "partial"> & {
  partial: Representation;
};

/** Where a piece of a partial entry goes (Store.beginPartial). */
export interface PieceOptions {
  /** The bytes of the representation this write holds (e.g. from a 206's Content-Range). */
  range: ByteRange;
  /**
   * The stored complete entry this piece may take the place of (one the
   * response outdated, RFC 9111 §4.3.3), if any: a piece replaces no
   * other complete entry.
   */
  replaces?: EntryMeta;
}

/** An inclusive byte range of a stored body. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Counters a store keeps for tests and the stats view. */
export interface StoreStats {
  /** Entries (variants) stored now. */
  entries: number;
  /**
   * What the stored entries cost against the store's cap now: their body
   * bytes (the memory store; a file store counting "body"), or what their
   * files take on disk (a file store's default: whole blocks, metadata
   * files included).
   */
  bytes: number;
  /** Entries removed to stay under the size cap. */
  evictions: number;
  /** Entries found corrupt or torn and removed (never served). */
  corruptRemoved: number;
  /** Writes that failed (full disk, I/O error); the response still went to every client. */
  writeErrors: number;
  /** Bodies served from the in-memory tier. */
  memoryHits: number;
}

/**
 * Hears what a store did, as it did it (the proxy's event hub): called
 * synchronously with the entry's metadata (which it must not modify), so
 * that a store builds nothing for an observer; it must not throw.
 */
export interface StoreObserver {
  /** An entry was committed (RFC 9111 §3: the response is now stored). */
  stored(meta: EntryMeta): void;
  /**
   * An entry was removed to stay under the size cap (the file store
   * reports only those whose metadata it could still read; every
   * eviction is counted in `stats.evictions`).
   */
  evicted(meta: EntryMeta): void;
}

/**
 * Writes one response into the store. Nothing of it is visible until
 * `commit()` succeeds; a write that fails, is discarded or is aborted
 * leaves the store as it was (an older entry of the same variant stays in
 * place).
 *
 * A cache failure never fails a reader: whether a follower (follow())
 * ends cleanly depends only on whether the body it reads is complete,
 * never on whether the store kept it. The caller says which: `commit()`
 * and `discard()` with the size written end every follower cleanly (the
 * body is whole, stored or not); `abort()` makes them throw (it is not).
 */
export interface EntryWriter {
  /**
   * Appends body bytes. Never rejects; resolves to whether the entry can
   * still be stored. Once a write failed (full disk, I/O error; counted
   * in `stats.writeErrors`) nothing more is stored, but followers read
   * on: the rest of the body is held in memory until every follower read
   * it. The write that failed resolves (false) at once; each later one
   * only once at most FAILED_WRITE_BACKLOG bytes (cache/limits.ts) are
   * held, so the writer then goes at the pace of its slowest follower
   * still reading, as a relay without a cache would.
   * A body larger than the store's whole cap stops storing too, and its
   * followers throw. The chunk must not be modified until the promise
   * settles.
   */
  write(chunk: Uint8Array): Promise<boolean>;
  /**
   * Makes the entry visible, replacing an older one of the same key and
   * variant, when exactly `bodySize` bytes were written (the caller knows
   * the length once the body completed). Returns whether it was stored:
   * false for a wrong size, a failed write, a failed switch (metadata
   * write error), or an entry that costs more than the store's whole cap
   * (a body larger than it; for the file store, its sidecar and body in
   * whole blocks: it would be evicted at once). Never
   * rejects. Followers end cleanly at `bodySize` bytes whenever that is
   * what was written within the cap, whether or not it was then stored;
   * otherwise (a wrong size, too large) they throw. Commits of one
   * variant land in the order `commit()` was called: the last one wins.
   * Evicts least recently used entries to stay under the cap.
   */
  commit(bodySize: number): Promise<boolean>;
  /**
   * Ends the write without storing it (the older entry stays) although
   * the body is complete at `bodySize` bytes, e.g. a response found
   * untrustworthy at its end: followers read on to exactly `bodySize`
   * bytes and end cleanly; when another number of bytes was written, or
   * the body outgrew the cap, they throw as after abort(). The bytes stay
   * readable for the followers attached until each one ends or cancels,
   * and are released then; a follower started after discard() reads them
   * while the store still holds them (in memory, or a body file an
   * earlier follower holds open), else its reads throw. Never rejects.
   */
  discard(bodySize: number): Promise<void>;
  /** Ends the write without storing it, the body being incomplete: followers throw (the older entry stays). */
  abort(): Promise<void>;
  /**
   * A reader of the body as it is being written (read-while-write, for
   * collapsed requests): it yields the bytes written so far from byte 0,
   * then waits for more (woken by write, commit, discard and abort, never
   * by a timer), and returns null only once the body is complete with
   * exactly the bytes it yielded: committed, or ended whole by commit()
   * or discard() without being stored. Its reads throw an Error "Cannot
   * read cached body: ..." when the write is aborted, exceeds the store's
   * cap, ends (commit or discard) at another size than was written, the
   * body grows past or ends at another size than `length`, the bytes it
   * needs were let go after a failed write (a follower started late), or
   * the store closes; a read waiting for bytes then throws too. Call it
   * any time: after a successful commit it reads the committed body (a
   * store that no longer holds it, replaced, removed or evicted since,
   * may throw instead); after a body ended whole but not stored, see
   * discard(); after an abort, or on a closed store, its reads throw.
   *
   * `length` is the announced body length in bytes (from Content-Length),
   * reported as the reader's `length`; when omitted it is undefined, or
   * the body's size when it is already complete.
   *
   * Any number of followers read one write, each at its own pace: while
   * the entry is being stored the writer never waits for them, and
   * memory per follower is bounded (no copy of the body). `cancel()`
   * stops only that follower (its pending read returns null); cancel a
   * follower you stop reading, or it holds resources until the store
   * closes (and, after a failed write, holds the writer back). Chunks are
   * read-only: those held in memory are shared with the writer, those
   * read from a file are views of one buffer, valid until the next
   * read() (copy what you keep).
   */
  follow(length?: number): BodyReader;
}

/** One stored variant as Store.list() gives it. */
export interface ListedEntry {
  meta: EntryMeta;
  /** Times it was served from the store (touch()) since this version was stored or the store opened. */
  hits: number;
}

/**
 * Which entries Store.list() gives. URLs are the target URI of a key
 * (cache/key.ts keyParts: a key may add " via " the server it was
 * fetched from).
 */
export interface ListOptions {
  /** Only entries of this target URI (every server it was fetched from). */
  url?: string;
  /** Only entries whose target URI starts with this. */
  prefix?: string;
  /** At most this many (all when absent). */
  limit?: number;
}

/**
 * Which entries Store.purge() removes: every variant of one target URI
 * (whichever server it was fetched from, see ListOptions), of every
 * target URI starting with a prefix, or all of them.
 */
export type PurgeTarget =
  | { url: string }
  | { prefix: string }
  | { all: true };

/** A cache store: an index in memory, metadata and bodies wherever the store keeps them. */
export interface Store {
  /**
   * Every stored variant under a primary key. Synchronous for the stores
   * in this process: the memory store answers from memory; the file store
   * from its index, reading back (synchronously, a few microseconds from
   * the page cache) the metadata files of variants whose metadata it does
   * not keep parsed, and only for keys it holds (or, while its start-up
   * sweep runs, may hold). A store over the network (Redis) answers with
   * a promise, which rejects with a StoreUnavailableError when it cannot
   * reach its backend in time. Read it with cache/variants.ts (no await
   * for a synchronous answer).
   */
  variants(key: string): Variants;
  /**
   * The body of a stored entry as bytes when the store holds it in memory
   * (small hot bodies), else undefined (always for a partial entry).
   * Synchronous: the fast hit path. The bytes are shared with the store:
   * read-only. Never returns the bytes of another version than `meta`'s.
   */
  memoryBody(meta: EntryMeta): Uint8Array | undefined;
  /**
   * Opens the body (or a range of it) of a stored entry. Undefined when the
   * entry is gone or found torn (it is then removed). The reader yields
   * exactly the requested bytes or throws (a file found short mid-read:
   * "Cannot read cached body: ...", and the entry is removed); it keeps
   * reading the version it opened even if that is replaced meanwhile.
   * Rejects with a RangeError when the range does not fit the body.
   * A partial entry's body opens only for a range within what it holds
   * (its pieces): without a range, or for a byte it does not hold, it
   * rejects with a RangeError; its reader reads the pieces it opened even
   * when the entry changes meanwhile (joined, completed, replaced).
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
   * Starts storing one piece of a partial entry (RFC 9111 §3.3): the bytes
   * `options.range` of the representation `draft.partial` names. The
   * writer is an EntryWriter like begin()'s (follow() reads this piece's
   * bytes from its first one); commit(bodySize) stores it only when
   * bodySize is the range's length. At commit, in the slot of the draft's
   * key and variant:
   * - when the slot holds a partial entry of the same representation
   *   (equal validators; complete lengths equal, or one unknown, and every
   *   piece within the known one), the piece joins it: the entry takes the
   *   draft's status, fields and times, the known complete length, and
   *   its pieces plus this one (pieces within this one go; a piece within
   *   one already held adds no bytes);
   * - else when the slot holds a complete entry other than
   *   `options.replaces`, nothing is stored (commit resolves false; the
   *   followers still end cleanly);
   * - else the piece replaces what the slot holds, as a partial entry of
   *   its own.
   * A partial entry holds at most PARTIAL_PIECES_MAX pieces (limits.ts):
   * past it, the pieces touching this one (adjacent or overlapping) are
   * merged into one new body file; when that leaves too many, nothing is
   * stored (commit resolves false). A piece of unknown complete length
   * past the slot's known length is of another representation.
   * When the pieces then hold the whole representation, the entry is
   * stored complete instead: a normal entry (no `partial`) with the
   * draft's status and fields, its body the complete length in one body
   * file. Each commit is atomic: readers see the entry before it or after
   * it, never a torn one, and a file store killed at any point reopens
   * with one or the other. The store's byte count and cap count the bytes
   * the pieces hold. Throws a TypeError when the draft does not fit the
   * schema or the range is not within the complete length (caller bugs).
   */
  beginPartial(draft: PartialDraft, options: PieceOptions): EntryWriter;
  /**
   * Replaces the metadata of a stored entry (after a 304), atomically,
   * keeping its body (bodyFile, bodySize and, for a partial entry, its
   * `partial` stay the stored ones: `meta.partial` is ignored). Does
   * nothing when `meta` is no longer the stored version (replaced or
   * removed meanwhile). A failed write is counted, never thrown. Same as
   * `rekey(meta, meta)`; rejects with a TypeError when `meta` does not
   * fit the schema.
   */
  updateMeta(meta: EntryMeta): Promise<void>;
  /**
   * Replaces the stored entry `previous` by `meta` (after a 304 or a HEAD
   * that may have changed Vary), keeping its body: the same bytes, with
   * bodySize and `partial` the stored ones (`meta.bodySize`,
   * `meta.bodyFile` and `meta.partial` are ignored). A partial entry is
   * never re-filed under another variant: that changes nothing
   * (undefined). `previous` is identified as everywhere by its key, variant
   * (`vary`) and bodyFile, which must still be the stored version: when it
   * was replaced or removed meanwhile, nothing changes.
   *
   * When `meta.vary` selects the same variant, this is updateMeta. When
   * it selects another one, the entry is re-filed: the old variant leaves
   * `variants(key)` and the new one appears, replacing (and removing the
   * body of) an entry already stored at the new variant, and the stored
   * meta may name another bodyFile than `previous`: use the one this
   * resolves to. Readers already open on the old version keep reading it.
   *
   * Atomic, also against the process dying at any point (file stores): a
   * restart finds the old entry or the new one, never a torn one, and
   * never two metadata files naming one body file (an entry that was
   * already at the new variant may be lost). Resolves to the meta now
   * stored, or undefined when nothing changed (`previous` no longer
   * current, or a failed write: counted, never thrown). Rejects with a
   * TypeError when `meta` does not fit the schema or has another key than
   * `previous` (caller bugs).
   */
  rekey(previous: EntryMeta, meta: EntryMeta): Promise<EntryMeta | undefined>;
  /**
   * Marks an entry as just used (least-recently-used order) and counts it
   * as served (a hit, see list()).
   */
  touch(meta: EntryMeta): void;
  /**
   * The stored entries (variants), most recently used first, with their
   * hits. For people and tools (the admin listener), not the request
   * path: the file store reads back the sidecars of the entries it
   * visits (a few microseconds each, from the page cache), skips the ones
   * it cannot read, and lets other work run between slices of entries;
   * while its start-up sweep runs it lists what is indexed so far. Cost:
   * every entry is visited until `limit` match. Never rejects.
   */
  list(options?: ListOptions): Promise<ListedEntry[]>;
  /** The hits of `meta` (see list()); 0 when it is no longer the stored version. No I/O. */
  hits(meta: EntryMeta): number;
  /**
   * Removes the entries `target` names and resolves to how many (variants)
   * were removed. A write under way for a key purged after it began still
   * ends for its followers (they read the whole body) but is not stored:
   * its commit resolves false. A file store waits for its start-up sweep
   * to complete before purging by prefix or all, so nothing purged comes
   * back from the disk (also by URL: a key " via " another server is
   * found by reading sidecars back). Never rejects.
   */
  purge(target: PurgeTarget): Promise<number>;
  /**
   * Removes one entry, or every variant of a key when given the key. A
   * meta that was replaced meanwhile removes nothing.
   */
  remove(target: EntryMeta | string): Promise<void>;
  readonly stats: Readonly<StoreStats>;
  /**
   * What the store's backend reports about itself, for `cachelab cache
   * stats` and the metrics (the Redis store: used_memory, maxmemory,
   * maxmemory_policy, evicted_keys, expired_keys, keys). Absent for the
   * stores in this process. Rejects like variants() when the backend
   * cannot be reached.
   */
  describe?(): Promise<Record<string, string | number>>;
  /** Hears each commit and eviction from now on; undefined: nobody. */
  observer?: StoreObserver;
  /**
   * Finishes pending work and releases resources: open writers are
   * aborted, commits under way completed, followers stopped (their
   * pending and next reads throw), and body readers that hold files
   * closed (their next read throws).
   */
  close(): Promise<void>;
}

/**
 * A store cannot reach its backend (a Redis server down, paused, or
 * slower than the store's time limit): variants() and the other methods
 * that may reject reject with it, and the caller serves as a plain proxy
 * (no lookup, no storing) for that request.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}
