/**
 * Owns the shapes of the cache's decision once the upstream answered:
 * the exchange as the policy sees it, what the cache knew before the
 * request went out, and the named outcomes (store, replace, freshen,
 * select, store-partial, pass, remove, serve-stale, invalidate, refetch)
 * that after_response.ts, after_unsafe.ts, after_selection.ts and
 * partial_response.ts return.
 *
 * Must not hold behaviour: types only.
 */

import type { FieldList } from "../http/headers.ts";
import type { EntryMeta } from "./meta.ts";
import type { NotStoredDetail, StoreOptions } from "./storable.ts";
import type { ByteRange, EntryDraft, PartialDraft } from "./store.ts";

/** One upstream exchange as the cache sees it once the response head arrived. */
export interface Exchange {
  /** The primary cache key of the target URI that was forwarded (RFC 9111 §2). */
  key: string;
  /** The request method. */
  method: string;
  /**
   * The request fields as they were sent upstream (hop-by-hop fields
   * removed): Vary, Cache-Control and Authorization are read from them.
   */
  requestFields: FieldList;
  status: number;
  /** The reason phrase as received. */
  reason: string;
  /** The response fields as received (hop-by-hop fields still in). */
  responseFields: FieldList;
  /** When the request went upstream (ms since epoch). */
  requestTime: number;
  /** When the response head arrived (ms since epoch). */
  responseTime: number;
  /**
   * Bytes arrived right behind the response, as known when its head
   * arrived: final for a response without a body (HEAD, 304), which then
   * may be the answer to another request and updates no stored response
   * (the only responses the policy asks it of). For a response with a
   * body it is known only once the body ended: the storing side checks
   * it then.
   */
  trailingBytes?: boolean;
}

/** What the cache knew before the request went upstream. */
export interface Prior {
  /**
   * The stored response whose validators the request carried (or that a
   * HEAD or a plain fetch was sent to refresh), if any.
   */
  revalidated?: EntryMeta;
  /**
   * The stored variants whose entity-tags the request listed in its
   * If-None-Match because none of them matched its Vary values (decide()'s
   * vary-miss with `conditional`, RFC 9111 §4.3.1): a 304 selects among
   * them (RFC 9111 §4.3.4). Absent for any other request.
   */
  selectable?: readonly EntryMeta[];
  /**
   * Every response stored for the key when the response arrived (the
   * variants, complete and partial), for a revalidation: a 304 updates
   * each one it identifies (RFC 9111 §4.3.4). Absent: only `revalidated`.
   */
  stored?: readonly EntryMeta[];
  /**
   * How storing is configured for this request; `options.targets` is the
   * target list of this route (RFC 9213 §2.1) and decides the policy of
   * every response judged here, `options.storeSetCookie` the Set-Cookie
   * rule (RFC 9111 §7.3).
   */
  options: StoreOptions;
}

/**
 * The stored responses of the key other than the revalidated one that a
 * 304 identified (RFC 9111 §4.3.4: a strong validator identifies all that
 * carry it), each judged by the storing rules again (RFC 9111 §3).
 */
export interface OtherUpdates {
  /**
   * Each with the 304's fields merged (`entry`), to be written in place
   * of `previous` (same variant); none that this request forbids storing
   * (RFC 9111 §5.2.1.5, §3.5).
   */
  updates: { previous: EntryMeta; entry: EntryMeta }[];
  /**
   * Those that must go: the update made them unstorable, or changed their
   * Vary names (their own request's values are unknown, RFC 9111 §4.1).
   */
  removals: EntryMeta[];
}

/** What to do with an upstream response. */
export type ResponseOutcome =
  /** A new response that may be stored: store it while relaying it (RFC 9111 §3). */
  | { kind: "store"; draft: EntryDraft }
  /**
   * A full response to a revalidation that may be stored: it replaces the
   * stored one (RFC 9111 §4.3.3).
   */
  | { kind: "replace"; draft: EntryDraft; replaced: EntryMeta }
  /**
   * A 304 (answer from `entry`) or a 200 to a HEAD (relay the upstream's
   * answer) that identifies the stored response: `entry` is the stored
   * response with its fields updated (RFC 9111 §4.3.4, §4.3.5). `persist`
   * is false when the request forbade storing (RFC 9111 §5.2.1.5, §3.5):
   * the update then answers this request only and the stored response
   * stays as it was. `rekeyed` when the updated Vary differs from the
   * stored one: the entry is filed under the request that led to the 304.
   * `others`: the other stored responses the 304 identified (RFC 9111
   * §4.3.4; none for a HEAD, §4.3.5).
   */
  | {
    kind: "freshen";
    entry: EntryMeta;
    previous: EntryMeta;
    answer: "stored" | "upstream";
    persist: boolean;
    rekeyed: boolean;
    others: OtherUpdates;
    /**
     * "head-too-large": the update would take the stored head past the
     * bound (stored_head.ts): it is not stored, `entry` is the stored
     * response as it was (its body was just validated) and `persist` is
     * false.
     */
    detail?: "head-too-large";
  }
  /**
   * A 304 to a request that listed the entity-tags of stored variants
   * none of which matched it (RFC 9111 §4.3.1): the 304 selected one of
   * them for this request (RFC 9111 §4.3.4). Answer from `serve`: the
   * selected response updated by the 304, its body the stored one (same
   * key, variant and body file). `updates`: each stored response the 304
   * identified, with its update (a strong validator identifies all that
   * carry it, a weak one or Last-Modified the most recent). `variant`:
   * `serve` filed under this request's Vary values, to be stored with the
   * selected response's body; absent when it may not be stored (then
   * `detail` says why). `removals`: identified responses that must go
   * (the update made them unstorable, or changed their Vary names).
   */
  | {
    kind: "select";
    serve: EntryMeta;
    updates: { previous: EntryMeta; entry: EntryMeta }[];
    variant?: EntryDraft;
    removals: EntryMeta[];
    detail?: NotStoredDetail;
  }
  /**
   * A 206 that may be stored as a piece of a partial entry (RFC 9111
   * §3.3): the bytes `range` of the representation `draft.partial` names,
   * stored with Store.beginPartial() while relayed. `combine` when it is
   * a part of the partial entry the request was sent to complete (the
   * same strong validator, RFC 9111 §3.4: it joins it); else it replaces
   * what is stored (`replaces`: the stored response the request carried
   * validators of, if any).
   */
  | {
    kind: "store-partial";
    draft: PartialDraft;
    range: ByteRange;
    combine: boolean;
    replaces?: EntryMeta;
  }
  /** Relay the response without storing it; `detail` says why (RFC 9211 §2.8). */
  | { kind: "pass"; detail: NotStoredDetail }
  /**
   * The stored response must go: outdated by this response, or no longer
   * storable once updated. Answer from `serve` (the updated response a 304
   * validated) when given, else relay the upstream's response. `others`:
   * the other stored responses that 304 identified (RFC 9111 §4.3.4).
   */
  | {
    kind: "remove";
    entry: EntryMeta;
    serve?: EntryMeta;
    detail: NotStoredDetail | "outdated";
    others?: OtherUpdates;
  }
  /** Serve the stored response stale instead of this server error (RFC 5861 §4). */
  | { kind: "serve-stale"; entry: EntryMeta; detail: "stale-if-error" }
  /**
   * An unsafe method succeeded: remove the stored responses of these
   * primary keys (RFC 9111 §4.4), then relay. With `store`, a POST
   * response that is a cacheable representation of its target (RFC 9110
   * §9.3.3): stored after the removal, under `keys[0]`, as the response
   * to a GET of the target URI, while it is relayed.
   */
  | { kind: "invalidate"; keys: string[]; store?: EntryDraft }
  /**
   * A 304 whose validator matches no stored response must not update
   * anything: send the request again without conditions (RFC 9111 §4.3.4).
   */
  | { kind: "refetch" };
