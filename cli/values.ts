/**
 * Owns reading the values of command-line arguments: ports, port lists,
 * byte sizes, seconds, counts, host names, HOST:PORT pairs and lists of
 * header field names. Each
 * function is pure and throws UsageError naming the argument it reads.
 *
 * Must not read the environment, the file system or flags by name.
 */

import { UsageError } from "./args.ts";

const DIGITS = /^[0-9]+$/;
const DECIMAL = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;
/** Host names and IP addresses (IPv6 without brackets, zone allowed). */
const HOST_CHARS = /^[A-Za-z0-9._%:-]+$/;
/** setTimeout's ceiling, 2^31 - 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** A TCP port to listen on, 0..65535 (0 picks a free one). */
export function parseListenPort(text: string, what: string): number {
  const port = DIGITS.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new UsageError(
      `${what} must be a number from 0 to 65535, not "${text}"`,
    );
  }
  return port;
}

/** A TCP port to connect to, 1..65535. */
export function parseRemotePort(text: string, what: string): number {
  const port = DIGITS.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new UsageError(
      `${what} must be a number from 1 to 65535, not "${text}"`,
    );
  }
  return port;
}

/** A comma-separated list of ports to connect to; "" is the empty list. */
export function parsePortList(text: string, what: string): number[] {
  if (text.trim() === "") return [];
  const ports = text.split(",").map((part) =>
    parseRemotePort(part.trim(), what)
  );
  return [...new Set(ports)];
}

const SIZE = /^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)$/;
const SIZE_UNITS: Record<string, number> = {
  "": 1,
  "b": 1,
  "kb": 1000,
  "kib": 1024,
  "mb": 1000 ** 2,
  "mib": 1024 ** 2,
  "gb": 1000 ** 3,
  "gib": 1024 ** 3,
};

/**
 * A byte size: plain bytes ("1048576") or a number with a unit, KB/MB/GB
 * in powers of 1000 and KiB/MiB/GiB in powers of 1024 ("512MiB", "1.5GB").
 */
export function parseByteSize(text: string, what: string): number {
  const match = SIZE.exec(text.trim());
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new UsageError(
      `${what} must be a size like 1048576, 512MiB or 1.5GB, not "${text}"`,
    );
  }
  const bytes = Number(match[1]) * unit;
  if (unit === 1 && !Number.isInteger(bytes)) {
    throw new UsageError(
      `${what} must be a whole number of bytes, not "${text}"`,
    );
  }
  if (bytes > Number.MAX_SAFE_INTEGER) {
    throw new UsageError(`${what} is too large: "${text}"`);
  }
  return Math.floor(bytes);
}

/** Formats a byte count the way help shows defaults: "1GiB", "300B". */
export function formatByteSize(bytes: number): string {
  const units: [string, number][] = [["GiB", 1024 ** 3], ["MiB", 1024 ** 2], [
    "KiB",
    1024,
  ]];
  for (const [name, size] of units) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${name}`;
  }
  return `${bytes}B`;
}

/** A duration in seconds, decimals allowed, greater than 0; returns ms. */
export function parseSecondsAsMs(text: string, what: string): number {
  const seconds = DECIMAL.test(text) ? Number(text) : NaN;
  const ms = Math.round(seconds * 1000);
  if (!(ms >= 1)) {
    throw new UsageError(
      `${what} must be a number of seconds greater than 0, like 5 or 0.5, not "${text}"`,
    );
  }
  if (ms > MAX_TIMER_MS) {
    throw new UsageError(
      `${what} must be at most ${MAX_TIMER_MS / 1000} seconds`,
    );
  }
  return ms;
}

/** A whole number within [min, max]. */
export function parseCount(
  text: string,
  what: string,
  range: { min: number; max: number },
): number {
  const count = DIGITS.test(text) ? Number(text) : NaN;
  if (!(count >= range.min && count <= range.max)) {
    throw new UsageError(
      `${what} must be a whole number from ${range.min} to ${range.max}, not "${text}"`,
    );
  }
  return count;
}

/** RFC 9110 §5.1: a field name is a token. */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * A comma-separated list of header field names, in order, spelled as
 * given, the same name (any case) kept once; "" (or only spaces) is the
 * empty list. An element that is empty or not a field name is an error.
 */
export function parseFieldNameList(text: string, what: string): string[] {
  if (text.trim() === "") return [];
  const names: string[] = [];
  for (const part of text.split(",")) {
    const name = part.trim();
    if (!FIELD_NAME.test(name)) {
      throw new UsageError(
        `${what} must be comma-separated header field names like CDN-Cache-Control, not "${text}"`,
      );
    }
    const lower = name.toLowerCase();
    if (!names.some((kept) => kept.toLowerCase() === lower)) names.push(name);
  }
  return names;
}

/** A host name or IP address to bind or connect to; brackets are removed. */
export function parseHost(text: string, what: string): string {
  const host = text.startsWith("[") && text.endsWith("]")
    ? text.slice(1, -1)
    : text;
  if (!HOST_CHARS.test(host)) {
    throw new UsageError(
      `${what} must be a host name or IP address, not "${text}"`,
    );
  }
  return host;
}

/** `HOST:PORT` with an IPv6 host in brackets: "[::1]:8080". */
export function parseHostPort(
  text: string,
  what: string,
): { host: string; port: number } {
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(text);
  const plain = /^([^:[\]]*):([^:]*)$/.exec(text);
  const match = bracketed ?? plain;
  if (!match) {
    throw new UsageError(
      `${what} must be HOST:PORT, with an IPv6 address in brackets like [::1]:8080, not "${text}"`,
    );
  }
  const host = parseHost(match[1]!, `the host of ${what}`);
  const port = parseRemotePort(match[2]!, `the port of ${what}`);
  return { host, port };
}

/** Formats a host for a URL: IPv6 addresses go in brackets. */
export function hostForUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** Where a Redis server listens, and which of its databases to use. */
export interface RedisAddress {
  host: string;
  port: number;
  /** Database number, 0 to 15 (a default server has 16). */
  db: number;
}

const REDIS_URL =
  /^redis:\/\/(?:([^@/?#]*)@)?(\[[^\]/]*\]|[^:/@?#[\]]*)(?::([^/?#@]*))?(?:\/([^/?#]*))?$/;

/**
 * `redis://HOST:PORT[/DB]` (DB 0 to 15, default 0; an IPv6 host in
 * brackets). A missing port, a user or password (the client wrapper,
 * redis/client.ts, sends no AUTH), TLS (`rediss://`) or a query is an
 * error.
 */
export function parseRedisUrl(text: string, what: string): RedisAddress {
  const match = REDIS_URL.exec(text);
  if (!match || match[2] === "" || match[3] === undefined) {
    throw new UsageError(
      `${what} must be file or redis://HOST:PORT[/DB], not "${text}"`,
    );
  }
  const [, credentials, hostText, portText, dbText] = match;
  if (credentials !== undefined) {
    throw new UsageError(
      `${what} cannot carry a user or password: Redis AUTH is not supported`,
    );
  }
  const host = parseHost(hostText!, `the host of ${what}`);
  const port = parseRemotePort(portText!, `the port of ${what}`);
  const db = dbText === undefined || dbText === ""
    ? 0
    : parseCount(dbText, `the database of ${what}`, { min: 0, max: 15 });
  return { host, port, db };
}
