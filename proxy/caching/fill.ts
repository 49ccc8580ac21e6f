/**
 * Owns putting an upstream response into the cache: asking the policy
 * whether it may be stored, building its metadata (times computed once,
 * here), and teeing its body into the store as it streams to the client;
 * and invalidating stored responses after unsafe requests (RFC 9111 §4.4).
 *
 * Must not decide storability itself (cache/policy.ts does) nor serve hits.
 */

import { formatHttpDate } from "../../http/dates.ts";
import { type FieldList, stripHopByHop } from "../../http/headers.ts";
import type {
  BodyReader,
  IncomingRequest,
  ResponseHead,
} from "../../http/types.ts";
import { type EntryMeta, META_VERSION } from "../../cache/meta.ts";
import {
  type CacheStatusParams,
  entryTimes,
  freshen,
  headResponseMatches,
  invalidationTargets,
  storability,
  varyOf,
} from "../../cache/policy.ts";
import type { EntryDraft } from "../../cache/store.ts";
import type { CacheState } from "./state.ts";
import type { UpstreamResponse } from "../upstream/exchange.ts";
import type { ProxyContext } from "../context.ts";
import { readAhead, type StoreOutcome, StoringBody } from "./storing_body.ts";

/**
 * Bodies up to this size are filled for the requests collapsed onto them:
 * they fit in the socket buffers, so a slow client does not slow the fill.
 */
const COLLAPSE_MAX_BYTES = 1024 * 1024;

/** What a fill needs to know besides the response. */
export interface FillContext {
  key: string;
  /** The request fields as sent upstream: the Vary values are taken from them (RFC 9111 §4.1). */
  sent: FieldList;
  requestTime: number;
  responseTime: number;
  /** The stored entry this response answers a revalidation of, if any. */
  replaces?: EntryMeta;
  /** Ends the fill others may be waiting for (request collapsing). */
  release?: () => void;
}

/**
 * Bodies of a known length up to this size are read whole before the
 * response head goes out, so Cache-Status can say whether they were
 * stored; the writer sends such a body with its head in one write anyway.
 */
const READ_AHEAD_MAX_BYTES = 64 * 1024;

/**
 * The body to relay and what Cache-Status says about storing it: `stored`
 * only for an entry already committed; a larger body streams while it is
 * stored (`detail=storing`) and `whenSettled` tells what became of it.
 */
export interface FillResult {
  body: BodyReader | Uint8Array;
  status: CacheStatusParams;
  /**
   * Calls `listener` once the fill ended (at once when it already has):
   * "stored", or why it was not. Absent when no fill began.
   */
  whenSettled?: (listener: (outcome: StoreOutcome) => void) => void;
}

/** Stores the response when the policy allows, else passes it through. */
export async function storeOrPass(
  ctx: ProxyContext,
  cache: CacheState,
  req: IncomingRequest,
  up: UpstreamResponse,
  fill: FillContext,
): Promise<FillResult> {
  const head = up.head;
  const verdict = storability(
    req.head.method,
    req.head.headers,
    head.status,
    head.headers,
    cache.options,
  );
  if (!verdict.storable) {
    if (fill.replaces && head.status < 300) {
      await cache.store.remove(fill.replaces); // the stored one is outdated and this one cannot replace it
    }
    fill.release?.();
    ctx.stats.count("cache.not_stored");
    return { body: up.body, status: { hit: false, detail: verdict.detail } };
  }
  const writer = cache.store.begin(draftOf(head, fill));
  let outcome: StoreOutcome | undefined;
  let listener: ((outcome: StoreOutcome) => void) | undefined;
  const settle = (o: StoreOutcome) => {
    outcome = o;
    ctx.stats.count(
      o === "stored" ? "cache.stored" : `cache.store_${o.replace("-", "_")}`,
    );
    fill.release?.();
    listener?.(o);
  };
  const whenSettled = (l: (outcome: StoreOutcome) => void) => {
    if (outcome) l(outcome);
    else listener = l;
  };
  if (up.body.length === 0) {
    await up.body.read(); // completes the (empty) exchange so the connection is pooled
    if (up.trailingBytes) {
      await writer.abort(); // bytes right behind it: not trusted
      settle("untrusted");
    } else {
      settle(await writer.commit(0) ? "stored" : "failed");
    }
    return { body: up.body, status: settledStatus(outcome!), whenSettled };
  }
  const body = new StoringBody(
    up.body,
    writer,
    {
      maxBytes: cache.options.maxObjectBytes,
      trusted: () => !up.trailingBytes,
    },
    settle,
  );
  if (up.body.length !== undefined && up.body.length <= READ_AHEAD_MAX_BYTES) {
    const whole = await readAhead(body);
    return { body: whole, status: settledStatus(outcome!), whenSettled };
  }
  // A large (or unknown-length) body fills at its client's pace: requests
  // waiting for it would be held back by a slow reader, so they go now.
  if (up.body.length === undefined || up.body.length > COLLAPSE_MAX_BYTES) {
    fill.release?.();
  }
  return { body, status: { hit: false, detail: "storing" }, whenSettled };
}

/** Cache-Status once the fill ended: `stored` (RFC 9211 §2.5), or why not. */
function settledStatus(outcome: StoreOutcome): CacheStatusParams {
  return outcome === "stored"
    ? { hit: false, stored: true }
    : { hit: false, detail: `not-stored-${outcome}` };
}

/** The metadata of a response about to be stored (RFC 9111 §3, §4.2.3). */
function draftOf(head: ResponseHead, fill: FillContext): EntryDraft {
  const fields = head.headers.clone();
  stripHopByHop(fields); // RFC 9111 §3.1: hop-by-hop fields are not stored
  if (!fields.has("date")) {
    fields.append("Date", formatHttpDate(fill.responseTime)); // RFC 9110 §6.6.1
  }
  return {
    version: META_VERSION,
    key: fill.key,
    vary: varyOf(head.headers, fill.sent), // RFC 9111 §4.1: as the origin saw them
    status: head.status,
    reason: head.reason,
    headers: fields.toArray(),
    requestTime: fill.requestTime,
    responseTime: fill.responseTime,
    ...entryTimes(
      head.status,
      head.headers,
      fill.requestTime,
      fill.responseTime,
    ),
  };
}

/**
 * A 200 to a HEAD sent to revalidate a stored GET response: its fields
 * freshen the stored one when they describe it (same validators, same
 * length), else the stored one is outdated and removed (RFC 9111 §4.3.5).
 */
export async function updateFromHead(
  ctx: ProxyContext,
  cache: CacheState,
  entry: EntryMeta,
  fields: FieldList,
  requestTime: number,
  responseTime: number,
): Promise<void> {
  if (headResponseMatches(entry, fields)) {
    const updated = freshen(entry, fields, requestTime, responseTime);
    await cache.store.updateMeta(updated).catch(() =>
      ctx.stats.count("cache.update_errors")
    );
    ctx.stats.count("cache.head_freshened");
    return;
  }
  await cache.store.remove(entry);
  ctx.stats.count("cache.head_invalidated");
}

/**
 * After an unsafe request with a non-error response, removes the stored
 * responses of its target and of same-origin Location / Content-Location
 * (RFC 9111 §4.4).
 */
export async function invalidateAfter(
  ctx: ProxyContext,
  cache: CacheState,
  req: IncomingRequest,
  key: string,
  head: ResponseHead,
): Promise<void> {
  for (
    const targetKey of invalidationTargets(
      req.head.method,
      key,
      head.status,
      head.headers,
    )
  ) {
    if (cache.store.variants(targetKey).length === 0) continue;
    await cache.store.remove(targetKey);
    ctx.stats.count("cache.invalidations");
  }
}
