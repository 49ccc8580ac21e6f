/**
 * Owns Cache-Control parsing (RFC 9111 §5.2) for requests and responses:
 * directive names compared case-insensitively, token or quoted-string
 * arguments, delta-seconds (§1.2.2), and the Pragma fallback (§5.4).
 *
 * Tolerant: a directive that does not parse is kept as a marker (its
 * arguments read as "invalid"); nothing here throws on peer input.
 * Must not decide anything about caching (freshness.ts, storable.ts and
 * policy.ts do).
 */

import { type FieldList, splitList } from "../http/headers.ts";

/** The largest delta-seconds we represent (RFC 9111 §1.2.2: 2^31). */
export const MAX_DELTA_SECONDS = 2147483648;

/** The parsed directives of one message's Cache-Control field lines. */
export interface Directives {
  /** Whether the directive appears at all (with or without argument). */
  has(name: string): boolean;
  /** The first occurrence's argument, unquoted; undefined when absent or argument-less. */
  value(name: string): string | undefined;
  /**
   * The argument as delta-seconds (RFC 9111 §1.2.2), capped at 2^31.
   * undefined when the directive is absent; "invalid" when it has no
   * argument, a non-digit argument, or occurs twice with different values
   * (RFC 9111 §4.2.1: such freshness information is invalid).
   */
  seconds(name: string): number | "invalid" | undefined;
  /**
   * The lowercase field names of a qualified directive such as
   * `no-cache="Set-Cookie"` or `private="X-A, X-B"` (RFC 9111 §5.2.2.4,
   * §5.2.2.7); undefined when absent, unqualified, or qualified with no
   * name. An unqualified occurrence beside a qualified one wins (the whole
   * response is concerned), so undefined then too.
   */
  fieldNames(name: string): string[] | undefined;
  /** Every directive name present, lowercase, in first-seen order. */
  names(): string[];
  /** List elements that were not `token [ "=" ( token / quoted-string ) ]`. */
  readonly malformed: readonly string[];
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const DIGITS = /^[0-9]+$/;

class ParsedDirectives implements Directives {
  readonly #args = new Map<string, (string | undefined)[]>();
  readonly malformed: string[] = [];

  add(name: string, arg: string | undefined): void {
    const list = this.#args.get(name);
    if (list) list.push(arg);
    else this.#args.set(name, [arg]);
  }

  has(name: string): boolean {
    return this.#args.has(name.toLowerCase());
  }

  value(name: string): string | undefined {
    return this.#args.get(name.toLowerCase())?.[0];
  }

  seconds(name: string): number | "invalid" | undefined {
    const args = this.#args.get(name.toLowerCase());
    if (args === undefined) return undefined;
    let result: number | undefined;
    for (const arg of args) {
      const n = parseDeltaSeconds(arg);
      if (n === undefined) return "invalid";
      if (result !== undefined && n !== result) return "invalid"; // RFC 9111 §4.2.1
      result = n;
    }
    return result;
  }

  fieldNames(name: string): string[] | undefined {
    const args = this.#args.get(name.toLowerCase());
    if (args === undefined) return undefined;
    const out: string[] = [];
    for (const arg of args) {
      if (arg === undefined) return undefined; // the unqualified form covers every field
      for (const field of splitList(arg)) out.push(field.toLowerCase());
    }
    return out.length === 0 ? undefined : out;
  }

  names(): string[] {
    return [...this.#args.keys()];
  }
}

/**
 * Parses delta-seconds (RFC 9111 §1.2.2): digits only; a value too large
 * to represent becomes 2^31. undefined when not delta-seconds.
 */
export function parseDeltaSeconds(
  text: string | undefined,
): number | undefined {
  if (text === undefined || !DIGITS.test(text)) return undefined;
  const n = Number(text);
  return n > MAX_DELTA_SECONDS ? MAX_DELTA_SECONDS : n;
}

/**
 * Parses every Cache-Control field value of one message (RFC 9111 §5.2).
 * Field lines are combined as one list; arguments may be tokens or quoted
 * strings (§5.2: recipients accept both forms).
 */
export function parseCacheControl(values: readonly string[]): Directives {
  const out = new ParsedDirectives();
  for (const value of values) {
    for (const element of splitList(value)) addElement(out, element);
  }
  return out;
}

function addElement(out: ParsedDirectives, element: string): void {
  const eq = element.indexOf("=");
  const name = (eq === -1 ? element : element.slice(0, eq)).trim();
  if (!TOKEN.test(name)) {
    out.malformed.push(element);
    return;
  }
  if (eq === -1) {
    out.add(name.toLowerCase(), undefined);
    return;
  }
  const raw = element.slice(eq + 1).trim();
  const quoted = raw.startsWith('"') ? unquote(raw) : undefined;
  const readable = quoted !== undefined || TOKEN.test(raw);
  // An argument we cannot read stays as its raw text: the directive is
  // still present, and seconds() reads it as invalid (RFC 9111 §4.2.1).
  if (!readable) out.malformed.push(element);
  out.add(name.toLowerCase(), quoted ?? raw);
}

/** Reads a quoted-string (RFC 9110 §5.6.4); undefined when unterminated or followed by junk. */
function unquote(raw: string): string | undefined {
  let out = "";
  for (let i = 1; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === "\\") {
      i++;
      if (i >= raw.length) return undefined;
      out += raw[i];
    } else if (c === '"') {
      return i === raw.length - 1 ? out : undefined;
    } else {
      out += c;
    }
  }
  return undefined;
}

/**
 * The request's directives. `Pragma: no-cache` counts as `no-cache` only
 * when the request has no Cache-Control field (RFC 9111 §5.4).
 */
export function requestDirectives(headers: FieldList): Directives {
  const hasCacheControl = headers.has("cache-control");
  const parsed = parseCacheControl(headers.getAll("cache-control"));
  if (hasCacheControl) return parsed;
  const pragmaNoCache = headers.list("pragma")
    .some((p) => p.toLowerCase() === "no-cache"); // RFC 9111 §5.4
  if (!pragmaNoCache) return parsed;
  return parseCacheControl(["no-cache"]);
}

/** The response's directives (RFC 9111 §5.2.2); Pragma is not consulted (§5.4). */
export function responseDirectives(headers: FieldList): Directives {
  return parseCacheControl(headers.getAll("cache-control"));
}
