/**
 * Owns reading Structured Field Dictionaries (RFC 9651 §3.2, §4.2) for the
 * cache. This is the one module that wraps the npm "structured-headers"
 * package, so it can be swapped without touching anything else.
 *
 * Tolerant: a field value that does not parse is undefined, never an
 * exception. Must not know what the members mean (targeted.ts does).
 */

import { parseDictionary, Token } from "structured-headers";

/**
 * A Dictionary member's value with its Structured Field type (RFC 9651
 * §3.3). Parameters are dropped; Byte Sequences, Dates and Display Strings
 * are "other"; an Inner List is "inner-list".
 */
export type SfValue =
  | { type: "integer"; value: number }
  | { type: "decimal"; value: number }
  | { type: "string"; value: string }
  | { type: "token"; value: string }
  | { type: "boolean"; value: boolean }
  | { type: "inner-list" }
  | { type: "other" };

/**
 * Parses the field lines of one Dictionary field (RFC 9651 §4.2: lines
 * combined with commas; empty lines are skipped). Returns the members in order, keys lowercase as
 * the syntax requires (a duplicate key keeps its last value, §3.2), or
 * undefined when the combined value does not parse as a Dictionary. An
 * absent or empty field gives an empty map.
 */
export function parseSfDictionary(
  lines: readonly string[],
): Map<string, SfValue> | undefined {
  // Empty lines are empty list elements, which recipients ignore (RFC 9110 §5.6.1).
  const text = lines.map((line) => line.trim()).filter((line) => line !== "")
    .join(", ");
  if (text === "") return new Map();
  let parsed: ReturnType<typeof parseDictionary>;
  try {
    parsed = parseDictionary(text);
  } catch {
    return undefined; // RFC 9651 §4.2: a parse failure fails the whole field
  }
  const decimals = decimalKeys(text);
  const out = new Map<string, SfValue>();
  for (const [key, member] of parsed) {
    const bare = member[0];
    if (Array.isArray(bare)) out.set(key, { type: "inner-list" });
    else out.set(key, typed(bare, decimals.has(key)));
  }
  return out;
}

function typed(bare: unknown, decimal: boolean): SfValue {
  if (typeof bare === "number") {
    return decimal
      ? { type: "decimal", value: bare }
      : { type: "integer", value: bare };
  }
  if (typeof bare === "boolean") return { type: "boolean", value: bare };
  if (typeof bare === "string") return { type: "string", value: bare };
  if (bare instanceof Token) return { type: "token", value: bare.toString() };
  return { type: "other" };
}

/**
 * The keys whose (last) value is a Decimal. The package returns Integers
 * and Decimals both as numbers, so `max-age=10.0` would read as 10: this
 * looks at the text, already known to be a valid Dictionary, where a
 * Decimal is the only bare item with a "." right after digits (RFC 9651
 * §3.3.2). Members are split at commas outside sf-strings.
 */
function decimalKeys(text: string): Set<string> {
  const found = new Set<string>();
  for (const member of splitOutsideStrings(text)) {
    const eq = member.indexOf("=");
    if (eq === -1) continue;
    const key = member.slice(0, eq).trim();
    const value = member.slice(eq + 1).split(";", 1)[0]!.trim();
    if (/^-?[0-9]+\.[0-9]*$/.test(value)) found.add(key);
    else found.delete(key);
  }
  return found;
}

function splitOutsideStrings(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === "\\") i++; // RFC 9651 §3.3.3: an escaped character
    else if (c === '"') quoted = !quoted;
    else if (c === "," && !quoted) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}
