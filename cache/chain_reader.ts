/**
 * Owns reading several body readers one after another as one body: the
 * bytes of a range a partial entry holds in several pieces.
 *
 * Must not open anything: the store opens the parts (and tracks them).
 */

import type { BodyReader } from "../http/types.ts";

/**
 * One reader over `parts` in order, announcing `length` bytes (their
 * sum). A part that throws cancels the others and the error goes on;
 * cancel() cancels every part not yet read to its end. Chunks are the
 * parts' own (see each part's rules for how long they stay valid).
 */
export function chainReaders(
  parts: readonly BodyReader[],
  length: number,
): BodyReader {
  let at = 0;
  const cancelFrom = async (index: number) => {
    const rest = parts.slice(index);
    at = parts.length;
    await Promise.all(rest.map((part) => part.cancel()));
  };
  return {
    length,
    async read() {
      while (at < parts.length) {
        let chunk: Uint8Array | null;
        try {
          chunk = await parts[at]!.read();
        } catch (error) {
          await cancelFrom(at + 1);
          throw error;
        }
        if (chunk) return chunk;
        at++;
      }
      return null;
    },
    trailers: () => undefined,
    cancel: () => cancelFrom(at),
  };
}
