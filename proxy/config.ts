/**
 * Owns the validated settings of the caching proxy, as main.ts builds
 * them from the command line.
 *
 * Must not parse flags (main.ts does) nor hold behaviour.
 */

import type { Clock } from "../http/clock.ts";
import type { EventHub } from "./events.ts";
import { ENTRY_MIN_DISK_BYTES } from "../cache/file_sidecar.ts";

/**
 * The smallest cap (bytes) a file store can keep one entry in: a 4 KiB
 * block and its directory entry (cache/file_sidecar.ts).
 */
export const MIN_CACHE_BYTES = ENTRY_MIN_DISK_BYTES;

/**
 * The targeted cache-control fields honoured by default, in order (RFC
 * 9213 §2.1): our own first, then the one every CDN reads.
 */
export const DEFAULT_TARGETED_FIELDS: readonly string[] = [
  "Cachelab-Cache-Control",
  "CDN-Cache-Control",
];

/**
 * How long (s) past its freshness a stored response may stand in when the
 * origin cannot be reached, by default: a day, after Squid's max_stale.
 */
export const DEFAULT_MAX_STALE_ON_ERROR_SECONDS = 86400;

/** Where a reverse-proxied (origin-form) request goes. */
export interface UpstreamAddress {
  host: string;
  port: number;
}

/** The file store (the default, `--store file`): one node's cache in a folder. */
export interface FileStoreConfig {
  kind: "file";
  /** Folder of the file store (created when missing). */
  dir: string;
  /** Cap on what entries take on disk (at least MIN_CACHE_BYTES); least-recently-used entries go first. */
  sizeBytes: number;
}

/**
 * A Redis store (`--store redis://...`) shared by every node pointed at
 * it; its cap is the server's own maxmemory.
 */
export interface RedisStoreConfig {
  kind: "redis";
  host: string;
  port: number;
  /** Database number, 0 to 15. */
  db: number;
  /** The longest any one Redis call may take (ms), --store-timeout. */
  timeoutMs: number;
}

/** Where the entries are kept. */
export type StoreConfig = FileStoreConfig | RedisStoreConfig;

/** Cache settings; absent when the proxy runs with --no-cache. */
export interface CacheConfig {
  store: StoreConfig;
  /** Responses larger than this are not stored. */
  maxObjectBytes: number;
  /** Cap on the in-memory tier for small hot bodies. */
  memoryBytes: number;
  /** The assignment's rule: do not store binary media types. */
  skipBinary: boolean;
  /**
   * The targeted cache-control fields (RFC 9213), in order, e.g.
   * DEFAULT_TARGETED_FIELDS; empty turns the feature off. CDN-Cache-Control
   * applies to reverse-proxied responses only (RFC 9213 §3).
   */
  targetedFields: readonly string[];
  /**
   * Store responses that set a cookie when they have explicit freshness
   * (RFC 9111 §7.3); false: never store them (the default).
   */
  storeSetCookie: boolean;
  /**
   * How long (s) past its freshness a stored response may be served when
   * the origin cannot be reached (RFC 9111 §4.2.4); 0 turns it off.
   */
  maxStaleOnErrorSeconds: number;
}

export interface ProxyConfig {
  /** Address to bind (127.0.0.1 unless --host says otherwise). */
  host: string;
  /** Port to bind; 0 picks a free one. */
  port: number;
  upstream: UpstreamAddress;
  /** Serve absolute-form (forward proxy) requests; false with --no-forward. */
  forward: boolean;
  /** Ports CONNECT may open tunnels to (default 443 plus the upstream port). */
  connectPorts: number[];
  /**
   * Time allowed to connect upstream (ms), a wait for a free connection
   * included; past it, 504.
   */
  connectTimeoutMs: number;
  /**
   * Time allowed for the final upstream response head (ms), interim 1xx
   * responses included; past it, 504.
   */
  responseTimeoutMs: number;
  /** Time allowed to receive a request head from a client (ms). */
  headTimeoutMs: number;
  /** Time a connection may sit idle, downstream or pooled upstream (ms). */
  idleTimeoutMs: number;
  /** Most downstream connections served at once (admission: http/server.ts). */
  maxConnections: number;
  /**
   * Most connections open to one upstream (host:port); more requests wait
   * for one, within connectTimeoutMs (then 504).
   */
  maxUpstreamConnections: number;
  cache?: CacheConfig;
  /**
   * Addresses of listeners beside the proxy (the admin listener's, added
   * once it is bound) that absolute-form and CONNECT requests must never
   * reach, in any spelling (loops.ts): they get 403. May grow while the
   * proxy runs.
   */
  guarded?: Deno.NetAddr[];
  /** Receives access-log lines; undefined turns logging off. */
  log?: (line: string) => void;
  /**
   * Hears each answered request and each store and eviction (the admin
   * listener's /api/events); events are built only while it has a
   * subscriber. Undefined: none.
   */
  events?: EventHub;
  /**
   * Where the cache's times come from (request and response times, ages,
   * freshness, the explanation, the Date of the proxy's own answers):
   * http/clock.ts realClock when absent; `cachelab lab` passes a movable
   * one. Timeouts, durations and the upstream pool stay on real time.
   */
  clock?: Clock;
}
