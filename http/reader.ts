/**
 * Owns buffered reading from a byte stream (a socket): finding a message
 * head within limits, lines for chunked coding, and owned body chunks.
 * Bytes past a head stay buffered for the next message (pipelining).
 * A read can be started ahead of need (`prefetch`, an idle connection's
 * watch): the next read that needs bytes takes its result.
 *
 * Must not interpret heads or bodies: head.ts and body.ts do that.
 */

import { latin1 } from "./bytes.ts";
import { HttpError } from "./errors.ts";
import type { HeadLimits } from "./head.ts";

/** Anything that reads bytes like a Deno.Conn. */
export interface ByteSource {
  read(p: Uint8Array): Promise<number | null>;
}

const LF = 0x0a;
const CR = 0x0d;
const READ_SIZE = 64 * 1024;

/** A read buffer over a byte source. */
export class BufferedReader {
  #src: ByteSource;
  #buf: Uint8Array;
  #start = 0;
  #end = 0;
  #eof = false;
  /** A read started by prefetch() whose result the next fill takes. */
  #inflight: Promise<number | null> | undefined;

  constructor(src: ByteSource, size = 16 * 1024) {
    this.#src = src;
    this.#buf = new Uint8Array(size);
  }

  /** Bytes read from the source but not yet consumed. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /**
   * Reads the next head, returned as a binary string that ends with its
   * empty line; leading empty lines are skipped (RFC 9112 §2.2). Returns
   * null when the source ends before any byte of a head. Throws HttpError:
   * `lineTooLong` when the first line exceeds `limits.maxLine`,
   * "head-too-large" past `limits.maxHead`, "truncated" on a cut head.
   */
  async readHead(
    limits: HeadLimits,
    lineTooLong: "uri-too-long" | "head-too-large" = "head-too-large",
  ): Promise<string | null> {
    let scan = this.#start; // next byte to look at for LF
    let lineStart = this.#start;
    let sawLine = false;
    for (;;) {
      const lf = scan < this.#end ? this.#buf.indexOf(LF, scan) : -1;
      if (lf !== -1 && lf < this.#end) {
        const lineEnd = lf > lineStart && this.#buf[lf - 1] === CR
          ? lf - 1
          : lf;
        if (lineEnd === lineStart) {
          if (sawLine && lf + 1 - this.#start > limits.maxHead) {
            throw new HttpError("head-too-large", "head too large");
          }
          if (sawLine) return this.#take(lf + 1);
          this.#start = lineStart = lf + 1; // a leading empty line: skip it
        } else {
          if (!sawLine && lineEnd - lineStart > limits.maxLine) {
            throw new HttpError(lineTooLong, "start line too long");
          }
          sawLine = true;
          lineStart = lf + 1;
        }
        scan = lf + 1;
        continue;
      }
      scan = this.#end;
      if (!sawLine && this.#partialLineLength(lineStart) > limits.maxLine) {
        throw new HttpError(lineTooLong, "start line too long");
      }
      if (this.#end - this.#start >= limits.maxHead) {
        throw new HttpError("head-too-large", "head too large");
      }
      const shift = this.#start;
      const got = await this.#fill(limits.maxHead);
      scan -= shift;
      lineStart -= shift;
      if (got === 0) {
        if (this.#end === this.#start) return null;
        throw new HttpError("truncated", "connection closed inside a head");
      }
    }
  }

  /**
   * Reads one line of at most `max` bytes (without its CRLF or LF).
   * Throws HttpError on a longer line or when the source ends first.
   */
  async readLine(max: number): Promise<string> {
    let scan = this.#start;
    for (;;) {
      const lf = scan < this.#end ? this.#buf.indexOf(LF, scan) : -1;
      if (lf !== -1 && lf < this.#end) {
        const end = lf > this.#start && this.#buf[lf - 1] === CR ? lf - 1 : lf;
        if (end - this.#start > max) {
          throw new HttpError("framing", "line too long");
        }
        const line = latin1(this.#buf.subarray(this.#start, end));
        this.#start = lf + 1;
        return line;
      }
      if (this.#end - this.#start > max + 1) {
        throw new HttpError("framing", "line too long");
      }
      const shift = this.#start;
      scan = this.#end - shift;
      if (await this.#fill(max + 2) === 0) {
        throw new HttpError("truncated", "connection closed inside a line");
      }
    }
  }

  /**
   * Returns up to `max` bytes as a chunk the caller owns: buffered bytes
   * first, otherwise one read from the source. Null at the end of input.
   * `lookahead` (at most the buffer's size) lets that read take up to as
   * many bytes past `max`, which stay buffered: a caller reading the end
   * of a message learns whether more bytes were already there.
   */
  async readChunk(max: number, lookahead = 0): Promise<Uint8Array | null> {
    if (this.#end > this.#start) {
      const n = Math.min(max, this.#end - this.#start);
      const chunk = this.#buf.slice(this.#start, this.#start + n);
      this.#start += n;
      return chunk;
    }
    if (this.#inflight) {
      await this.#inflight;
      return await this.readChunk(max, lookahead);
    }
    if (this.#eof) return null;
    const size = Math.min(max, READ_SIZE);
    const want = size + Math.min(lookahead, this.#buf.length);
    this.#start = this.#end = 0;
    if (want <= this.#buf.length) {
      const n = await this.#src.read(this.#buf.subarray(0, want));
      if (n === null) return this.#ended();
      const give = Math.min(n, size);
      this.#start = give;
      this.#end = n;
      return this.#buf.slice(0, give);
    }
    const target = new Uint8Array(want);
    const n = await this.#src.read(target);
    if (n === null) return this.#ended();
    const give = Math.min(n, size);
    if (n > give) {
      this.#buf.set(target.subarray(give, n)); // fits: lookahead <= buffer size
      this.#end = n - give;
    }
    // A small read is copied out so the large buffer is not pinned.
    if (give < size / 4) return target.slice(0, give);
    return target.subarray(0, give);
  }

  /**
   * Starts a read into the (empty) buffer now and returns its promise:
   * the number of bytes read, null at the end of input; it rejects as the
   * source does. The next read that needs bytes takes this read's result
   * instead of starting its own, so a read kept pending on an idle
   * connection becomes the first read of the next message. Throws when
   * bytes are buffered (they would have to be consumed first).
   */
  prefetch(): Promise<number | null> {
    if (this.#inflight) return this.#inflight;
    if (this.#end > this.#start) {
      throw new Error("Cannot prefetch: bytes are still buffered");
    }
    if (this.#eof) return Promise.resolve(null);
    this.#start = this.#end = 0;
    const read = this.#src.read(this.#buf).then((n) => {
      this.#inflight = undefined;
      if (n === null) this.#eof = true;
      else this.#end += n;
      return n;
    }, (e) => {
      this.#inflight = undefined;
      throw e;
    });
    this.#inflight = read;
    return read;
  }

  /** True once the source reported its end. */
  get ended(): boolean {
    return this.#eof;
  }

  /** Removes and returns every buffered byte (for a connection upgrade). */
  takeBuffered(): Uint8Array {
    const out = this.#buf.slice(this.#start, this.#end);
    this.#start = this.#end = 0;
    return out;
  }

  #ended(): null {
    this.#eof = true;
    return null;
  }

  /** Length of the unterminated line at `from`, a final CR not counted. */
  #partialLineLength(from: number): number {
    const length = this.#end - from;
    return length > 0 && this.#buf[this.#end - 1] === CR ? length - 1 : length;
  }

  #take(end: number): string {
    const text = latin1(this.#buf.subarray(this.#start, end));
    this.#start = end;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return text;
  }

  /**
   * Reads more bytes, first moving unconsumed ones to the front and growing
   * the buffer (up to `limit` plus one read) when it is full. Returns the
   * number of bytes read, 0 at the end of input.
   */
  async #fill(limit: number): Promise<number> {
    if (this.#inflight) return (await this.#inflight) ?? 0; // read into the empty buffer
    if (this.#eof) return 0;
    if (this.#start > 0) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    if (this.#end === this.#buf.length) {
      const grown = new Uint8Array(
        Math.max(this.#buf.length * 2, limit + 1024),
      );
      grown.set(this.#buf.subarray(0, this.#end));
      this.#buf = grown;
    }
    const n = await this.#src.read(this.#buf.subarray(this.#end));
    if (n === null) {
      this.#eof = true;
      return 0;
    }
    this.#end += n;
    return n;
  }
}
