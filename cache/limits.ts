/**
 * Owns the byte thresholds the cache and the proxy size their buffers and
 * choices by: each named by its purpose, with why it has that size. The
 * one place to look them up: every buffer size and body-size threshold of
 * cache/ and proxy/ is here (http/ sizes its wire buffers itself, and the
 * file store's limit on a metadata file is file_scan.ts's sanity check);
 * imported by cache/ and proxy/.
 *
 * Must not hold behaviour.
 */

/**
 * Largest body kept in the in-memory tier (the tier also takes at most a
 * sixteenth of --memory-cache-size per body): a 1 MiB hit then goes out
 * in one write instead of eight file reads (1 MiB hits: 1100 -> 1240
 * req/s, p99 80 -> 41 ms).
 */
export const MEMORY_TIER_MAX_OBJECT = 1024 * 1024;

/**
 * The in-memory tier's largest body when a FileStore is opened without
 * a limit of its own (tests, scripts): small enough that a few hot
 * entries cannot crowd the tier.
 */
export const MEMORY_TIER_DEFAULT_OBJECT = 64 * 1024;

/**
 * How many variants' metadata the file store's index keeps parsed in
 * memory (the most recently looked up; the others are read back from
 * their sidecars): about 1.2 KB each, so at most about 1.2 MB however
 * many entries are stored, and a hot set of this many keys never touches
 * disk for its metadata (4096 before: the bench's 200k fill then held
 * 5 MB of them). Not bytes, but sized by the same concern.
 */
export const META_CACHE_ENTRIES = 1024;

/**
 * How many primary keys' file-name hashes the file store remembers (the
 * most recently used): a key of about 100 bytes and its 32-digit hash, so
 * about 0.5 MB at most; the same hot set as META_CACHE_ENTRIES.
 */
export const KEY_HASH_MEMO_ENTRIES = 4096;

/**
 * A body being written to the file store is held in memory up to this
 * size and written once at commit (one file operation instead of four);
 * past it, it streams to a temp file. Matches MEMORY_TIER_MAX_OBJECT, so
 * a body the tier keeps never touched a temp file.
 */
export const WRITER_BUFFER_LIMIT = 1024 * 1024;

/**
 * A held body up to this size is written to its file with a synchronous
 * call at commit, on the main thread, instead of an async operation on
 * the runtime's thread pool: for a small file the syscalls cost less than
 * the async op's dispatch, and no pool thread (each with its own malloc
 * arena) is woken per miss. Larger held bodies are written async, so one
 * call never blocks the event loop for long (64 KiB: tens of µs from the
 * page cache).
 */
export const SYNC_WRITE_MAX_BYTES = 64 * 1024;

/**
 * Bodies of a known length up to this size are stored whole before the
 * response head goes out, so Cache-Status can say `stored`; the
 * downstream writer sends such a body with its head in one write anyway
 * (http/writer.ts coalesces up to 64 KiB).
 */
export const READ_AHEAD_MAX_BYTES = 64 * 1024;

/**
 * Request bodies up to this size are kept while they are sent upstream,
 * so the request can be sent again on a fresh connection (RFC 9110
 * §9.2.2); a body announced within it is read whole before sending. The
 * size of a socket buffer: small bodies (forms, API calls) fit, uploads
 * stream.
 */
export const HELD_REQUEST_BODY = 64 * 1024;

/**
 * Once a store write failed (full disk, I/O error), the most body bytes
 * a writer holds in memory for followers that have not read them yet;
 * past it, the write waits for the slowest follower still reading. The
 * size of the writer's buffer: a failing fill holds no more than a
 * healthy one does.
 */
export const FAILED_WRITE_BACKLOG = 1024 * 1024;

/**
 * Chunk size of stored bodies read from files and sliced from memory (one
 * buffer per reader): large enough that a 1 MiB body takes eight reads,
 * small enough that many readers at once stay cheap.
 */
export const READ_CHUNK = 128 * 1024;

/**
 * Buffer of each direction of a CONNECT tunnel (proxy/tunnel.ts): one
 * socket read's worth, as a TLS record stream delivers it.
 */
export const RELAY_BUFFER = 64 * 1024;

/**
 * The most bytes the conditional fields the cache adds to an upstream
 * request may take (names, ": ", values and line ends): half of the
 * room the proxy leaves over a client's head (http/head.ts
 * PROXY_HEADROOM, 8 KiB), the other half being for Via,
 * X-Forwarded-For, Host and a framing field; so a request the proxy
 * accepted is never refused with 431 for what the cache added (RFC 9111
 * §4.3.1 validators: a field that does not fit is left out, the request
 * goes unconditional).
 */
export const SENT_VALIDATORS_MAX_BYTES = 4 * 1024;

/**
 * The most entity-tags a vary-miss lists in its If-None-Match (RFC 9111
 * §4.3.1), the most recent variants first: enough for the variants a
 * few Accept-Language or Accept-Encoding values make, and a bound on
 * what the origin compares per request however many variants a
 * `Vary: User-Agent` stores.
 */
export const VARY_MISS_TAGS_MAX = 32;

/**
 * The most pieces a partial entry holds (RFC 9111 §3.3; piece_commit.ts).
 * Each piece is a body file and a line of the metadata rewritten at every
 * commit, so disjoint one-byte ranges must not grow an entry without
 * bound. Past it, the pieces that touch the new one (adjacent or
 * overlapping) are merged into one file; when the count is still past
 * it (disjoint pieces), the new piece is refused: it is relayed, not
 * stored, and the entry keeps what it held. A piece that completes the
 * representation is always stored.
 */
export const PARTIAL_PIECES_MAX = 64;

/**
 * The largest head the cache stores (RFC 9111 §3.2: every stored head, a
 * new response, a replacement, a 304 or HEAD update, a piece combine):
 * field lines only, `name: value\r\n` each. What the proxy accepts from
 * an upstream (http/head.ts UPSTREAM_HEAD_LIMITS: 72 KiB, 116 fields)
 * less STORED_HEAD_SERVING_ROOM, so that a stored head served with the
 * fields serving adds (Age, Cache-Status, Via, Date, framing) is still
 * one the proxy, or a cachelab downstream, accepts from its upstream.
 * tests/cache/stored_head_test.ts checks them against http/head.ts.
 */
export const STORED_HEAD_MAX_BYTES = 72 * 1024 - 1024;

/** The most field lines of a stored head (see STORED_HEAD_MAX_BYTES). */
export const STORED_HEAD_MAX_FIELDS = 116 - 8;

/** The room left for what serving a stored head adds: bytes and fields. */
export const STORED_HEAD_SERVING_ROOM = { bytes: 1024, fields: 8 } as const;

/**
 * A held body up to this size is stored inside its sidecar (after the
 * JSON metadata and a newline, file_layout.ts), written with it as one
 * temp file and one rename: one file per small entry instead of two, and
 * one 4 KiB block for a 1 KiB body. Larger bodies get their own file.
 * At most SYNC_WRITE_MAX_BYTES: the sidecar is written synchronously.
 */
export const INLINE_BODY_MAX_BYTES = 64 * 1024;

/**
 * Most purges remembered for the writes under way (cache/purge_log.ts);
 * past it they count as one purge of everything: the open writes are
 * then not stored.
 */
export const PURGE_LOG_MAX = 256;
