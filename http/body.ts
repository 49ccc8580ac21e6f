/**
 * Owns reading message bodies off a connection by their framing: exact
 * length, chunked (extensions tolerated, trailers kept), until close (a
 * clean close ends it: complete, RFC 9112 §8; a reset is an error), with
 * transfer codings beneath decoded; and simple in-memory bodies. A body
 * cut short throws HttpError("truncated").
 *
 * Must not decide framing (framing.ts) nor write anything.
 */

import { concatBytes } from "./bytes.ts";
import { HttpError } from "./errors.ts";
import type { Framing } from "./framing.ts";
import { FieldList } from "./headers.ts";
import { DEFAULT_HEAD_LIMITS, parseFields } from "./head.ts";
import type { BufferedReader } from "./reader.ts";
import type { BodyReader, WireBody } from "./types.ts";
import { decodedBody } from "./transfer_coding.ts";

const CHUNK = 64 * 1024;
const MAX_CHUNK_LINE = 4096;
const MAX_TRAILER_BYTES = 16 * 1024;
const HEX_SIZE = /^[0-9A-Fa-f]{1,15}$/;
/**
 * The read that ends a Content-Length body may take this many bytes more,
 * kept buffered, so bytes right behind the body are seen (pipelining on a
 * server, a desynchronised upstream on a client).
 */
const LOOKAHEAD = 4096;

export type { WireBody };

/**
 * Makes the reader for a body framed as `framing` on `reader`; transfer
 * codings beneath the framing are decoded (transfer_coding.ts) as far as
 * they can be, and the reader's `transferCodings` names those that stay.
 */
export function wireBody(reader: BufferedReader, framing: Framing): WireBody {
  switch (framing.kind) {
    case "none":
      return new LengthBody(reader, 0);
    case "length":
      return new LengthBody(reader, framing.length);
    case "chunked":
      return decoded(new ChunkedBody(reader), framing.codings);
    case "until-close":
      return decoded(new UntilCloseBody(reader), framing.codings);
  }
}

function decoded(wire: WireBody, codings: string[] | undefined): WireBody {
  return codings ? decodedBody(wire, codings) : wire;
}

class LengthBody implements WireBody {
  readonly length: number;
  #reader: BufferedReader;
  #left: number;
  #cancelled = false;

  constructor(reader: BufferedReader, length: number) {
    this.#reader = reader;
    this.length = length;
    this.#left = length;
  }

  get complete(): boolean {
    return this.#left === 0 && !this.#cancelled;
  }

  async read(): Promise<Uint8Array | null> {
    if (this.#left === 0 || this.#cancelled) return null;
    const last = this.#left <= CHUNK;
    const chunk = await this.#reader.readChunk(
      Math.min(this.#left, CHUNK),
      last ? LOOKAHEAD : 0,
    );
    if (chunk === null) {
      throw new HttpError("truncated", `body ended ${this.#left} bytes short`);
    }
    this.#left -= chunk.length;
    return chunk;
  }

  trailers(): undefined {
    return undefined;
  }

  cancel(): Promise<void> {
    if (this.#left > 0) this.#cancelled = true;
    return Promise.resolve();
  }
}

class ChunkedBody implements WireBody {
  readonly length = undefined;
  #reader: BufferedReader;
  #left = 0; // bytes left in the current chunk
  #state: "size" | "data" | "done" | "cancelled" = "size";
  #trailers: FieldList | undefined;

  constructor(reader: BufferedReader) {
    this.#reader = reader;
  }

  get complete(): boolean {
    return this.#state === "done";
  }

  async read(): Promise<Uint8Array | null> {
    if (this.#state === "size") await this.#readSize();
    if (this.#state !== "data") return null;
    const chunk = await this.#reader.readChunk(Math.min(this.#left, CHUNK));
    if (chunk === null) {
      throw new HttpError("truncated", "chunked body cut short");
    }
    this.#left -= chunk.length;
    if (this.#left === 0) {
      const end = await this.#reader.readLine(0); // RFC 9112 §7.1: CRLF after chunk-data
      if (end !== "") {
        throw new HttpError("framing", "missing CRLF after chunk data");
      }
      this.#state = "size";
    }
    return chunk;
  }

  trailers(): FieldList | undefined {
    return this.#trailers;
  }

  cancel(): Promise<void> {
    if (this.#state !== "done") this.#state = "cancelled";
    return Promise.resolve();
  }

  async #readSize(): Promise<void> {
    const line = await this.#reader.readLine(MAX_CHUNK_LINE);
    const semi = line.indexOf(";");
    const sizeText = semi === -1 ? line : line.slice(0, semi);
    const size = sizeText.replace(/[ \t]+$/, ""); // BWS before chunk-ext (RFC 9112 §7.1.1)
    if (!HEX_SIZE.test(size)) throw new HttpError("framing", "bad chunk size");
    this.#left = parseInt(size, 16);
    if (!Number.isSafeInteger(this.#left)) {
      throw new HttpError("framing", "chunk size too large");
    }
    if (this.#left > 0) {
      this.#state = "data";
      return;
    }
    this.#trailers = await this.#readTrailers(); // RFC 9112 §7.1.2
    this.#state = "done";
  }

  async #readTrailers(): Promise<FieldList | undefined> {
    const lines: string[] = [];
    let bytes = 0;
    for (;;) {
      const line = await this.#reader.readLine(MAX_TRAILER_BYTES);
      if (line === "") break;
      bytes += line.length;
      if (bytes > MAX_TRAILER_BYTES) {
        throw new HttpError("framing", "trailers too large");
      }
      lines.push(line);
    }
    if (lines.length === 0) return undefined;
    try {
      return parseFields(lines, 0, DEFAULT_HEAD_LIMITS);
    } catch (e) {
      if (e instanceof HttpError) {
        throw new HttpError("framing", `bad trailer: ${e.message}`);
      }
      throw e;
    }
  }
}

class UntilCloseBody implements WireBody {
  readonly length = undefined;
  #reader: BufferedReader;
  #done = false;

  constructor(reader: BufferedReader) {
    this.#reader = reader;
  }

  get complete(): boolean {
    return false; // the connection ends with this body: never reusable
  }

  async read(): Promise<Uint8Array | null> {
    if (this.#done) return null;
    const chunk = await this.#reader.readChunk(CHUNK);
    if (chunk === null) this.#done = true;
    return chunk;
  }

  trailers(): undefined {
    return undefined;
  }

  cancel(): Promise<void> {
    this.#done = true;
    return Promise.resolve();
  }
}

/** A body held in memory, handed out as one chunk. */
export function bytesBody(bytes: Uint8Array): BodyReader {
  let sent = false;
  return {
    length: bytes.length,
    read() {
      if (sent || bytes.length === 0) return Promise.resolve(null);
      sent = true;
      return Promise.resolve(bytes);
    },
    trailers: () => undefined,
    cancel() {
      sent = true;
      return Promise.resolve();
    },
  };
}

/** An empty body. */
export const EMPTY_BODY: BodyReader = Object.freeze({
  length: 0,
  read: () => Promise.resolve(null),
  trailers: () => undefined,
  cancel: () => Promise.resolve(),
});

/** Reads a whole body into memory, refusing more than `max` bytes. */
export async function readAll(
  body: BodyReader,
  max = 16 * 1024 * 1024,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for (let c = await body.read(); c !== null; c = await body.read()) {
    size += c.length;
    if (size > max) {
      await body.cancel();
      throw new Error(`Cannot read body: larger than ${max} bytes`);
    }
    parts.push(c);
  }
  return concatBytes(parts);
}
