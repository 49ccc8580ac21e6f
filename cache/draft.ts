/**
 * Owns the metadata of an upstream response about to be stored (the
 * EntryDraft a store writer begins with): the fields kept, the secondary
 * key and the absolute times, computed once, here (RFC 9111 §3, §4.1,
 * §4.2.3).
 *
 * Pure: times are the exchange's. Must not judge whether the response may
 * be stored (storable.ts does) nor touch the store.
 */

import { formatHttpDate } from "../http/dates.ts";
import { stripHopByHop } from "../http/headers.ts";
import { entryTimes, type PolicyOptions } from "./freshness.ts";
import { META_VERSION } from "./meta.ts";
import type { Exchange } from "./outcomes.ts";
import { withholdPrivate } from "./qualified.ts";
import type { EntryDraft } from "./store.ts";
import { varyOf } from "./vary.ts";

/**
 * The metadata of a response about to be stored (RFC 9111 §3, §4.2.3):
 * hop-by-hop fields removed (§3.1), the fields a qualified private names
 * removed unless the cache judges by them (§5.2.2.7, qualified.ts
 * withholdPrivate; the times are computed from the whole response), a Date supplied when missing (RFC 9110 §6.6.1), the
 * Vary values of the request as sent upstream (§4.1), and the absolute
 * times computed once, here, with the policy of `opts.targets` (RFC 9213
 * §2.1; `policyField` records a targeted field that decided).
 */
export function draftOf(x: Exchange, opts: PolicyOptions = {}): EntryDraft {
  const fields = x.responseFields.clone();
  stripHopByHop(fields); // RFC 9111 §3.1
  withholdPrivate(fields, opts.targets); // RFC 9111 §5.2.2.7
  if (!fields.has("date")) {
    fields.append("Date", formatHttpDate(x.responseTime)); // RFC 9110 §6.6.1
  }
  return {
    version: META_VERSION,
    key: x.key,
    vary: varyOf(x.responseFields, x.requestFields), // RFC 9111 §4.1
    status: x.status,
    reason: x.reason,
    headers: fields.toArray(),
    requestTime: x.requestTime,
    responseTime: x.responseTime,
    // The whole response's fields: what is withheld changes no decision.
    ...entryTimes(
      x.status,
      x.responseFields,
      x.requestTime,
      x.responseTime,
      opts,
    ),
  };
}
