/**
 * Owns parsing and serialising message heads (RFC 9112 §2-§5): the start
 * line and the field lines, with size limits. Tolerant where RFC 9112
 * allows (missing reason phrase, bare LF line ends, leading empty lines);
 * strict where it forbids (obs-fold, space before the colon, invalid names
 * or values, bad versions, a Host that host.ts refuses).
 *
 * Must not decide framing (see framing.ts) or read sockets (see reader.ts).
 */

import { HttpError } from "./errors.ts";
import { FieldList } from "./headers.ts";
import { hostFieldProblem } from "./host.ts";
import type { HttpVersion, RequestHead, ResponseHead } from "./types.ts";

/** Size limits for one head. */
export interface HeadLimits {
  /** Longest start line in bytes (414 for requests). */
  maxLine: number;
  /** Longest head in bytes, start line and fields included (431). */
  maxHead: number;
  /** Most field lines (431). */
  maxFields: number;
}

/** What a server accepts in a request head from its clients. */
export const DEFAULT_HEAD_LIMITS: HeadLimits = {
  maxLine: 8 * 1024,
  maxHead: 64 * 1024,
  maxFields: 100,
};

/**
 * Room for what a proxy adds to a head it forwards: Via, X-Forwarded-For,
 * Host for an HTTP/1.0 request, its own validators, a framing field.
 */
export const PROXY_HEADROOM = { fields: 16, bytes: 8 * 1024 } as const;

/**
 * The limits on the upstream side of a proxy: the defaults plus
 * `PROXY_HEADROOM`. cachelab's origin accepts request heads this large,
 * so whatever the proxy accepted still fits once forwarded; the proxy
 * sends no larger head (431 instead), and accepts response heads this
 * large from its upstream (another proxy may have added to them).
 */
export const UPSTREAM_HEAD_LIMITS: HeadLimits = {
  maxLine: DEFAULT_HEAD_LIMITS.maxLine,
  maxHead: DEFAULT_HEAD_LIMITS.maxHead + PROXY_HEADROOM.bytes,
  maxFields: DEFAULT_HEAD_LIMITS.maxFields + PROXY_HEADROOM.fields,
};

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const TARGET = /^[\x21-\x7e\x80-\xff]+$/;
const REASON = /^[\t\x20-\x7e\x80-\xff]*$/;
const VERSION = /^HTTP\/(\d)\.(\d)$/;

/**
 * Parses a request head given as a binary string that ends with its empty
 * line. Throws HttpError ("malformed", "uri-too-long", "head-too-large",
 * "version").
 */
export function parseRequestHead(
  text: string,
  limits: HeadLimits = DEFAULT_HEAD_LIMITS,
): RequestHead {
  const lines = splitLines(text);
  let first = 0;
  while (first < lines.length && lines[first] === "") first++; // RFC 9112 §2.2
  const line = lines[first];
  if (line === undefined) throw malformed("empty request");
  if (line.length > limits.maxLine) {
    throw new HttpError("uri-too-long", "request line too long");
  }
  const sp1 = line.indexOf(" ");
  const sp2 = line.indexOf(" ", sp1 + 1);
  if (sp1 <= 0 || sp2 <= sp1 + 1 || line.indexOf(" ", sp2 + 1) !== -1) {
    throw malformed("bad request line"); // RFC 9112 §3: exactly two single spaces
  }
  const method = line.slice(0, sp1);
  const target = line.slice(sp1 + 1, sp2);
  if (!TOKEN.test(method)) throw malformed("bad method"); // RFC 9112 §3.1
  if (!TARGET.test(target)) throw malformed("bad request target"); // RFC 9112 §3.2
  const version = parseVersion(line.slice(sp2 + 1));
  const headers = parseFields(lines, first + 1, limits);
  const head = { method, target, version, headers };
  const hostProblem = hostFieldProblem(head);
  if (hostProblem) throw malformed(hostProblem); // RFC 9112 §3.2: 400
  return head;
}

/**
 * Parses a response head given as a binary string that ends with its empty
 * line. Any status from 100 to 999 is accepted and the reason phrase kept
 * verbatim (it may be missing). Throws HttpError.
 */
export function parseResponseHead(
  text: string,
  limits: HeadLimits = DEFAULT_HEAD_LIMITS,
): ResponseHead {
  const lines = splitLines(text);
  const line = lines[0];
  if (line === undefined || line === "") throw malformed("empty response");
  if (line.length > limits.maxLine) {
    throw new HttpError("head-too-large", "status line too long");
  }
  const sp1 = line.indexOf(" ");
  if (sp1 === -1) throw malformed("bad status line");
  const version = parseVersion(line.slice(0, sp1));
  const code = line.slice(sp1 + 1, sp1 + 4);
  const rest = line.slice(sp1 + 4);
  if (!/^[1-9]\d\d$/.test(code)) throw malformed("bad status code"); // RFC 9112 §4
  if (rest !== "" && rest[0] !== " ") throw malformed("bad status line");
  const reason = rest.slice(1);
  if (!REASON.test(reason)) throw malformed("bad reason phrase");
  const headers = parseFields(lines, 1, limits);
  return { version, status: Number(code), reason, headers };
}

/** Serialises a request head, ending with the empty line. */
export function serializeRequestHead(head: RequestHead): string {
  return `${head.method} ${head.target} ${head.version}\r\n${
    serializeFields(head.headers)
  }\r\n`;
}

/** Serialises a response head, ending with the empty line. */
export function serializeResponseHead(head: ResponseHead): string {
  return `${head.version} ${head.status} ${head.reason}\r\n${
    serializeFields(head.headers)
  }\r\n`;
}

/** Serialises field lines, each ending in CRLF. */
export function serializeFields(fields: FieldList): string {
  let out = "";
  for (const [name, value] of fields) out += `${name}: ${value}\r\n`;
  return out;
}

/**
 * Parses field lines from `start` up to the first empty line (RFC 9112 §5).
 * Also used for chunked trailer sections.
 */
export function parseFields(
  lines: string[],
  start: number,
  limits: HeadLimits,
): FieldList {
  const fields = new FieldList();
  for (let i = start; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") break;
    if (fields.size >= limits.maxFields) {
      throw new HttpError("head-too-large", "too many header fields");
    }
    const c = line.charCodeAt(0);
    if (c === 0x20 || c === 0x09) throw malformed("obsolete line folding"); // RFC 9112 §5.2
    const colon = line.indexOf(":");
    if (colon <= 0) throw malformed("field line without a name");
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) {
      throw malformed(`bad field name "${printable(name)}"`); // RFC 9112 §5.1
    }
    const value = trimOws(line.slice(colon + 1));
    if (!FIELD_VALUE.test(value)) throw malformed(`bad value in ${name}`); // RFC 9110 §5.5
    fields.append(name, value);
  }
  return fields;
}

/** Splits a head into lines on LF, dropping one CR before each LF. */
function splitLines(text: string): string[] {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith("\r")) lines[i] = l.slice(0, -1);
  }
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function parseVersion(text: string): HttpVersion {
  const m = VERSION.exec(text);
  if (!m) throw malformed("bad HTTP version");
  if (m[1] !== "1") throw new HttpError("version", `unsupported ${text}`);
  return m[2] === "0" ? "HTTP/1.0" : "HTTP/1.1"; // RFC 9110 §2.5: 1.x speaks 1.1
}

function trimOws(value: string): string {
  let s = 0;
  let e = value.length;
  while (s < e && isOws(value.charCodeAt(s))) s++;
  while (e > s && isOws(value.charCodeAt(e - 1))) e--;
  return s === 0 && e === value.length ? value : value.slice(s, e);
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function malformed(reason: string): HttpError {
  return new HttpError("malformed", reason);
}

function printable(text: string): string {
  return text.replace(/[^\x21-\x7e]/g, "?").slice(0, 40);
}
