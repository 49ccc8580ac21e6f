/**
 * Owns the header field list of one HTTP message: ordered, multi-valued,
 * case-insensitive on lookup, original casing and order kept on output.
 * Also owns the hop-by-hop set (RFC 9110 §7.6.1), since every hop that
 * forwards or stores a message needs it, and reading a decimal field
 * value. Which other kinds a field belongs to (sensitive, not a trailer)
 * is field_kinds.ts's.
 *
 * Must not know about caching, sockets or framing decisions.
 */

/** One header field as it appeared on the wire (name casing preserved). */
export type Field = [name: string, value: string];

/** An ordered list of header fields with case-insensitive lookup. */
export class FieldList {
  #names: string[] = [];
  #lower: string[] = [];
  #values: string[] = [];

  constructor(fields?: Iterable<Field>) {
    if (fields) {
      for (const [name, value] of fields) {
        this.append(name, value);
      }
    }
  }

  /** Number of fields (not distinct names). */
  get size(): number {
    return this.#names.length;
  }

  /** Adds a field at the end, keeping any earlier one of the same name. */
  append(name: string, value: string): void {
    this.#names.push(name);
    this.#lower.push(name.toLowerCase());
    this.#values.push(value);
  }

  /** Replaces every field of this name by one, at the first one's place. */
  set(name: string, value: string): void {
    const lower = name.toLowerCase();
    const first = this.#lower.indexOf(lower);
    if (first === -1) {
      this.append(name, value);
      return;
    }
    this.#values[first] = value;
    this.#removeFrom(lower, first + 1);
  }

  /** Removes every field of this name; returns whether any was there. */
  delete(name: string): boolean {
    const lower = name.toLowerCase();
    const first = this.#lower.indexOf(lower);
    if (first === -1) return false;
    this.#removeFrom(lower, first);
    return true;
  }

  has(name: string): boolean {
    return this.#lower.indexOf(name.toLowerCase()) !== -1;
  }

  /** The first value of this name, or undefined. */
  first(name: string): string | undefined {
    const i = this.#lower.indexOf(name.toLowerCase());
    return i === -1 ? undefined : this.#values[i];
  }

  /**
   * All values of this name combined as RFC 9110 §5.3 allows (", "),
   * or undefined when absent. Not meant for Set-Cookie.
   */
  get(name: string): string | undefined {
    const lower = name.toLowerCase();
    let out: string | undefined;
    for (let i = 0; i < this.#lower.length; i++) {
      if (this.#lower[i] !== lower) continue;
      out = out === undefined ? this.#values[i] : `${out}, ${this.#values[i]}`;
    }
    return out;
  }

  /** Every value of this name, in order, each field separately. */
  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    const out: string[] = [];
    for (let i = 0; i < this.#lower.length; i++) {
      if (this.#lower[i] === lower) out.push(this.#values[i]!);
    }
    return out;
  }

  /**
   * The comma-separated list elements of every field of this name
   * (RFC 9110 §5.6.1), trimmed, empty elements dropped, quotes respected.
   */
  list(name: string): string[] {
    const out: string[] = [];
    for (const value of this.getAll(name)) out.push(...splitList(value));
    return out;
  }

  /** Fields in wire order with their original name casing. */
  *entries(): IterableIterator<Field> {
    for (let i = 0; i < this.#names.length; i++) {
      yield [this.#names[i]!, this.#values[i]!];
    }
  }

  [Symbol.iterator](): IterableIterator<Field> {
    return this.entries();
  }

  /** Fields as a plain array (for JSON metadata and tests). */
  toArray(): Field[] {
    return [...this.entries()];
  }

  clone(): FieldList {
    const copy = new FieldList();
    copy.#names = this.#names.slice();
    copy.#lower = this.#lower.slice();
    copy.#values = this.#values.slice();
    return copy;
  }

  /** Removes every field whose lowercase name satisfies the predicate. */
  deleteWhere(drop: (lowerName: string) => boolean): void {
    let w = 0;
    for (let r = 0; r < this.#names.length; r++) {
      if (drop(this.#lower[r]!)) continue;
      this.#names[w] = this.#names[r]!;
      this.#lower[w] = this.#lower[r]!;
      this.#values[w] = this.#values[r]!;
      w++;
    }
    this.#names.length = this.#lower.length = this.#values.length = w;
  }

  #removeFrom(lower: string, start: number): void {
    let w = start;
    for (let r = start; r < this.#names.length; r++) {
      if (this.#lower[r] === lower) continue;
      this.#names[w] = this.#names[r]!;
      this.#lower[w] = this.#lower[r]!;
      this.#values[w] = this.#values[r]!;
      w++;
    }
    this.#names.length = this.#lower.length = this.#values.length = w;
  }
}

/**
 * Splits one list-based field value on commas outside quoted strings
 * (RFC 9110 §5.6.1), trimming whitespace and dropping empty elements.
 */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (quoted && c === 0x5c) i++; // quoted-pair: skip the escaped char
    else if (c === 0x22) quoted = !quoted;
    else if (c === 0x2c && !quoted) {
      pushTrimmed(out, value.slice(start, i));
      start = i + 1;
    }
  }
  pushTrimmed(out, value.slice(start));
  return out;
}

function pushTrimmed(out: string[], element: string): void {
  const trimmed = element.trim();
  if (trimmed !== "") out.push(trimmed);
}

/**
 * Parses a field value that is a decimal integer, `1*DIGIT` (RFC 9110
 * §7.6.2 Max-Forwards, RFC 9110 §8.6 Content-Length, ...): leading zeros
 * allowed ("00" is 0), surrounding whitespace ignored, a value beyond
 * Number.MAX_SAFE_INTEGER held as that. undefined when absent or not
 * digits (a sign, a fraction, a list, an empty value). Numbers in fields
 * are compared after this, never as text.
 */
export function parseDecimal(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const digits = value.trim();
  if (!/^[0-9]+$/.test(digits)) return undefined;
  return Math.min(Number(digits), Number.MAX_SAFE_INTEGER);
}

/**
 * The fixed hop-by-hop fields (RFC 9110 §7.6.1, RFC 9112 §9.6/§7.4), and
 * the fields specific to the proxy a message passes through, which a
 * cache MUST NOT store (RFC 9111 §3.1: "Proxy-Authenticate,
 * Proxy-Authentication-Info, and Proxy-Authorization"; RFC 9110 §11.7.1,
 * §11.7.3: they apply to the next hop only).
 */
const HOP_BY_HOP = new Set([
  "connection",
  "proxy-connection",
  "keep-alive",
  "te",
  "transfer-encoding",
  "upgrade",
  "trailer",
  "proxy-authenticate",
  "proxy-authentication-info",
  "proxy-authorization",
]);

/**
 * Removes the hop-by-hop fields: the fixed set plus every field named in
 * `Connection` (RFC 9110 §7.6.1). Used on the way in, on the way out and
 * before storing.
 */
export function stripHopByHop(fields: FieldList): void {
  const named = fields.list("connection");
  if (named.length === 0) {
    fields.deleteWhere((lower) => HOP_BY_HOP.has(lower));
    return;
  }
  const extra = new Set(named.map((n) => n.toLowerCase()));
  fields.deleteWhere((lower) => HOP_BY_HOP.has(lower) || extra.has(lower));
}

/** True when the lowercase field name is in the fixed hop-by-hop set. */
export function isHopByHop(lowerName: string): boolean {
  return HOP_BY_HOP.has(lowerName);
}
