/**
 * Owns the cache's decision when no usable response came from upstream
 * (connect failed, the connection closed before a response, the response
 * timed out): serve the stored response stale (RFC 5861 §4, RFC 9111
 * §4.2.4) or answer with an error status.
 *
 * Pure: times are parameters; outcomes are returned, never acted on.
 * Must not read the clock, touch the store, files or sockets.
 */

import type { FieldList } from "../http/headers.ts";
import { requestDirectives } from "./cache_control.ts";
import { factsOf } from "./entry_facts.ts";
import { forbidsStale } from "./freshness.ts";
import type { EntryMeta } from "./meta.ts";
import { asksUnheld } from "./partial.ts";
import { stalenessOf, staleOnError, takesStale } from "./stale.ts";

/** How the upstream failed to give a response. */
export type FailureKind =
  /** Connecting (or the TLS/proxy handshake) failed. */
  | "connect-failed"
  /** The upstream closed the connection before a complete response head. */
  | "closed"
  /** No response head came in time. */
  | "timeout";

/** Optional inputs of afterFailure; absent keeps the behaviour before them. */
export interface FailureOptions {
  /**
   * How long (s) past its freshness a stored response may stand in when
   * the origin cannot be reached at all (RFC 9111 §4.2.4: a cache
   * "disconnected from the origin server" may serve stale). Absent or 0:
   * off, only stale-if-error and max-stale allow it. The CLI default is
   * 86400 (Squid's max_stale).
   */
  maxStaleOnErrorSeconds?: number;
  /** What failed; named in the outcome's detail (default "connect-failed"). */
  failure?: FailureKind;
}

/** What to do when no usable response came from upstream. */
export type FailureOutcome =
  /** Serve the stored response stale: the response or request allowed it (RFC 5861 §4, RFC 9111 §5.2.1.2). */
  | { kind: "serve-stale"; entry: EntryMeta; detail: "stale-if-error" }
  /**
   * Serve the stored response stale because the origin could not be
   * reached (RFC 9111 §4.2.4, within `maxStaleOnErrorSeconds`). `detail`
   * names the failure for Cache-Status (RFC 9211 §2.8), e.g.
   * `fwd=stale; detail=stale-on-timeout` (no fwd-status: no response came).
   */
  | {
    kind: "serve-stale";
    entry: EntryMeta;
    detail: `stale-on-${FailureKind}`;
    failure: FailureKind;
  }
  /** Answer with this error status. */
  | { kind: "fail"; status: number };

/** What is known when no usable response came from upstream. */
export interface Failure {
  /** The stored response the request would have used or revalidated, if any. */
  entry: EntryMeta | undefined;
  /** The request's fields as the client sent them (Cache-Control, Pragma, Range). */
  requestFields: FieldList;
  /** The status the failure maps to by itself (502 or 504). */
  failureStatus: number;
  /** When the failure was seen (ms since the epoch). */
  now: number;
  /**
   * True when afterFailure() already chose to serve `entry` stale and its
   * body turned out to be gone from the store.
   */
  staleGone?: boolean;
}

/**
 * The upstream could not be reached or gave no response. A stored
 * response stands in when staleOnError() allows it (stale-if-error,
 * max-stale); else, with `opts.maxStaleOnErrorSeconds`, when it is stale
 * by no more than that and nothing forbids it (disconnectedStaleAllowed);
 * otherwise, with a stored response the cache may not serve (or whose
 * body is gone, `staleGone`), the answer is 504 (RFC 9111 §4.2.4: a
 * cache that cannot reach the origin and may not serve stale generates
 * 504); without one, or with a partial entry that lacks bytes of the
 * range the request asks (a fill-range's failure), `failureStatus`
 * (upstream/errors.ts: 502 for a broken upstream, 504 for a timeout).
 */
export function afterFailure(
  failure: Failure,
  opts: FailureOptions = {},
): FailureOutcome {
  const { entry, requestFields, now } = failure;
  if (!entry) return { kind: "fail", status: failure.failureStatus };
  // RFC 9111 §3.3: a partial entry that lacks bytes of the range asked
  // stands in for nothing: the failure's own status, as for any forward.
  if (asksUnheld(entry, requestFields)) {
    return { kind: "fail", status: failure.failureStatus };
  }
  if (failure.staleGone) return { kind: "fail", status: 504 }; // RFC 9111 §4.2.4: nothing to serve
  if (staleOnError(entry, requestFields, now)) {
    return { kind: "serve-stale", entry, detail: "stale-if-error" }; // RFC 5861 §4
  }
  const limitSeconds = opts.maxStaleOnErrorSeconds ?? 0;
  if (disconnectedStaleAllowed(entry, { requestFields, now, limitSeconds })) {
    const kind = opts.failure ?? "connect-failed";
    return {
      kind: "serve-stale",
      entry,
      detail: `stale-on-${kind}`,
      failure: kind,
    }; // RFC 9111 §4.2.4
  }
  return { kind: "fail", status: 504 }; // RFC 9111 §4.2.4
}

/**
 * RFC 9111 §4.2.4: may a cache disconnected from the origin serve this
 * stored response stale, by at most `limitSeconds` (0: never)? Not when
 * the response forbids stale use (no-cache in either form, must-revalidate,
 * proxy-revalidate, s-maxage), nor when the request does not take it
 * (takesStale: no-cache, §5.2.1.4; max-age without max-stale, §5.2.1.1;
 * min-fresh, §5.2.1.3; staler than its max-stale, §5.2.1.2): those ask
 * for something the origin must confirm.
 */
function disconnectedStaleAllowed(
  entry: EntryMeta,
  when: { requestFields: FieldList; now: number; limitSeconds: number },
): boolean {
  const { now, limitSeconds } = when;
  if (!(limitSeconds > 0)) return false; // off
  const req = requestDirectives(when.requestFields);
  if (forbidsStale(factsOf(entry).directives)) return false; // RFC 9111 §4.2.4
  const staleness = stalenessOf(entry, now);
  if (!takesStale(req, staleness)) return false; // RFC 9111 §5.2.1
  return staleness <= limitSeconds;
}
