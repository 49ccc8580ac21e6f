/**
 * Owns what the cache does with a request before anything is looked up
 * or sent upstream: whether it passes through untouched (passReason), and
 * which validators go upstream with it in place of the client's own
 * (validatorsSent): the cache's when it revalidates a stored response or
 * asks which stored variant will do, none when it fetches a response to
 * store and then answers the client's conditionals itself, or the
 * client's as they came.
 *
 * Pure. Must not read the clock, touch the store, files or sockets.
 */

import type { FieldList } from "../http/headers.ts";
import { requestDirectives } from "./cache_control.ts";

/** Why a request passes through the cache (RFC 9211 §2.2 fwd). */
export type PassReason = "method" | "request" | "bypass";

/** Preconditions only the origin can evaluate (RFC 9111 §4.3.2). */
const ORIGIN_PRECONDITIONS = ["if-match", "if-unmodified-since"];

/** The client's validators a cache can evaluate (RFC 9111 §4.3.2). */
const CLIENT_VALIDATORS = ["if-none-match", "if-modified-since"];

/**
 * Why the cache passes a request through (nothing of it is looked up or
 * stored; an unsafe method's success still invalidates, RFC 9111 §4.4),
 * or undefined when the cache handles it. `keyed`: the request has a
 * primary cache key (a target URI, RFC 9111 §2).
 */
export function passReason(
  request: { method: string; fields: FieldList; keyed: boolean },
): PassReason | undefined {
  const { method, fields } = request;
  // RFC 9111 §4: only GET responses are reused (they answer GET and HEAD).
  if (method !== "GET" && method !== "HEAD") return "method";
  if (!request.keyed) return "bypass"; // RFC 9111 §2: no target URI, no key
  // RFC 9111 §4.3.2: If-Match and If-Unmodified-Since are not applicable
  // to a cache: the origin evaluates them.
  if (ORIGIN_PRECONDITIONS.some((name) => fields.has(name))) return "request";
  return undefined;
}

/**
 * The validators a request that goes upstream carries in place of the
 * client's own If-None-Match and If-Modified-Since (empty: none at all;
 * a field they name, such as Range and If-Range, replaces the client's
 * too), or undefined when the client's go upstream as they came.
 * `decision` is decide()'s miss, revalidate or fill-range: `conditional`
 * holds the cache's own fields (a revalidation's validators, a vary-miss
 * listing stored entity-tags, the missing part of a partial entry under
 * If-Range).
 */
export function validatorsSent(
  decision: {
    kind: "miss" | "revalidate" | "fill-range";
    conditional?: readonly [string, string][];
  },
  request: { method: string; fields: FieldList },
): readonly [string, string][] | undefined {
  // RFC 9111 §4.3.1, §3.4: the cache's own, for the stored responses it has.
  if (decision.kind !== "miss" || decision.conditional) {
    return decision.conditional ?? [];
  }
  const { fields } = request;
  if (!CLIENT_VALIDATORS.some((name) => fields.has(name))) return undefined; // nothing to replace
  if (request.method !== "GET") return undefined; // a HEAD stores nothing to evaluate them against
  if (fields.has("range")) return undefined; // RFC 9110 §14.2: partial content is the origin's
  // RFC 9111 §5.2.1.5: nothing will be stored to evaluate them against.
  if (requestDirectives(fields).has("no-store")) return undefined;
  // RFC 9111 §3.5: stored only when the response says so: the origin evaluates them.
  if (fields.has("authorization")) return undefined;
  // RFC 9111 §4.3.2: the cache fetches the whole response, stores it, and
  // evaluates the client's conditionals against what it stored.
  return [];
}
