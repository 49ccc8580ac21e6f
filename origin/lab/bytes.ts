/**
 * Owns the bytes of /lab/bytes/N: a stable pseudo-random sequence seeded
 * by N, computed at any offset (so a range needs no prefix), and a body
 * reader that yields a slice of it in chunks, never holding it whole.
 *
 * Must not evaluate Range or conditionals (routes_bytes.ts does).
 */

import type { BodyReader } from "../../http/types.ts";

/** The largest N /lab/bytes/N serves: 1 GiB. */
export const MAX_LAB_BYTES = 1024 * 1024 * 1024;

/** Size of the chunks the body reader yields. */
const CHUNK = 64 * 1024;

/**
 * The 32-bit word number `index` of the sequence seeded by `seed`: a
 * counter-based hash (the splitmix32/murmur3 finalizer), so any word is
 * computed without the ones before it.
 */
function word(seed: number, index: number): number {
  let x = (Math.imul(index, 0x9e3779b9) ^ Math.imul(seed | 0, 0x85ebca6b) ^
    Math.floor(seed / 2 ** 32)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Fills `out` with the bytes at `offset .. offset + out.length` of the
 * sequence seeded by `seed` (bytes of each word little-endian).
 */
export function fillLabBytes(
  seed: number,
  offset: number,
  out: Uint8Array,
): void {
  let i = 0;
  let pos = offset;
  let index = -1;
  let w = 0;
  while (i < out.length) {
    if (Math.floor(pos / 4) !== index) {
      index = Math.floor(pos / 4);
      w = word(seed, index);
    }
    out[i++] = (w >>> ((pos % 4) * 8)) & 0xff;
    pos++;
  }
}

/** A reader of `length` bytes of the sequence seeded by `seed`, from `start`. */
export function labBytesBody(
  seed: number,
  start: number,
  length: number,
): BodyReader {
  let sent = 0;
  let cancelled = false;
  return {
    length,
    read() {
      if (cancelled || sent >= length) return Promise.resolve(null);
      const size = Math.min(CHUNK, length - sent);
      const chunk = new Uint8Array(size);
      fillLabBytes(seed, start + sent, chunk);
      sent += size;
      return Promise.resolve(chunk);
    },
    trailers: () => undefined,
    cancel() {
      cancelled = true;
      return Promise.resolve();
    },
  };
}
