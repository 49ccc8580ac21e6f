/**
 * Owns targeted cache control (RFC 9213): which of a response's fields
 * decides its caching policy for this cache (the first field of the
 * target list that is present and valid, else Cache-Control, §2.1), and
 * reading a targeted field's Structured Field Dictionary as the same
 * `Directives` that Cache-Control parsing gives (§2.2).
 *
 * Pure: reads header fields only. Must not parse Structured Fields by
 * hand (structured_fields.ts does) nor decide anything about caching.
 */

import type { FieldList } from "../http/headers.ts";
import { splitList } from "../http/headers.ts";
import {
  type Directives,
  MAX_DELTA_SECONDS,
  responseDirectives,
} from "./cache_control.ts";
import { parseSfDictionary, type SfValue } from "./structured_fields.ts";

/** The directives that decide a response's caching policy, and where they came from. */
export interface Policy {
  /**
   * The lowercase name of the targeted field that decided (RFC 9213
   * §2.1); undefined when Cache-Control decides (no target list, or no
   * field on it present and valid).
   */
  field: string | undefined;
  directives: Directives;
}

/** What a member's value must be for its directive to count (RFC 9213 §2.2). */
type Shape = "delta" | "true" | "true-or-names";

/**
 * The directives honoured in a targeted field (RFC 9213 §2.1: max-age,
 * must-revalidate, no-store, no-cache and private MUST be; the others this
 * cache supports in Cache-Control SHOULD be). Others are ignored.
 */
const SHAPES: ReadonlyMap<string, Shape> = new Map<string, Shape>([
  ["max-age", "delta"], // RFC 9111 §5.2.2.1
  ["s-maxage", "delta"], // RFC 9111 §5.2.2.10
  ["stale-while-revalidate", "delta"], // RFC 5861 §3
  ["stale-if-error", "delta"], // RFC 5861 §4
  ["no-store", "true"], // RFC 9111 §5.2.2.5
  ["must-revalidate", "true"], // RFC 9111 §5.2.2.2
  ["proxy-revalidate", "true"], // RFC 9111 §5.2.2.8
  ["public", "true"], // RFC 9111 §5.2.2.9
  ["must-understand", "true"], // RFC 9111 §5.2.2.3
  ["immutable", "true"], // RFC 8246 §2
  ["no-cache", "true-or-names"], // RFC 9111 §5.2.2.4
  ["private", "true-or-names"], // RFC 9111 §5.2.2.7
]);

type Member = true | number | string;

class TargetedDirectives implements Directives {
  readonly #members: ReadonlyMap<string, Member>;
  readonly malformed: readonly string[];

  constructor(members: ReadonlyMap<string, Member>, malformed: string[]) {
    this.#members = members;
    this.malformed = malformed;
  }

  has(name: string): boolean {
    return this.#members.has(name.toLowerCase());
  }

  value(name: string): string | undefined {
    const member = this.#members.get(name.toLowerCase());
    return member === undefined || member === true ? undefined : String(member);
  }

  seconds(name: string): number | "invalid" | undefined {
    const member = this.#members.get(name.toLowerCase());
    if (member === undefined) return undefined;
    if (typeof member !== "number") return "invalid";
    return Math.min(member, MAX_DELTA_SECONDS); // RFC 9111 §1.2.2
  }

  fieldNames(name: string): string[] | undefined {
    const member = this.#members.get(name.toLowerCase());
    if (typeof member !== "string") return undefined;
    const names = splitList(member).map((field) => field.toLowerCase());
    return names.length === 0 ? undefined : names;
  }

  names(): string[] {
    return [...this.#members.keys()];
  }
}

/**
 * Reads one targeted field's lines (RFC 9213 §2.2) as directives, or
 * undefined when the field is to be ignored as if absent: empty, not a
 * Structured Field Dictionary, or left without any honoured directive once
 * directives of the wrong type are dropped (`max-age="10000"`: max-age is
 * an Integer >= 0; no-store and the like must be Boolean true; no-cache and
 * private are true or a String of field names). Parameters are ignored.
 */
export function parseTargetedField(
  lines: readonly string[],
): Directives | undefined {
  const dictionary = parseSfDictionary(lines);
  if (dictionary === undefined) return undefined; // RFC 9213 §2.2: parse error
  const members = new Map<string, Member>();
  const malformed: string[] = [];
  for (const [name, value] of dictionary) {
    const shape = SHAPES.get(name);
    if (shape === undefined) continue; // RFC 9213 §2.1: unrecognised, ignored
    const member = memberOf(shape, value);
    if (member === undefined) malformed.push(name); // wrong type: ignored
    else members.set(name, member);
  }
  if (members.size === 0) return undefined; // RFC 9213 §2.2: empty or nothing valid
  return new TargetedDirectives(members, malformed);
}

function memberOf(shape: Shape, value: SfValue): Member | undefined {
  if (shape === "delta") {
    return value.type === "integer" && value.value >= 0
      ? value.value
      : undefined;
  }
  if (value.type === "boolean") return value.value ? true : undefined;
  if (shape === "true-or-names" && value.type === "string") return value.value;
  return undefined;
}

/**
 * The caching policy of a response (RFC 9213 §2.1): the first field of
 * `targets` (field names, any case, in order) that is present and valid
 * decides, and Cache-Control (and Expires, see freshness.ts) is then
 * ignored for this cache's own caching; with none, Cache-Control decides.
 * An empty `targets` (the default) is today's behaviour: Cache-Control.
 */
export function policyOf(
  resHeaders: FieldList,
  targets: readonly string[] = [],
): Policy {
  for (const target of targets) {
    const lines = resHeaders.getAll(target);
    if (lines.length === 0) continue;
    const directives = parseTargetedField(lines);
    if (directives !== undefined) {
      return { field: target.toLowerCase(), directives }; // RFC 9213 §2.1
    }
  }
  return { field: undefined, directives: responseDirectives(resHeaders) };
}

/**
 * The directives that decide a response's caching policy: those of the
 * first present and valid field of `targets`, else Cache-Control's
 * (RFC 9213 §2.1). See policyOf for where they came from.
 */
export function targetedDirectives(
  resHeaders: FieldList,
  targets: readonly string[] = [],
): Directives {
  return policyOf(resHeaders, targets).directives;
}

/**
 * The target list that reproduces a stored response's policy: its
 * recorded policy field alone, or none (Cache-Control) when absent.
 */
export function targetsOf(policyField: string | undefined): readonly string[] {
  return policyField === undefined ? [] : [policyField];
}

/** RFC 9213 §3: the field that targets caches acting for the origin. */
const CDN_CACHE_CONTROL = "cdn-cache-control";

/**
 * The target list of one response (RFC 9213 §2.1): the configured field
 * names in order, less CDN-Cache-Control when this cache acts for the
 * client (a forward proxy), since that field targets caches acting for
 * the origin server: gateways, reverse proxies, CDNs (RFC 9213 §3).
 * `actsFor` is "origin" for reverse-proxied requests.
 */
export function targetsFor(
  configured: readonly string[],
  actsFor: "origin" | "client",
): readonly string[] {
  if (actsFor === "origin") return configured;
  return configured.filter((name) => name.toLowerCase() !== CDN_CACHE_CONTROL); // RFC 9213 §3
}
