/**
 * Owns the byte/string conversion of message heads. Heads are handled as
 * "binary strings" (one char per byte, latin1) so that obs-text in field
 * values survives a round trip unchanged.
 *
 * Must not know HTTP syntax.
 */

import { Buffer } from "node:buffer";

const encoder = new TextEncoder();

/** Decodes bytes to a string with one char per byte. */
export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString("latin1");
}

/**
 * A head text that cannot be written: a char above U+00FF is no byte
 * (latin1Bytes()). The connection answers 500 when nothing was written.
 */
export class UnwritableHead extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = "UnwritableHead";
  }
}

/**
 * Encodes a one-char-per-byte string back to the same bytes. Throws
 * UnwritableHead ("Cannot encode head: ...") for a char above U+00FF: it
 * is no byte, and keeping its low byte could turn U+010A into a line feed
 * inside a head (a field injected by whoever chose the text).
 */
export function latin1Bytes(text: string): Uint8Array {
  const out = encoder.encode(text);
  if (out.length === text.length) return out; // pure ASCII: the common case
  const exact = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) {
      throw new UnwritableHead(
        `Cannot encode head: U+${
          code.toString(16).toUpperCase().padStart(4, "0")
        } at ${i} is not one byte`,
      );
    }
    exact[i] = code;
  }
  return exact;
}

/**
 * Joins byte arrays into one. A single part is returned itself, not
 * copied: the caller must own the parts (or never change the result).
 */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
