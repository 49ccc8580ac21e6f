/**
 * Owns the bound on stored heads (RFC 9111 §3.2): whether the header
 * fields of a response the cache is about to store, or of a stored one
 * updated by a 304, a HEAD or a new piece (§4.3.4, §4.3.5, §3.4), fit
 * within what the proxy accepts from an upstream (limits.ts
 * STORED_HEAD_MAX_BYTES, STORED_HEAD_MAX_FIELDS). Merging 304s that each
 * bring new fields would otherwise grow a head, and its sidecar, without
 * bound.
 *
 * Pure: reads fields only. Must not decide what happens to a head that
 * does not fit (storable.ts, after_not_modified.ts, after_selection.ts,
 * partial_response.ts do).
 */

import type { FieldList } from "../http/headers.ts";
import { STORED_HEAD_MAX_BYTES, STORED_HEAD_MAX_FIELDS } from "./limits.ts";

/**
 * True when `fields` serialised as field lines (`name: value\r\n`, values
 * as the binary strings they are) take at most STORED_HEAD_MAX_BYTES and
 * number at most STORED_HEAD_MAX_FIELDS.
 */
export function storedHeadFits(fields: FieldList): boolean {
  if (fields.size > STORED_HEAD_MAX_FIELDS) return false;
  let bytes = 0;
  for (const [name, value] of fields) {
    bytes += name.length + value.length + 4; // ": " and CRLF
    if (bytes > STORED_HEAD_MAX_BYTES) return false;
  }
  return true;
}
