/**
 * Owns the cache's decision on a 206 (Partial Content) response to a GET
 * (RFC 9111 §3.3, §3.4; RFC 9110 §14.4, §15.3.7): whether it is stored
 * as a piece of a partial entry, combining with the stored partial entry
 * of the same representation (the same strong validator) or replacing
 * what was stored, and the draft it is stored with: the fields of the
 * complete response (Content-Range and the part's Content-Length left
 * out, the complete length as Content-Length when known), updated from
 * the stored part's fields when combining (§3.4 refers to §3.2).
 *
 * Pure: times are parameters. Must not read the clock nor touch the store.
 */

import { FieldList, parseDecimal } from "../http/headers.ts";
import { parseContentRange } from "../http/range.ts";
import { draftOf } from "./draft.ts";
import type { Exchange, Prior, ResponseOutcome } from "./outcomes.ts";
import type { EntryMeta } from "./meta.ts";
import { strongValidator } from "./partial.ts";
import { sameRepresentation } from "./piece_commit.ts";
import { storedHeadFits } from "./stored_head.ts";
import { type NotStoredDetail, storability } from "./storable.ts";
import type { PartialDraft } from "./store.ts";
import { freshen } from "./validation.ts";

/**
 * What to do with a 206 to a GET: store it as a piece ("store-partial"),
 * or not ("pass"; "remove" when it answered a request made for a stored
 * response, which it outdates or which may no longer be stored).
 * `prior.revalidated` is the stored response the request carried
 * validators of (If-None-Match, or If-Range for a partial entry), if any.
 */
export function afterPartialContent(
  x: Exchange,
  prior: Prior,
): ResponseOutcome {
  const entry = prior.revalidated;
  const judged = judge(x, prior);
  if ("detail" in judged) {
    // RFC 9111 §3.2; our bound: a combine past it leaves the parts as they were.
    if (judged.detail === "head-too-large" && entry?.partial) {
      return { kind: "pass", detail: judged.detail };
    }
    if (entry) return { kind: "remove", entry, detail: judged.detail };
    return { kind: "pass", detail: judged.detail };
  }
  return { kind: "store-partial", ...judged, replaces: entry };
}

type Judged =
  | {
    draft: PartialDraft;
    range: { start: number; end: number };
    combine: boolean;
  }
  | { detail: NotStoredDetail };

function judge(x: Exchange, prior: Prior): Judged {
  const res = x.responseFields;
  const values = res.getAll("content-range");
  const part = values.length === 1 ? parseContentRange(values[0]) : undefined;
  // RFC 9110 §15.3.7: a 206 answers a Range request.
  if (!x.requestFields.has("range")) return { detail: "status" };
  // RFC 9110 §15.3.7.1: a single part has one valid Content-Range
  // (§14.4); a multipart/byteranges one is not stored.
  if (!part) return { detail: "content-range" };
  if (isMultipart(res.first("content-type"))) {
    return { detail: "content-range" };
  }
  // RFC 9110 §8.6: a Content-Length that is not the part's is not trusted.
  const count = part.end - part.start + 1;
  const length = res.first("content-length");
  if (length !== undefined && parseDecimal(length) !== count) {
    return { detail: "content-range" };
  }
  // RFC 9111 §3.4: parts are combined only under one strong validator.
  const validator = strongValidator(res, x.responseTime);
  if (validator === undefined) return { detail: "no-validator" };
  // Our rule: an unknown complete length is at least the part's end.
  if (part.length === null && part.end >= prior.options.maxObjectBytes) {
    return { detail: "too-large" };
  }
  const fields = res.clone();
  fields.delete("content-range"); // RFC 9111 §3.4: never stored as a field of the whole
  fields.delete("content-length"); // the part's length, not the representation's
  if (part.length !== null) {
    fields.set("Content-Length", String(part.length)); // RFC 9110 §14.4: complete-length
  }
  // RFC 9111 §3: every storing rule holds, for the complete response
  // (RFC 9110 §15.3.7: 206 is heuristically cacheable as 200 is); its
  // complete length is bounded by --max-object-size.
  const verdict = storability(
    "GET",
    x.requestFields,
    200,
    fields,
    prior.options,
  );
  if (!verdict.storable) return { detail: verdict.detail };
  const representation = { validator, length: part.length };
  const entry = prior.revalidated;
  // RFC 9111 §3.4; RFC 9110 §13.1.5: a part asked without If-Range (the
  // held one has a weak entity-tag) joins only with the same entity-tag.
  const combine = entry?.partial !== undefined &&
    sameRepresentation(entry.partial, representation, part) &&
    sameEntityTag(entry, res);
  const whole = { ...x, status: 200, reason: "OK", responseFields: fields };
  const base = draftOf(whole, prior.options);
  const draft: PartialDraft = combine
    ? {
      ...updatedFrom(entry!, { whole, targets: prior.options.targets }),
      vary: base.vary,
      partial: representation,
    }
    : { ...base, partial: representation };
  // RFC 9111 §3.2, §3.4; our bound (stored_head.ts): the combined head too.
  if (!storedHeadFits(new FieldList(draft.headers))) {
    return { detail: "head-too-large" };
  }
  return { draft, range: { start: part.start, end: part.end }, combine };
}

/**
 * RFC 9111 §3.4, §3.2: the stored part's fields updated with the new
 * response's (which replace those of the same name), times recomputed.
 */
function updatedFrom(
  entry: EntryMeta,
  { whole, targets }: { whole: Exchange; targets?: readonly string[] },
): Omit<EntryMeta, "bodySize" | "bodyFile" | "partial"> {
  const merged = freshen(
    entry,
    whole.responseFields,
    whole.requestTime,
    whole.responseTime,
    { targets },
  );
  const { bodySize: _size, bodyFile: _file, partial: _partial, ...rest } =
    merged;
  return rest;
}

/** Both without an ETag, or the same ETag as sent (weak or strong). */
function sameEntityTag(entry: EntryMeta, res: FieldList): boolean {
  const held = new FieldList(entry.headers).first("etag")?.trim();
  return held === res.first("etag")?.trim();
}

function isMultipart(contentType: string | undefined): boolean {
  return contentType?.trim().toLowerCase().startsWith("multipart/") ?? false;
}
