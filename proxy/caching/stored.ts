/**
 * Owns answering a request from a stored entry: the stored fields with
 * Age (RFC 9111 §5.1), Via and Cache-Status; the client's own
 * If-None-Match / If-Modified-Since evaluated against the entry (304
 * without going upstream, RFC 9111 §4.3.2); a single byte Range answered
 * with 206 or 416 (RFC 9110 §14); the body from the memory tier in one
 * piece or streamed from the store.
 *
 * Must not decide whether the entry may be used (cache/policy.ts does).
 */

import {
  evaluatePreconditions,
  ifRangeAllows,
  type Validators,
} from "../../http/conditional.ts";
import { parseHttpDate } from "../../http/dates.ts";
import type { FieldList } from "../../http/headers.ts";
import {
  contentRange,
  parseRange,
  unsatisfiedRange,
} from "../../http/range.ts";
import type { IncomingRequest, OutgoingResponse } from "../../http/types.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import {
  cacheStatus,
  type CacheStatusParams,
  servedHeaders,
} from "../../cache/policy.ts";
import type { CacheFlow } from "../context.ts";
import { type CacheResult, logResult } from "../report.ts";
import type { Store } from "../../cache/store.ts";
import { appendVia } from "../messages.ts";

/** Fields a 304 carries (RFC 9110 §15.4.5), besides what this proxy adds. */
const NOT_MODIFIED_FIELDS = new Set([
  "cache-control",
  "content-location",
  "date",
  "etag",
  "expires",
  "vary",
  "last-modified",
  "age",
]);

/** A stored entry about to be served. */
interface StoredAnswer {
  store: Store;
  entry: EntryMeta;
  /** Its current age in seconds (RFC 9111 §4.2.3). */
  age: number;
  /** The Cache-Status field value (RFC 9211). */
  cacheStatus: string;
  /** This proxy's name in Via. */
  viaName: string;
}

/**
 * The response for `req` from a stored entry, or undefined when its body
 * is gone from the store (the caller then treats the request as a miss).
 */
async function storedResponse(
  req: IncomingRequest,
  answer: StoredAnswer,
): Promise<OutgoingResponse | undefined> {
  const { store, entry } = answer;
  const headers = storedHead(answer);
  const method = req.head.method;
  if (entry.status === 200 && clientAsks304(req, headers)) {
    headers.deleteWhere((name) =>
      !NOT_MODIFIED_FIELDS.has(name) && name !== "via" &&
      name !== "cache-status"
    );
    return { status: 304, headers, body: null }; // RFC 9111 §4.3.2
  }
  if (method === "HEAD") {
    return { status: entry.status, reason: entry.reason, headers, body: null };
  }
  const range = rangeOf(req, { entry, headers });
  if (range?.kind === "unsatisfiable") {
    headers.set("Content-Range", unsatisfiedRange(entry.bodySize)); // RFC 9110 §15.5.17
    headers.delete("content-length");
    return { status: 416, headers, body: new Uint8Array(0) };
  }
  if (range?.kind === "single") {
    const body = await store.openBody(entry, {
      start: range.start,
      end: range.end,
    });
    if (!body) return undefined;
    headers.set(
      "Content-Range",
      contentRange(range.start, range.end, entry.bodySize),
    ); // RFC 9110 §14.4
    return { status: 206, headers, body };
  }
  const body = store.memoryBody(entry) ?? await store.openBody(entry);
  if (!body) return undefined;
  return { status: entry.status, reason: entry.reason, headers, body };
}

/** The header fields a stored entry is served with (RFC 9111 §4, §5.1). */
export function storedHead(
  answer: {
    entry: EntryMeta;
    age: number;
    cacheStatus: string;
    viaName: string;
  },
): FieldList {
  const headers = servedHeaders(answer.entry, answer.age); // RFC 9111 §5.1: Age
  appendVia(headers, { version: "HTTP/1.1", viaName: answer.viaName }); // RFC 9110 §7.6.3: this hop served it
  headers.set("Cache-Status", answer.cacheStatus); // RFC 9211
  return headers;
}

/** The client's own If-None-Match / If-Modified-Since hold for this entry (RFC 9110 §13.2.2). */
function clientAsks304(req: IncomingRequest, headers: FieldList): boolean {
  const fields = req.head.headers;
  if (!fields.has("if-none-match") && !fields.has("if-modified-since")) {
    return false; // the common case: no dates to parse
  }
  return evaluatePreconditions(
    req.head.method,
    fields,
    validatorsOf(headers),
  ) === "304";
}

/** The Range the client asked for, when it applies to this entry (RFC 9110 §14.2). */
function rangeOf(
  req: IncomingRequest,
  of: { entry: EntryMeta; headers: FieldList },
) {
  const { entry, headers } = of;
  const value = req.head.headers.get("range");
  if (value === undefined || entry.status !== 200) return undefined;
  if (!ifRangeAllows(req.head.headers, validatorsOf(headers))) return undefined; // RFC 9110 §13.1.5
  const range = parseRange(value, entry.bodySize);
  return range.kind === "none" ? undefined : range;
}

function validatorsOf(headers: FieldList): Validators {
  const lastModified = headers.first("last-modified");
  const date = headers.first("date");
  return {
    etag: headers.first("etag"),
    lastModified: lastModified === undefined
      ? undefined
      : parseHttpDate(lastModified),
    date: date === undefined ? undefined : parseHttpDate(date),
  };
}

/** How a stored entry is served and reported. */
export interface Serving {
  entry: EntryMeta;
  /** Its current age in seconds (RFC 9111 §4.2.3). */
  age: number;
  status: CacheStatusParams;
  result: CacheResult;
  /** Time to the upstream's response head (ms), when the entry was validated. */
  upstreamMs?: number;
}

/**
 * Serves a stored entry for a request of the cache flow: the response,
 * the entry marked as used, the result counted and logged. Undefined when
 * the entry's body has vanished from the store (the caller fetches).
 */
export async function serveStored(
  flow: CacheFlow,
  serving: Serving,
): Promise<OutgoingResponse | undefined> {
  const { ctx, cache } = flow;
  const { entry, result } = serving;
  const res = await storedResponse(flow.req, {
    store: cache.store,
    entry,
    age: serving.age,
    cacheStatus: cacheStatus(serving.status),
    viaName: ctx.viaName,
  });
  if (!res) {
    ctx.stats.count("cache.vanished");
    return undefined;
  }
  cache.store.touch(entry);
  if (result === "HIT") ctx.stats.count("cache.hits");
  if (result === "STALE") ctx.stats.count("cache.stale_served");
  logResult(res, serving);
  return res;
}
