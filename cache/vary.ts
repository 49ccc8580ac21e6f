/**
 * Owns secondary keys (RFC 9111 §4.1): which request field values a
 * response varies on, how those values are normalised before they are
 * stored and compared, and which stored variant a request selects.
 *
 * Must not build primary keys (key.ts) nor judge freshness (policy.ts).
 */

import { type FieldList, splitList } from "../http/headers.ts";
import type { EntryMeta } from "./meta.ts";
import { factsOf } from "./entry_facts.ts";

/**
 * Request fields whose elements are `token [ weight ]` and whose tokens
 * are case-insensitive: content codings (RFC 9110 §12.5.3, §8.4.1),
 * charsets (§12.5.2, §8.3.2) and language ranges (§12.5.4, RFC 4647 §2).
 */
const WEIGHTED_TOKENS: ReadonlySet<string> = new Set([
  "accept-encoding",
  "accept-charset",
  "accept-language",
]);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ). */
const QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

/** The response's Vary field names, lowercase, de-duplicated, in order ("*" kept). */
export function varyNames(resHeaders: FieldList): string[] {
  const names: string[] = [];
  for (const element of resHeaders.list("vary")) {
    const name = element.toLowerCase();
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * The normalised value of one request field for Vary matching (RFC 9111
 * §4.1 allows normalisation that keeps semantics): field lines combined
 * with ", " (RFC 9110 §5.3), whitespace around list commas collapsed and
 * empty list elements dropped (§5.6.1), then normalizeFieldValue. The
 * order of elements is kept (it is significant for Accept-Language, and
 * servers may break ties by it in the others). null when the request
 * lacks the field.
 */
export function normalizeVaryValue(
  name: string,
  reqHeaders: FieldList,
): string | null {
  const lines = reqHeaders.getAll(name);
  if (lines.length === 0) return null;
  return normalizeFieldValue(name, lines.join(", "));
}

/**
 * One request field's combined value normalised for Vary matching. For
 * Accept-Encoding, Accept-Charset and Accept-Language: tokens lowercase,
 * no whitespace around ";" and "=", weights written canonically and an
 * explicit q=1 dropped (RFC 9110 §12.4.2: the default weight is 1). For
 * Accept: type, subtype and parameter names lowercase, parameter values
 * kept as sent (they may be case-sensitive, RFC 9110 §8.3.1) except a
 * quoted token unquoted (§5.6.6), the weight as above. Other fields: the
 * list elements only. Applying it to an already normalised value changes
 * nothing, so values stored by any earlier normalisation compare equal
 * once normalised again.
 */
export function normalizeFieldValue(name: string, value: string): string {
  const lower = name.toLowerCase();
  const elements = splitList(value);
  if (WEIGHTED_TOKENS.has(lower)) {
    return elements.map((e) => normalizeElement(e.toLowerCase())).join(", ");
  }
  if (lower === "accept") {
    return elements.map((e) => normalizeElement(e)).join(", ");
  }
  return elements.join(", ");
}

/**
 * `value *( OWS ";" OWS name "=" value )` with the first part and the
 * parameter names lowercased, parameter values kept, and the weight
 * canonical (q=1 omitted). Anything that does not read so is kept as is.
 */
function normalizeElement(element: string): string {
  const parts = splitOutsideQuotes(element, ";").map((p) => p.trim());
  const head = parts[0]!.toLowerCase();
  const params: string[] = [];
  for (const part of parts.slice(1)) {
    const eq = part.indexOf("=");
    if (eq === -1) return element;
    const key = part.slice(0, eq).trim().toLowerCase();
    const raw = part.slice(eq + 1).trim();
    if (!TOKEN.test(key)) return element;
    if (key === "q") {
      if (!QVALUE.test(raw)) return element;
      const weight = Number(raw);
      if (weight !== 1) params.push(`q=${weight}`); // RFC 9110 §12.4.2: 1 is the default
      continue;
    }
    params.push(`${key}=${canonicalValue(raw)}`);
  }
  return [head, ...params].join(";");
}

/** A quoted-string whose content is a token means the token (RFC 9110 §5.6.6). */
function canonicalValue(raw: string): string {
  if (!raw.startsWith('"') || !raw.endsWith('"') || raw.length < 2) return raw;
  const inner = raw.slice(1, -1);
  return TOKEN.test(inner) ? inner : raw;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === "\\") i++; // quoted-pair
    else if (c === '"') quoted = !quoted;
    else if (c === separator && !quoted) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/**
 * RFC 9111 §4.1: the request values to persist in meta.vary for this
 * response; `reqHeaders` are the fields of the request as it was sent
 * upstream (what the origin chose the response by).
 */
export function varyOf(
  resHeaders: FieldList,
  reqHeaders: FieldList,
): [string, string | null][] {
  return varyNames(resHeaders).map((name) => [
    name,
    name === "*" ? null : normalizeVaryValue(name, reqHeaders),
  ]);
}

const storedMemo = new WeakMap<EntryMeta, (string | null)[]>();

/**
 * An entry's stored Vary values normalised again, so that entries stored
 * under an earlier normalisation match what the request normalises to
 * now (memoised per entry object; entries are immutable).
 */
function storedValues(entry: EntryMeta): (string | null)[] {
  let values = storedMemo.get(entry);
  if (values === undefined) {
    values = entry.vary.map(([name, value]) =>
      value === null ? null : normalizeFieldValue(name, value)
    );
    storedMemo.set(entry, values);
  }
  return values;
}

/** RFC 9111 §4.1: does this stored variant's secondary key match the request? */
function varyMatches(entry: EntryMeta, reqHeaders: FieldList): boolean {
  if (entry.vary.length === 0) return true;
  const stored = storedValues(entry);
  for (let i = 0; i < entry.vary.length; i++) {
    const name = entry.vary[i]![0];
    if (name === "*") return false; // RFC 9111 §4.1: "*" always fails to match
    if (normalizeVaryValue(name, reqHeaders) !== stored[i]) return false;
  }
  return true;
}

/**
 * RFC 9111 §4.1: the stored variant matching the request's Vary fields;
 * when several match, the most recent by Date, then by response time.
 */
export function selectVariant(
  variants: readonly EntryMeta[],
  reqHeaders: FieldList,
): EntryMeta | undefined {
  let best: EntryMeta | undefined;
  let bestDate = -Infinity;
  for (const entry of variants) {
    if (!varyMatches(entry, reqHeaders)) continue;
    const date = factsOf(entry).date;
    const newer = best === undefined ||
      date > bestDate ||
      (date === bestDate && entry.responseTime > best.responseTime);
    if (!newer) continue;
    best = entry;
    bestDate = date;
  }
  return best;
}
