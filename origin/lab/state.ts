/**
 * Owns what the lab origin remembers: how many requests it has read for
 * each path (the target's path without its query, as received) and the
 * log of the last requests with their conditional fields. Both are
 * bounded, whatever the requests: the counters keep the most recently
 * seen paths (COUNTED_PATHS, COUNTED_CHARS), the log the last LOG_SIZE.
 *
 * Must not answer requests nor read the clock: the time of each entry is
 * given by the caller.
 */

import type { FieldList } from "../../http/headers.ts";

/** How many requests /lab/log keeps, newest last. */
export const LOG_SIZE = 100;

/** How many paths the counters remember: the most recently seen ones. */
export const COUNTED_PATHS = 10_000;

/** How many characters of paths the counters remember at most, in all. */
export const COUNTED_CHARS = 4 * 1024 * 1024;

/** The request fields /lab/log shows when present, in this order and casing. */
export const LOGGED_FIELDS: readonly string[] = [
  "If-None-Match",
  "If-Modified-Since",
  "If-Match",
  "If-Unmodified-Since",
  "If-Range",
  "Range",
  "Cache-Control",
];

/** One request as /lab/log shows it. */
export interface LogEntry {
  /** The count for its path after this request (1 for the first). */
  n: number;
  /** When it was received, as an HTTP-date. */
  time: string;
  method: string;
  /** The request-target as received. */
  target: string;
  /** The LOGGED_FIELDS present, values of repeated fields joined with ", ". */
  fields: Record<string, string>;
  /** The status answered; null when the connection was closed or reset instead. */
  status: number | null;
}

/** The path of a request-target: everything before the first "?". */
export function pathOfTarget(target: string): string {
  const q = target.indexOf("?");
  return q === -1 ? target : target.slice(0, q);
}

/** The conditional fields of a request as /lab/log shows them. */
export function loggedFields(headers: FieldList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of LOGGED_FIELDS) {
    const values = headers.getAll(name);
    if (values.length > 0) out[name] = values.join(", ");
  }
  return out;
}

/**
 * The per-path counters and the request log of one lab origin.
 *
 * The counters remember the `maxPaths` most recently seen paths, and no
 * more than `maxChars` characters of paths in all: past either, the path
 * seen least recently is forgotten. A forgotten path counts as never seen:
 * countOf() answers 0 (so /lab/count says "0") and its next request is
 * number 1 again (a script starts over for it).
 */
export class LabState {
  /** Path to count, least recently seen first (Map keeps insertion order). */
  #counts = new Map<string, number>();
  #chars = 0;
  #log: LogEntry[] = [];
  readonly #maxPaths: number;
  readonly #maxChars: number;

  constructor(maxPaths = COUNTED_PATHS, maxChars = COUNTED_CHARS) {
    this.#maxPaths = maxPaths;
    this.#maxChars = maxChars;
  }

  /** Counts one request for `path`; returns the count after it. */
  count(path: string): number {
    const before = this.#counts.get(path);
    if (before === undefined) this.#chars += path.length;
    else this.#counts.delete(path); // re-inserted below: now the most recent
    const n = (before ?? 0) + 1;
    this.#counts.set(path, n);
    while (
      this.#counts.size > 1 &&
      (this.#counts.size > this.#maxPaths || this.#chars > this.#maxChars)
    ) {
      const oldest = this.#counts.keys().next().value!;
      this.#counts.delete(oldest);
      this.#chars -= oldest.length;
    }
    return n;
  }

  /** The requests read so far for `path` (0 for a path never seen or forgotten). */
  countOf(path: string): number {
    return this.#counts.get(path) ?? 0;
  }

  /** How many paths the counters remember now. */
  get countedPaths(): number {
    return this.#counts.size;
  }

  /** Appends an entry, dropping the oldest past LOG_SIZE. */
  record(entry: LogEntry): void {
    this.#log.push(entry);
    if (this.#log.length > LOG_SIZE) {
      this.#log.splice(0, this.#log.length - LOG_SIZE);
    }
  }

  /** The logged requests, oldest first (a copy). */
  entries(): LogEntry[] {
    return [...this.#log];
  }
}
