/**
 * Owns rewriting messages as they cross the proxy (RFC 9110 §7.6): the
 * upstream request built from the client's (hop-by-hop fields and this
 * proxy's own Cachelab-Explain removed, Via and X-Forwarded-For added, Host kept as the client sent it, set
 * from the URL (forward) or from the route when the client sent none,
 * Max-Forwards decremented) and the downstream response head built from
 * the upstream's (hop-by-hop removed, Via added, Date added when missing,
 * an Age past 2^31 sent as 2^31), and this proxy's own fields taken out
 * of every upstream response as it comes in (ownFieldsRemoved()).
 * Everything else passes unchanged, in order and original casing.
 *
 * Must not do I/O.
 */

import { formatHttpDate } from "../http/dates.ts";
import { FieldList, parseDecimal, stripHopByHop } from "../http/headers.ts";
import type { HttpVersion, RequestHead } from "../http/types.ts";
import { relayedAge } from "../cache/policy.ts";
import type { Route } from "./target.ts";

/**
 * A new name for a proxy instance in Via (RFC 9110 §7.6.3: a pseudonym
 * as received-by): `cachelab-` and 8 random hex digits. Unique, so a
 * request that already went through this proxy is recognised by its Via
 * (loops.ts) while other cachelab instances in a chain, in other
 * processes or in the same one, are not mistaken for it.
 */
export function newViaName(): string {
  return `cachelab-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * The field this proxy speaks itself (caching/explaining.ts): never taken
 * from a client's request upstream nor from an upstream's response.
 */
export const OWN_FIELD = "cachelab-explain";

/**
 * Removes this proxy's own field from an upstream response's fields as
 * they come in, as hop-by-hop fields are: an upstream's Cachelab-Explain
 * is neither relayed nor stored, so only this proxy's explanation (when
 * the client asked) ever reaches a client.
 */
export function ownFieldsRemoved(fields: FieldList): void {
  fields.delete(OWN_FIELD);
}

/** The hop a request takes through this proxy. */
export interface Hop {
  route: Extract<Route, { kind: "reverse" | "forward" }>;
  /** The client's address, for X-Forwarded-For. */
  clientAddr: string;
  /** This proxy's name in Via (newViaName()). */
  viaName: string;
}

/** The request to send upstream for a client's request. */
export function upstreamRequest(head: RequestHead, hop: Hop): RequestHead {
  const { route, clientAddr, viaName } = hop;
  let fields = head.headers.clone();
  keepHost(fields);
  stripHopByHop(fields); // RFC 9110 §7.6.1
  fields.delete(OWN_FIELD); // for this proxy only (caching/explaining.ts)
  if (!fields.has("host")) {
    // RFC 9112 §3.2: an HTTP/1.1 request has Host, first (HTTP/1.0 may lack it)
    fields = new FieldList([["Host", route.authority], ...fields.toArray()]);
  } else if (route.kind === "forward") {
    fields.set("Host", route.authority); // RFC 9112 §3.2.2: Host from the URL
  }
  appendVia(fields, { version: head.version, viaName });
  const forwardedFor = fields.get("x-forwarded-for");
  fields.set(
    "X-Forwarded-For",
    forwardedFor ? `${forwardedFor}, ${clientAddr}` : clientAddr,
  );
  decrementMaxForwards(head.method, fields);
  return {
    method: head.method,
    target: route.path,
    version: "HTTP/1.1",
    headers: fields,
  };
}

/** The client's validators, replaced by the cache's own when it revalidates. */
const CLIENT_VALIDATORS = ["if-none-match", "if-modified-since"];

/**
 * The upstream request with the client's validators replaced by
 * `conditional`, the cache's own for the entry it revalidates (RFC 9111
 * §4.3.1); a field `conditional` names (Range, If-Range for the missing
 * part of a partial entry) replaces the client's too, and a Range of the
 * cache's own drops the client's If-Range (RFC 9110 §13.1.5).
 */
export function withOwnValidators(
  head: RequestHead,
  conditional: readonly [string, string][],
): RequestHead {
  const headers = head.headers.clone();
  for (const name of CLIENT_VALIDATORS) headers.delete(name);
  for (const [name] of conditional) headers.delete(name);
  // RFC 9110 §13.1.5: the cache's own Range (a fill's missing bytes) goes
  // under the cache's own If-Range or none, never the client's.
  const ownRange = conditional.some(([name]) => name.toLowerCase() === "range");
  if (ownRange) headers.delete("if-range");
  for (const [name, value] of conditional) headers.append(name, value);
  return { ...head, headers };
}

/**
 * Prepares upstream response fields for the client: hop-by-hop removed,
 * Via appended, a Date added when the upstream sent none (RFC 9110 §6.6.1).
 */
export function downstreamFields(
  upstream: FieldList,
  hop: { version: HttpVersion; now: number; viaName: string },
): FieldList {
  const { now } = hop;
  const fields = upstream.clone();
  stripHopByHop(fields); // RFC 9110 §7.6.1
  appendVia(fields, hop);
  relayedAge(fields); // RFC 9111 §5.1: at most 2^31
  if (!fields.has("date")) fields.append("Date", formatHttpDate(now)); // RFC 9110 §6.6.1
  return fields;
}

/** Appends this hop to Via, with the protocol the message arrived in (RFC 9110 §7.6.3). */
export function appendVia(
  fields: FieldList,
  by: { version: HttpVersion; viaName: string },
): void {
  const hop = `${by.version === "HTTP/1.0" ? "1.0" : "1.1"} ${by.viaName}`;
  const via = fields.get("via");
  fields.set("Via", via ? `${via}, ${hop}` : hop);
}

/**
 * True when a TRACE or OPTIONS request has Max-Forwards 0 and must be
 * answered by the proxy itself (RFC 9110 §7.6.2).
 */
export function answersItself(head: RequestHead): boolean {
  if (head.method !== "TRACE" && head.method !== "OPTIONS") return false;
  return parseDecimal(head.headers.first("max-forwards")) === 0; // RFC 9110 §7.6.2: 1*DIGIT, "00" is 0
}

/**
 * Takes "host" out of the Connection options, so stripping hop-by-hop
 * fields keeps Host: it names the target URI's authority for every hop
 * (RFC 9112 §3.2), and the cache key is built from it.
 */
function keepHost(fields: FieldList): void {
  const options = fields.list("connection");
  if (!options.some((option) => option.toLowerCase() === "host")) return;
  const kept = options.filter((option) => option.toLowerCase() !== "host");
  fields.set("Connection", kept.join(", ")); // removed by stripHopByHop anyway
}

function decrementMaxForwards(method: string, fields: FieldList): void {
  if (method !== "TRACE" && method !== "OPTIONS") return;
  const value = parseDecimal(fields.first("max-forwards"));
  if (value === undefined) return; // not 1*DIGIT: passed on as received
  fields.set("Max-Forwards", String(Math.max(0, value - 1))); // RFC 9110 §7.6.2
}
