/**
 * Owns the Redis store: the Store contract over Redis (layout.ts says
 * where each part lives), shared by every cachelab node on one Redis.
 * Lookups are one HGETALL of the key's hash (metadata and inline bodies:
 * a hit on a small body is one round trip; the bodies go to this node's
 * memory tier, which memoryBody() answers from). Commits are one Lua
 * script each (scripts.ts), in the order commit() was called per slot on
 * this node. Redis's own maxmemory (allkeys-lru) caps the size: this
 * store evicts nothing itself. Counters (stats) are this node's: entries
 * and bytes count what this store added and removed since it opened
 * (another node's writes, Redis's evictions and expiries are not seen:
 * describe() tells what Redis holds), never below 0 (store_parts.ts
 * NodeCounts: clamped). This class wires the parts and
 * answers what is cheap; the work is in store_read.ts (lookups),
 * store_begin.ts, store_writer.ts and store_fill.ts (writes and their
 * followers), store_changes.ts and store_pieces.ts (commits, rekey,
 * removal), store_admin.ts (list, purge, describe), body_read.ts (bodies).
 *
 * Must not hold RFC 9111 decisions, nor read the clock for them.
 */

import type { BodyReader } from "../http/types.ts";
import { bytesReader, resolveRange } from "../cache/body_reader.ts";
import type { Follower } from "../cache/follower.ts";
import type { EntryMeta } from "../cache/meta.ts";
import { MemoryTier, type MemoryTierOptions } from "../cache/memory_tier.ts";
import { PurgeLog } from "../cache/purge_log.ts";
import { checkDraft, checkPiece, checkRekey } from "../cache/store_checks.ts";
import type {
  ByteRange,
  EntryDraft,
  EntryWriter,
  ListedEntry,
  ListOptions,
  PartialDraft,
  PieceOptions,
  PurgeTarget,
  Store,
  StoreObserver,
  StoreStats,
} from "../cache/store.ts";
import { parseRedisAddress, type RedisAddress } from "./address.ts";
import { RedisClient } from "./client.ts";
import { openStored } from "./body_read.ts";
import { metaField } from "./layout.ts";
import { LocalUse } from "./local_use.ts";
import { COMMIT, METAS, OPEN, PURGED, REKEY, REMOVE } from "./scripts.ts";
import { describeRedis, listEntries, purgeEntries } from "./store_admin.ts";
import { SlotTurns } from "./slot_turns.ts";
import { commitEntry, rekeyEntry, removeEntries } from "./store_changes.ts";
import { commitPiece } from "./store_pieces.ts";
import {
  type Counts,
  NodeCounts,
  type RedisStoreParts,
} from "./store_parts.ts";
import type { RedisWriters } from "./store_writer.ts";
import { beginWrite, type WriteHost } from "./store_begin.ts";
import { readVariants, removeTorn } from "./store_read.ts";

/** The bound taken for a commit when the store is given none (ms). */
const DEFAULT_TIMEOUT_MS = 1000;

/** Options of a Redis store. */
export interface RedisStoreOptions {
  /** The bound on every Redis call, in ms (--store-timeout). */
  timeoutMs: number;
  /** This node's memory tier (--memory-cache-size); none when absent. */
  memoryTier?: MemoryTierOptions;
}

/** A Store on Redis (see the module comment). */
export class RedisStore implements Store {
  readonly client: RedisClient;
  readonly #parts: RedisStoreParts;
  readonly #ownsClient: boolean;
  /** The bound on a call (COMMIT's deadline is this far from its sending). */
  readonly #timeoutMs: number;
  readonly #counts: Counts = new NodeCounts(); // entries, bytes: never below 0
  readonly #purges = new PurgeLog();
  readonly #writers: RedisWriters;
  readonly #turns = new SlotTurns();
  readonly #begun: WriteHost;
  #closed = false;

  /**
   * Opens a store on the Redis at `address` (a redis:// URL or parsed),
   * with a client of its own that it closes at close(). Connects in the
   * background: calls made before the connection is ready reject with a
   * StoreUnavailableError.
   */
  static open(
    address: string | RedisAddress,
    options: RedisStoreOptions,
  ): RedisStore {
    const where = typeof address === "string"
      ? parseRedisAddress(address)
      : address;
    const client = new RedisClient(where, {
      timeoutMs: options.timeoutMs,
      name: "cachelab-store",
    });
    return new RedisStore(client, { ...options, ownsClient: true });
  }

  /** A store over `client` (closed with the store only when `ownsClient`). */
  constructor(
    client: RedisClient,
    options: Partial<RedisStoreOptions> & { ownsClient?: boolean } = {},
  ) {
    this.client = client;
    this.#ownsClient = options.ownsClient ?? false;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const tier = new MemoryTier(
      options.memoryTier ?? { maxBytes: 0, maxObject: 0 },
    );
    this.#parts = {
      client,
      scripts: {
        commit: client.script(COMMIT),
        rekey: client.script(REKEY),
        remove: client.script(REMOVE),
        metas: client.script(METAS),
        open: client.script(OPEN),
        purged: client.script(PURGED),
      },
      tier,
      counts: this.#counts,
      use: new LocalUse(),
    };
    this.#writers = {
      client,
      open: new Set(),
      followers: new Set<Follower>(),
      held: { bytes: 0 },
      isClosed: () => this.#closed,
      failed: () => this.#counts.writeErrors++,
    };
    this.#begun = {
      writers: this.#writers,
      turns: this.#turns,
      purges: this.#purges,
      failed: () => this.#counts.writeErrors++,
    };
  }

  /**
   * Body bytes held in memory now for the writes under way (bytes not yet
   * in Redis, chunks being sent, a failed write's backlog): at most about
   * (1 + 2 * CHUNKS_IN_FLIGHT) chunks a write, whatever the body's size.
   */
  get heldBytes(): number {
    return this.#writers.held.bytes;
  }

  get observer(): StoreObserver | undefined {
    return this.#parts.observer;
  }

  set observer(observer: StoreObserver | undefined) {
    this.#parts.observer = observer;
  }

  get stats(): Readonly<StoreStats> {
    const c = this.#counts;
    return {
      entries: c.entries,
      bytes: c.bytes,
      evictions: 0, // Redis evicts: describe().evicted_keys
      corruptRemoved: c.corruptRemoved,
      writeErrors: c.writeErrors,
      memoryHits: c.memoryHits,
    };
  }

  /** One HGETALL: the variants, their inline bodies into the memory tier. */
  variants(key: string): Promise<readonly EntryMeta[]> {
    return readVariants(this.#parts, key);
  }

  memoryBody(meta: EntryMeta): Uint8Array | undefined {
    if (meta.partial) return undefined;
    const bytes = this.#parts.tier.get(meta);
    if (bytes) this.#counts.memoryHits++;
    return bytes;
  }

  // deno-lint-ignore require-await -- async so a bad range rejects
  async openBody(
    meta: EntryMeta,
    range?: ByteRange,
  ): Promise<BodyReader | undefined> {
    const { start, count } = meta.partial
      ? { start: 0, count: 0 } // piecePlan checks a partial entry's range
      : resolveRange(meta.bodySize, range);
    const held = meta.partial ? undefined : this.#parts.tier.get(meta);
    if (held) {
      this.#counts.memoryHits++;
      return bytesReader(held.subarray(start, start + count));
    }
    return openStored(this.#parts, meta, {
      range,
      onTorn: () => void removeTorn(this.#parts, meta),
    });
  }

  begin(draft: EntryDraft): EntryWriter {
    checkDraft(draft);
    return beginWrite(this.#begun, draft, (w) =>
      commitEntry(
        this.#parts,
        w.place,
        { ...draft, bodySize: w.size, bodyFile: w.file },
        { g: w.g, inline: w.inline, timeoutMs: this.#timeoutMs },
      ));
  }

  beginPartial(draft: PartialDraft, options: PieceOptions): EntryWriter {
    checkPiece(draft, options.range);
    return beginWrite(this.#begun, draft, (w) =>
      commitPiece(this.#parts, {
        place: w.place,
        draft,
        options,
        piece: { file: w.file, size: w.size, inline: w.inline },
        generation: w.g,
        timeoutMs: this.#timeoutMs,
      }));
  }

  async updateMeta(meta: EntryMeta): Promise<void> {
    await this.rekey(meta, meta);
  }

  async rekey(
    previous: EntryMeta,
    meta: EntryMeta,
  ): Promise<EntryMeta | undefined> {
    checkRekey(previous, meta);
    const from = metaField(previous.vary);
    let variants: readonly EntryMeta[];
    try {
      variants = await this.variants(meta.key);
    } catch {
      this.#counts.writeErrors++; // a failed write is counted, never thrown
      return undefined;
    }
    const stored = variants.find((m) => metaField(m.vary) === from);
    if (!stored) return undefined;
    return await rekeyEntry(this.#parts, { previous, meta, stored });
  }

  touch(meta: EntryMeta): void {
    this.#parts.use.touch(meta);
  }

  hits(meta: EntryMeta): number {
    return this.#parts.use.hits(meta);
  }

  list(options: ListOptions = {}): Promise<ListedEntry[]> {
    return listEntries(this.#parts, options);
  }

  purge(target: PurgeTarget): Promise<number> {
    this.#purges.note(target, this.#writers.open.size > 0);
    return purgeEntries(this.#parts, target);
  }

  async remove(target: EntryMeta | string): Promise<void> {
    const key = typeof target === "string" ? target : target.key;
    const field = typeof target === "string" ? "" : metaField(target.vary);
    const file = typeof target === "string" ? "*" : target.bodyFile;
    await removeEntries(this.#parts, key, { field, file });
  }

  describe(): Promise<Record<string, string | number>> {
    return describeRedis(this.client);
  }

  /**
   * Forgets this node's in-memory copies (its memory tier) of the keys
   * `dropsKey` answers true for, or of every key when it is absent: what
   * another node announced as dropped, or everything once this node may
   * have missed announcements. No Redis call.
   */
  dropLocal(dropsKey?: (key: string) => boolean): void {
    this.#parts.tier.dropWhere(dropsKey);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const abort of [...this.#writers.open]) abort();
    for (const follower of [...this.#writers.followers]) follower.abort();
    await this.#turns.settled();
    if (this.#ownsClient) await this.client.close();
  }
}
