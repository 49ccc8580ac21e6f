/**
 * Owns the bench origin's side: the files it serves (random bytes, so no
 * layer can compress them), and counting the lines of its access log (its
 * stderr, in a file) to tell which requests reached it.
 *
 * Must not start the origin or talk HTTP.
 */

import type { BenchFile } from "./figures.ts";

const BLOCK = 1024 * 1024;

/** One MiB of random bytes (getRandomValues gives at most 64 KiB a call). */
function randomBlock(): Uint8Array {
  const block = new Uint8Array(BLOCK);
  for (let at = 0; at < BLOCK; at += 65536) {
    crypto.getRandomValues(block.subarray(at, at + 65536));
  }
  return block;
}

/** Writes each of `files` under `root`, `bytes` long, from one random MiB repeated. */
export async function writeBenchFiles(
  root: string,
  files: readonly BenchFile[],
): Promise<void> {
  const block = randomBlock();
  for (const file of files) {
    using out = await Deno.open(`${root}${file.path}`, {
      write: true,
      create: true,
      truncate: true,
    });
    for (let written = 0; written < file.bytes;) {
      const size = Math.min(BLOCK, file.bytes - written);
      let chunk = block.subarray(0, size);
      while (chunk.length > 0) chunk = chunk.subarray(await out.write(chunk));
      written += size;
    }
  }
}

/** The number of "\n" bytes in `bytes`. */
export function countNewlines(bytes: Uint8Array): number {
  let count = 0;
  let at = bytes.indexOf(10);
  while (at !== -1) {
    count++;
    at = bytes.indexOf(10, at + 1);
  }
  return count;
}

/** Counts the lines of a growing log file, reading only what is new each time. */
export class LogLines {
  #path: string;
  #offset = 0;
  #count = 0;

  constructor(path: string) {
    this.#path = path;
  }

  /** The number of complete lines in the file now. */
  async count(): Promise<number> {
    using file = await Deno.open(this.#path, { read: true });
    await file.seek(this.#offset, Deno.SeekMode.Start);
    const buffer = new Uint8Array(1024 * 1024);
    for (;;) {
      const n = await file.read(buffer);
      if (n === null) break;
      this.#count += countNewlines(buffer.subarray(0, n));
      this.#offset += n;
    }
    return this.#count;
  }
}
