/**
 * Owns request collapsing's decision: whether a request that found
 * another request filling its key (the leader) may answer from that fill,
 * and what it does otherwise. A fill is followed only while it still
 * stores, so that a reader attached now gets the whole body; its draft
 * must be what this request would use once stored (RFC 9111 §4.1, §4.2).
 * A leader that stored nothing does not scatter the requests waiting for
 * it when what kept it from storing was its own (its Range, a 304, its
 * request's directives): they elect a new leader among themselves; when
 * the response itself may not be stored, or no response came at all (a
 * failing upstream's timeouts are not to be waited out in turn), they
 * each go upstream, as they would have without collapsing (Varnish's
 * hit-for-miss).
 *
 * Pure: `now` is a parameter. Must not read the clock, touch the store,
 * files or sockets, nor wait: the proxy's collapsing does.
 */

import { FieldList } from "../http/headers.ts";
import type { EntryMeta } from "./meta.ts";
import { decide } from "./policy.ts";
import { storability, type StoreOptions } from "./storable.ts";

/** Request fields that say nothing, to judge a response on its own. */
const NO_FIELDS = new FieldList();

/** What the leader of a fill said, as a request waiting for it sees it. */
export type LeaderNews =
  /** It stores this response. */
  | ({ kind: "storing" } & FillView)
  /**
   * It ended without storing: `response` is the response head it got
   * (absent when none came: the upstream failed, or something threw).
   */
  | { kind: "ended"; response?: { status: number; fields: FieldList } }
  /** It said nothing within the wait. */
  | { kind: "late" };

/** A fill in flight as a request that would follow it sees it. */
export interface FillView {
  /** The response being stored (its draft; bodySize the announced length, or 0). */
  entry: EntryMeta;
  /**
   * True while a reader attached now would get the whole body from the
   * fill: the write goes on and will store it (no failed write, no
   * hand-off past --max-object-size, not found untrustworthy, its key not
   * forgotten since the request went upstream).
   */
  storing: boolean;
}

/** What a request does about the fill of its key. */
export type FollowChoice =
  /** Answer from the fill: its draft's fields, with this age and ttl, and its body as it grows. */
  | { kind: "follow"; age: number; ttl: number }
  /** Wait for the fill to settle, then look again: what gets stored decides. */
  | { kind: "await-stored" }
  /** Look again now: the leader stores nothing to read from; the requests still waiting elect a new one. */
  | { kind: "again" }
  /** Go upstream without collapsing: the leader gave no news in time. */
  | { kind: "alone" };

const AWAIT_STORED: FollowChoice = { kind: "await-stored" };
const AGAIN: FollowChoice = { kind: "again" };
const ALONE: FollowChoice = { kind: "alone" };

/**
 * What a GET does about the fill of its key, given the leader's news.
 * `request.forwarded` holds the request's fields as they go upstream
 * (they select the Vary variant, RFC 9111 §4.1); `request.options` are
 * its storing rules.
 */
export function followChoice(
  request: {
    method: string;
    fields: FieldList;
    forwarded: FieldList;
    now: number;
    options: StoreOptions;
  },
  news: LeaderNews,
): FollowChoice {
  if (news.kind === "late") return ALONE; // nginx's proxy_cache_lock_timeout
  if (news.kind === "ended") return afterLeaderEnded(news, request.options);
  if (!news.storing) return AGAIN; // a reader attached now would be cut off
  const seen = decide(
    request.method,
    request.fields,
    [news.entry],
    request.now,
    request.forwarded,
    { targets: request.options.targets ?? [] }, // RFC 9213 §2.1, §3
  ); // RFC 9111 §4.2, §4.1: would this request use it once stored?
  if (seen.kind !== "fresh") return AWAIT_STORED;
  // RFC 9110 §14.2: a part of the body is cut from the stored entry.
  if (request.fields.has("range")) return AWAIT_STORED;
  return { kind: "follow", age: seen.age, ttl: seen.ttl };
}

/**
 * The leader ended without storing: elect a new leader, unless no
 * response came, or the response it got may not be stored whatever the
 * request (judged on its own, as the stored response of a GET, RFC 9111
 * §3): then each request goes upstream itself.
 */
function afterLeaderEnded(
  ended: { response?: { status: number; fields: FieldList } },
  options: StoreOptions,
): FollowChoice {
  const response = ended.response;
  if (!response) return ALONE; // the upstream failed: each tries (and may serve stale) itself
  // RFC 9110 §14.2: a 206 answered the leader's Range; RFC 9111 §4.3.4: a
  // 304 answered its validators. The full response may be stored.
  if (response.status === 206 || response.status === 304) return AGAIN;
  const own = storability(
    "GET",
    NO_FIELDS,
    response.status,
    response.fields,
    options,
  ); // RFC 9111 §3: what the leader's own request had to do with it aside
  return own.storable ? AGAIN : ALONE;
}
