/**
 * Owns the admin endpoints of stored entries: `GET /api/entries` (the
 * listing, by prefix, with a limit, and the store's totals), `GET
 * /api/entry?url=URL` (every variant of one URL with its stored fields)
 * and `DELETE /api/entries` (purge by `url`, `prefix` or `all=1`). Ages
 * and freshness come from the policy's own functions (cache/entry_state.ts
 * over cache/freshness.ts) at the proxy's clock.
 *
 * Must not decide anything about caching nor change entries but by the
 * store's purge().
 */

import { entryClock } from "../cache/entry_state.ts";
import { keyParts } from "../cache/key.ts";
import type { EntryMeta } from "../cache/meta.ts";
import type { PurgeTarget, Store } from "../cache/store.ts";
import type { Peers } from "../proxy/caching/invalidations.ts";
import { emitPurge, type EventHub } from "../proxy/events.ts";
import { jsonError, jsonResponse } from "./json.ts";
import type { AdminRoutes } from "./route.ts";

/** Entries listed when `?limit=` is absent. */
export const DEFAULT_LIST_LIMIT = 1000;
/** The largest `?limit=`. */
export const MAX_LIST_LIMIT = 100_000;

/** What the entry endpoints need. */
export interface EntriesOptions {
  store: Store;
  /** The proxy's clock (ms since epoch); Date.now by default. */
  now?: () => number;
  /**
   * The explanation of a stored variant at `now`, for `/api/entry`
   * (cache/explain.ts, issue 12 part A, plugs in here); absent: variants
   * carry no `explanation` field.
   */
  explain?: (meta: EntryMeta, now: number) => unknown;
  /** The proxy's event hub: a purge emits its event there (/api/events). */
  events?: EventHub;
  /** The other nodes sharing the store: a purge is announced to them (their memory tiers). */
  peers?: Peers;
}

/** One entry as `/api/entries` lists it. */
export interface EntrySummary {
  /** The target URI (cache/key.ts). */
  url: string;
  /** The server it was fetched from when not the URI's own (a key's " via " part), else null. */
  via: string | null;
  /** The request field values that selected this variant (RFC 9111 §4.1), by lowercase name; null: absent. */
  vary: Record<string, string | null>;
  status: number;
  /** Body bytes stored (a partial entry: the bytes its pieces hold). */
  bodySize: number;
  /** When its response arrived (ISO 8601). */
  storedAt: string;
  /** RFC 9111 §4.2.3 current age, in whole seconds. */
  ageSeconds: number;
  /** Freshness left, in whole seconds (negative once stale). */
  freshSeconds: number;
  state: string;
  hits: number;
}

/** The routes of the entry endpoints. */
export function entriesRoutes(options: EntriesOptions): AdminRoutes {
  const now = options.now ?? Date.now;
  const { store } = options;
  return {
    "GET /api/entries": async (_request, url) => {
      const limit = limitOf(url.searchParams.get("limit"));
      if (typeof limit === "string") {
        return jsonError(400, `Cannot list entries: ${limit}`);
      }
      const prefix = url.searchParams.get("prefix") ?? "";
      const listed = await store.list({ prefix, limit: limit + 1 });
      const described = await store.describe?.().catch(() => undefined); // what Redis reports
      const at = now();
      return jsonResponse({
        entries: listed.slice(0, limit).map(({ meta, hits }) =>
          summary(meta, hits, at)
        ),
        more: listed.length > limit,
        total: {
          entries: store.stats.entries,
          bytes: store.stats.bytes,
          ...(described ? { store: described } : {}),
        },
      });
    },
    "GET /api/entry": async (_request, url) => {
      const key = url.searchParams.get("url");
      if (!key) return jsonError(400, "Cannot show an entry: url is missing");
      const variants = await store.list({ url: key });
      if (variants.length === 0) {
        return jsonError(404, `Cannot show ${key}: it is not stored`);
      }
      const at = now();
      return jsonResponse({
        url: key,
        variants: variants.map(({ meta, hits }) => ({
          ...summary(meta, hits, at),
          stored: storedFields(meta),
          ...(options.explain
            ? { explanation: options.explain(meta, at) }
            : {}),
        })),
      });
    },
    "DELETE /api/entries": async (_request, url) => {
      const target = purgeTargetOf(url.searchParams);
      if (typeof target === "string") {
        return jsonError(400, `Cannot purge: ${target}`);
      }
      const purged = await store.purge(target);
      options.peers?.announce(target); // every node drops its copies
      emitPurge(options.events, { target, purged });
      return jsonResponse({ purged });
    },
  };
}

function summary(meta: EntryMeta, hits: number, now: number): EntrySummary {
  const clock = entryClock(meta, now);
  const { uri, via } = keyParts(meta.key);
  return {
    url: uri,
    via: via ?? null,
    vary: Object.fromEntries(meta.vary),
    status: meta.status,
    bodySize: meta.bodySize,
    storedAt: new Date(meta.responseTime).toISOString(),
    ageSeconds: clock.ageSeconds,
    freshSeconds: clock.freshSeconds,
    state: clock.state,
    hits,
  };
}

/** The stored metadata as it is kept (times in ms since epoch; RFC 9111 §4.2.3 for the age). */
function storedFields(meta: EntryMeta): Record<string, unknown> {
  const { version: _version, ...fields } = meta;
  return fields;
}

/** `?limit=`: a whole number from 1 to MAX_LIST_LIMIT; the reason when it is not. */
function limitOf(text: string | null): number | string {
  if (text === null) return DEFAULT_LIST_LIMIT;
  const n = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= MAX_LIST_LIMIT)) {
    return `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}, not "${text}"`;
  }
  return n;
}

/** Exactly one of `url`, `prefix` (not empty) or `all=1`; the reason when not. */
function purgeTargetOf(query: URLSearchParams): PurgeTarget | string {
  const given = ["url", "prefix", "all"].filter((name) => query.has(name));
  if (given.length !== 1) {
    return "give exactly one of url=URL, prefix=P or all=1";
  }
  const value = query.get(given[0]!)!;
  if (given[0] === "all") {
    return value === "1" ? { all: true } : `all must be 1, not "${value}"`;
  }
  if (value === "") return `${given[0]} is empty`;
  return given[0] === "url" ? { url: value } : { prefix: value };
}
