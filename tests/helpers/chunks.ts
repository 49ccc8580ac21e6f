/**
 * Owns the chunked bodies the cache flow's component tests script: `count`
 * chunks of CHUNK bytes, chunk i filled with i, each after an optional
 * gate, counted as they are yielded; and the bytes they add up to.
 *
 * Must not assert.
 */

/** The size of one scripted chunk (64 KiB). */
export const CHUNK = 64 * 1024;

/** `count` chunks of CHUNK bytes, chunk i filled with i; `seen` counts those yielded. */
export function chunks(
  count: number,
  how: {
    seen?: { yielded: number };
    gate?: (i: number) => Promise<void>;
  } = {},
): AsyncIterable<Uint8Array> {
  return (async function* () {
    for (let i = 0; i < count; i++) {
      await how.gate?.(i);
      if (how.seen) how.seen.yielded++;
      yield new Uint8Array(CHUNK).fill(i % 256);
    }
  })();
}

/** The bytes chunks(count) yields. */
export function expected(count: number): Uint8Array {
  const out = new Uint8Array(count * CHUNK);
  for (let i = 0; i < count; i++) out.fill(i % 256, i * CHUNK, (i + 1) * CHUNK);
  return out;
}
