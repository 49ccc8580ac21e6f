/**
 * Owns answering a request from a stored entry: the stored fields with
 * Age (RFC 9111 §5.1), Via and Cache-Status; the client's own
 * If-None-Match / If-Modified-Since evaluated against the entry (304
 * without going upstream, RFC 9111 §4.3.2; also for an entry still being
 * stored, filled.ts); a single byte Range answered with 206 or 416 (RFC
 * 9110 §14), from a partial entry too (a range it holds, RFC 9111 §3.3);
 * the body from the memory tier in one piece or streamed from the store.
 *
 * Must not decide whether the entry may be used (cache/policy.ts does).
 */

import {
  evaluatePreconditions,
  ifRangeAllows,
} from "../../http/conditional.ts";
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
  clientValidators,
  requestedRange,
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
interface StoredAnswer extends StoredHead {
  store: Store;
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
  const notModified = notModifiedAnswer(req, answer);
  if (notModified) return notModified;
  const headers = storedHead(answer);
  const method = req.head.method;
  if (method === "HEAD") {
    return { status: entry.status, reason: entry.reason, headers, body: null };
  }
  if (entry.partial) return await storedPart(req, { store, entry, headers });
  const range = rangeOf(req, entry);
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

/** What a stored (or being stored) entry is served with. */
export interface StoredHead {
  entry: EntryMeta;
  /** Its current age in seconds (RFC 9111 §4.2.3). */
  age: number;
  /** The Cache-Status field value (RFC 9211). */
  cacheStatus: string;
  /** This proxy's name in Via. */
  viaName: string;
  /** A 304 or HEAD just validated it for this request (servedHeaders). */
  revalidated?: boolean;
}

/**
 * The 304 for `req` when its own If-None-Match / If-Modified-Since hold
 * for `answer.entry` (RFC 9111 §4.3.2, evaluated as RFC 9110 §13.2.2
 * says, for a 2xx entry only, §13.2.1): the entry's fields a 304 carries,
 * with Age, Via and Cache-Status. Undefined when the client asked nothing
 * or its conditionals do not hold.
 */
export function notModifiedAnswer(
  req: IncomingRequest,
  answer: StoredHead,
): OutgoingResponse | undefined {
  const { entry } = answer;
  // RFC 9110 §13.2.1: preconditions apply to what would be a 2xx answer.
  const successful = entry.status >= 200 && entry.status < 300;
  if (!successful || !clientAsks304(req, entry)) return undefined;
  const headers = storedHead(answer);
  headers.deleteWhere((name) =>
    !NOT_MODIFIED_FIELDS.has(name) && name !== "via" &&
    name !== "cache-status"
  );
  return { status: 304, headers, body: null }; // RFC 9111 §4.3.2
}

/**
 * The 206 for a range a partial entry holds (RFC 9111 §3.3: "MUST NOT
 * send a partial response to a client without explicitly marking it"
 * with 206), or undefined when the request's range is not held (anymore).
 */
async function storedPart(
  req: IncomingRequest,
  part: { store: Store; entry: EntryMeta; headers: FieldList },
): Promise<OutgoingResponse | undefined> {
  const { store, entry, headers } = part;
  const range = requestedRange(req.head.headers, entry);
  if (!range) return undefined;
  const body = await store.openBody(entry, range).catch(() => undefined); // a range no longer held: vanished
  if (!body) return undefined;
  headers.set(
    "Content-Range",
    contentRange(range.start, range.end, entry.partial!.length),
  ); // RFC 9110 §14.4
  return { status: 206, headers, body };
}

/**
 * The header fields a stored entry is served with (RFC 9111 §4, §5.1):
 * those a qualified no-cache names only when `revalidated` (§5.2.2.4).
 */
export function storedHead(answer: StoredHead): FieldList {
  const headers = servedHeaders(answer.entry, answer.age, {
    revalidated: answer.revalidated,
  }); // RFC 9111 §5.1: Age; §5.2.2.4
  appendVia(headers, { version: "HTTP/1.1", viaName: answer.viaName }); // RFC 9110 §7.6.3: this hop served it
  headers.set("Cache-Status", answer.cacheStatus); // RFC 9211
  return headers;
}

/**
 * The client's own If-None-Match / If-Modified-Since hold for this entry
 * (RFC 9110 §13.2.2), evaluated against its validators as RFC 9111 §4.3.2
 * says: without Last-Modified, its Date, else when it was received.
 */
function clientAsks304(req: IncomingRequest, entry: EntryMeta): boolean {
  const fields = req.head.headers;
  if (!fields.has("if-none-match") && !fields.has("if-modified-since")) {
    return false; // the common case: no dates to parse
  }
  return evaluatePreconditions(
    req.head.method,
    fields,
    clientValidators(entry), // RFC 9111 §4.3.2
  ) === "304";
}

/** The Range the client asked for, when it applies to this entry (RFC 9110 §14.2). */
function rangeOf(req: IncomingRequest, entry: EntryMeta) {
  const value = req.head.headers.get("range");
  if (value === undefined || entry.status !== 200) return undefined; // RFC 9110 §14.2: ranges of a 200's representation
  if (!ifRangeAllows(req.head.headers, clientValidators(entry))) {
    return undefined; // RFC 9110 §13.1.5
  }
  const range = parseRange(value, entry.bodySize);
  return range.kind === "none" ? undefined : range;
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
  /** A 304 or HEAD just validated it for this request (servedHeaders). */
  revalidated?: boolean;
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
    revalidated: serving.revalidated,
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
