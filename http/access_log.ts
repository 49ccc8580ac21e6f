/**
 * Owns the access-log line (Common Log Format plus optional extra words)
 * and a batched sink that writes finished lines to a stream without a
 * syscall per request.
 *
 * Must not decide what is logged: servers pass the facts.
 */

import { MONTH_NAMES as MONTHS } from "./dates.ts";

/** The facts of one request for its log line. */
export interface AccessLogEntry {
  remoteAddr: string;
  /** When the request head was read, ms since the epoch. */
  time: number;
  requestLine: string;
  status: number;
  /** Body bytes sent to the client. */
  bytes: number;
  /** Extra words after the CLF fields (upstream time, cache result). */
  suffix?: string;
  /** The response's note (types.ts OutgoingResponse), for the `answered` hook only; not written. */
  note?: unknown;
}

let clfSecond = -1;
let clfText = "";

/** Formats a time as CLF does: `25/Nov/2026:07:06:31 +0000` (UTC). */
export function formatClfTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second === clfSecond) return clfText;
  const d = new Date(second * 1000);
  const p = (n: number) => (n < 10 ? `0${n}` : String(n));
  clfText = `${p(d.getUTCDate())}/${
    MONTHS[d.getUTCMonth()]
  }/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${
    p(d.getUTCSeconds())
  } +0000`;
  clfSecond = second;
  return clfText;
}

/** One Common Log Format line (without the newline). */
export function formatAccessLog(e: AccessLogEntry): string {
  const line = `${e.remoteAddr} - - [${formatClfTime(e.time)}] "${
    escapeQuotes(e.requestLine)
  }" ${e.status} ${e.bytes === 0 ? "-" : e.bytes}`;
  return e.suffix ? `${line} ${e.suffix}` : line;
}

// deno-lint-ignore no-control-regex
const UNSAFE_IN_LOG = /["\\\x00-\x1f\x7f-\xff]/g;

function escapeQuotes(text: string): string {
  return text.replace(
    UNSAFE_IN_LOG,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

/** Writes lines to a stream in batches; `flush()` before exit. */
export class BatchedLineWriter {
  #write: (bytes: Uint8Array) => void;
  #lines: string[] = [];
  #size = 0;
  #scheduled = false;
  #encoder = new TextEncoder();

  /** `write` must write all bytes synchronously (e.g. Deno.stderr.writeSync loop). */
  constructor(write: (bytes: Uint8Array) => void) {
    this.#write = write;
  }

  line(text: string): void {
    this.#lines.push(text);
    this.#size += text.length;
    if (this.#size > 16 * 1024) {
      this.flush();
      return;
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.#flushQueued());
    }
  }

  flush(): void {
    if (this.#lines.length === 0) return;
    const text = this.#lines.join("\n") + "\n";
    this.#lines = [];
    this.#size = 0;
    try {
      this.#write(this.#encoder.encode(text));
    } catch {
      // A closed stderr must not take the server down.
    }
  }

  #flushQueued(): void {
    this.#scheduled = false;
    this.flush();
  }
}

/** A synchronous writer for Deno.stderr that writes every byte. */
export function stderrWriter(bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) at += Deno.stderr.writeSync(bytes.subarray(at));
}
