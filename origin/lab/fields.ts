/**
 * Owns the field parameters of the lab routes (`?NAME=VALUE&...`): which
 * response fields a learner may ask for, and the reserved parameters
 * `status=CODE`, `fail-after=N` and `close-after=N`. Pure: strings in, a value or a
 * one-line reason out.
 *
 * Must not build responses nor count requests (routes.ts, state.ts).
 */

import type { Field } from "../../http/headers.ts";

/**
 * Fields a lab response never takes from a parameter or a script, in
 * lower case: the framing and connection fields the server owns
 * (RFC 9112 §6, RFC 9110 §7.6.1), Host, and Date, which the lab sets.
 */
export const REFUSED_FIELDS: ReadonlySet<string> = new Set([
  "content-length", // RFC 9110 §8.6: the server frames the body
  "transfer-encoding", // RFC 9112 §6.1
  "connection", // RFC 9110 §7.6.1
  "keep-alive", // RFC 9110 §7.6.1: a hop-by-hop field
  "proxy-connection", // RFC 9110 §7.6.1: a hop-by-hop field
  "te", // RFC 9110 §10.1.4: a request field, hop-by-hop
  "trailer", // RFC 9110 §6.6.2: the server frames the body
  "upgrade", // RFC 9110 §7.8
  "host", // RFC 9110 §7.2: a request field
  "date", // RFC 9110 §6.6.1: the origin sets it from its clock
]);

/** token = 1*tchar (RFC 9110 §5.6.2). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Why `name: value` cannot be a lab response field, or undefined when it
 * can: the name must be a token (RFC 9110 §5.1), not a refused field, and
 * the value must be field-content (RFC 9110 §5.5): visible ASCII, SP,
 * HTAB and obs-text (U+0080 to U+00FF, sent as one byte each); no CR, LF,
 * NUL nor any other control character, and no character a byte cannot
 * hold (a JS string char above U+00FF).
 */
export function fieldRefusal(name: string, value: string): string | undefined {
  if (!TOKEN.test(name)) {
    return `field name ${JSON.stringify(name)} is not a token`; // RFC 9110 §5.1
  }
  if (REFUSED_FIELDS.has(name.toLowerCase())) {
    return `field ${name} is set by the server, not by a parameter`;
  }
  if (/[\r\n\0]/.test(value)) {
    return `field ${name} has CR, LF or NUL in its value`; // RFC 9110 §5.5
  }
  const bad = firstNonFieldChar(value);
  if (bad !== undefined && bad <= 0xff) {
    return `field ${name} has the control character ${
      codePoint(bad)
    } in its value`; // RFC 9110 §5.5: no CTL but HTAB
  }
  if (bad !== undefined) {
    return `field ${name} has ${
      codePoint(bad)
    } in its value, which is not one byte (obs-text is U+0080 to U+00FF)`; // RFC 9110 §5.5: a field value is bytes
  }
  return undefined;
}

/** The parameters of a lab route, checked. */
export interface LabParams {
  /** Response fields in the order given (repeated names kept). */
  fields: Field[];
  /** `status=CODE`: the status to answer with (200-599). */
  status?: number;
  /** `fail-after=N`: answer 500 from the (N+1)th request for the path on. */
  failAfter?: number;
  /**
   * `close-after=N`: from the (N+1)th request for the path on, close the
   * connection without answering (an origin that cannot be reached, as
   * /lab/close; before fail-after is looked at).
   */
  closeAfter?: number;
}

/** LabParams, or the one-line reason they are refused (answered 400). */
export type LabParamsResult =
  | { kind: "ok"; params: LabParams }
  | { kind: "bad"; reason: string };

/**
 * Parses the query of a lab target (`undefined` when there is none).
 * Names and values are percent-decoded (a "+" stays a "+"); `status`,
 * `fail-after` and `close-after`, in lower case, are reserved: each may be
 * given again only with the same value (else refused, never the last one
 * wins); any other name is a response field checked by fieldRefusal.
 */
export function parseLabParams(query: string | undefined): LabParamsResult {
  const params: LabParams = { fields: [] };
  if (query === undefined || query === "") return { kind: "ok", params };
  for (const part of query.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = decode(eq === -1 ? part : part.slice(0, eq));
    const value = decode(eq === -1 ? "" : part.slice(eq + 1));
    if (name === undefined || value === undefined) {
      return bad(
        `parameter ${JSON.stringify(part)} is not percent-encoded properly`,
      );
    }
    if (name === "status") {
      const status = parseStatus(value);
      if (status === undefined) {
        return bad("status must be an integer from 200 to 599");
      }
      if (params.status !== undefined && params.status !== status) {
        return bad(twice(name));
      }
      params.status = status;
      continue;
    }
    if (name === "fail-after" || name === "close-after") {
      if (!/^[0-9]{1,9}$/.test(value)) {
        return bad(`${name} must be an integer from 0 to 999999999`);
      }
      const n = Number(value);
      const key = name === "fail-after" ? "failAfter" : "closeAfter";
      if (params[key] !== undefined && params[key] !== n) {
        return bad(twice(name));
      }
      params[key] = n;
      continue;
    }
    const refusal = fieldRefusal(name, value);
    if (refusal !== undefined) return bad(refusal);
    params.fields.push([name, value]);
  }
  return { kind: "ok", params };
}

/** A status from 200 to 599 written as three digits, or undefined. */
export function parseStatus(text: string): number | undefined {
  if (!/^[2-5][0-9][0-9]$/.test(text)) return undefined;
  return Number(text);
}

/**
 * The code point of the first char of `value` that field-content does not
 * allow (RFC 9110 §5.5): a control other than HTAB (0x00-0x08, 0x0A-0x1F,
 * 0x7F), or a char a byte cannot hold (above 0xFF); undefined when none.
 */
function firstNonFieldChar(value: string): number | undefined {
  for (const char of value) {
    const c = char.codePointAt(0)!;
    if (c === 0x09) continue; // HTAB
    if (c < 0x20 || c === 0x7f || c > 0xff) return c;
  }
  return undefined;
}

/** "U+20AC" for 0x20ac. */
function codePoint(c: number): string {
  return `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** The reason a reserved parameter given twice with different values is refused. */
export function twice(name: string): string {
  return `${name} is given twice with different values`;
}

function bad(reason: string): LabParamsResult {
  return { kind: "bad", reason };
}
