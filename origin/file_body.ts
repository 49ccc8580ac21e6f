/**
 * Owns streaming a byte range of an open file as a BodyReader: fixed-size
 * reads into fresh buffers (chunks are the caller's), an exact length
 * known up front so the server frames it with Content-Length, and the
 * file closed exactly once, at the end, on cancel or on error.
 *
 * Must not decide which range to send nor open files by name.
 */

import type { BodyReader } from "../http/types.ts";

/** Size of each read from the file. */
export const FILE_CHUNK_SIZE = 64 * 1024;

/**
 * A body of `length` bytes of `file` from offset `start`. Takes ownership
 * of `file`. A file that ends before `length` bytes is an error (the
 * server then closes the connection instead of sending a short body).
 */
export function fileBody(
  file: Deno.FsFile,
  start: number,
  length: number,
): BodyReader {
  let left = length;
  let positioned = start === 0;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    file.close();
  };
  return {
    length,
    async read() {
      if (left === 0) {
        close();
        return null;
      }
      if (closed) return null;
      try {
        if (!positioned) {
          await file.seek(start, Deno.SeekMode.Start);
          positioned = true;
        }
        const chunk = new Uint8Array(Math.min(left, FILE_CHUNK_SIZE));
        let filled = 0;
        while (filled < chunk.length) {
          const n = await file.read(chunk.subarray(filled));
          if (n === null) {
            throw new Error(
              `Cannot read file: it ended ${left - filled} bytes early`,
            );
          }
          filled += n;
        }
        left -= filled;
        if (left === 0) close();
        return chunk;
      } catch (e) {
        close();
        throw e;
      }
    },
    trailers: () => undefined,
    cancel() {
      close();
      return Promise.resolve();
    },
  };
}

/**
 * Reads `length` bytes of `file` from offset `start` into memory, for
 * small bodies sent in one write with their head. Does not close `file`.
 * Throws when the file ends early (it shrank since it was measured).
 */
export async function readRange(
  file: Deno.FsFile,
  start: number,
  length: number,
): Promise<Uint8Array> {
  if (start !== 0) await file.seek(start, Deno.SeekMode.Start);
  const bytes = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const n = await file.read(bytes.subarray(filled));
    if (n === null) {
      throw new Error(
        `Cannot read file: it ended ${length - filled} bytes early`,
      );
    }
    filled += n;
  }
  return bytes;
}
