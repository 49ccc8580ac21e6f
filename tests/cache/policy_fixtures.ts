/**
 * Fixtures for the policy table tests: a fixed clock origin, field lists
 * from literals, and stored entries built the way the handler builds them
 * (varyOf + entryTimes at store time).
 */

import { type Field, FieldList } from "../../http/headers.ts";
import { formatHttpDate } from "../../http/dates.ts";
import { type EntryMeta, META_VERSION } from "../../cache/meta.ts";
import { entryTimes, varyOf } from "../../cache/policy.ts";

/** A fixed "now" for every test: 2024-01-01T12:00:00Z. */
export const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);

/** T0 plus this many seconds, in ms. */
export function at(seconds: number): number {
  return T0 + seconds * 1000;
}

/** The HTTP-date of T0 plus this many seconds. */
export function dateAt(seconds: number): string {
  return formatHttpDate(at(seconds));
}

export function fields(...list: Field[]): FieldList {
  return new FieldList(list);
}

export interface StoredOptions {
  status?: number;
  headers: Field[];
  request?: Field[];
  /** Seconds after T0 the request went upstream (default 0). */
  requestAt?: number;
  /** Seconds after T0 the response arrived (default requestAt). */
  responseAt?: number;
  /** The targeted fields that decide its policy (RFC 9213 §2.1). */
  targets?: readonly string[];
}

/** A stored entry as the handler would persist it. */
export function stored(o: StoredOptions): EntryMeta {
  const status = o.status ?? 200;
  const resHeaders = new FieldList(o.headers);
  const requestTime = at(o.requestAt ?? 0);
  const responseTime = at(o.responseAt ?? o.requestAt ?? 0);
  const times = entryTimes(status, resHeaders, requestTime, responseTime, {
    targets: o.targets,
  });
  return {
    version: META_VERSION,
    key: "http://origin.test/x",
    vary: varyOf(resHeaders, new FieldList(o.request ?? [])),
    status,
    reason: "OK",
    headers: o.headers,
    requestTime,
    responseTime,
    ...times,
    bodySize: 0,
    bodyFile: "b.body",
  };
}
