/**
 * Owns the bench origin's side: the files it serves (random bytes, so no
 * layer can compress them), and counting the lines of its access log (its
 * stderr, in a file) to tell which requests reached it.
 *
 * Must not start the origin or talk HTTP.
 */

import { concatBytes } from "../../http/bytes.ts";
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

/** Counts and reads the lines of a growing log file, reading only what is new each time. */
export class LogLines {
  #path: string;
  #offset = 0;
  #count = 0;

  constructor(path: string) {
    this.#path = path;
  }

  /** The number of complete lines in the file now. */
  async count(): Promise<number> {
    await this.lines();
    return this.#count;
  }

  /**
   * The complete lines written since the last count() or lines() (without
   * their "\n"); a line still being written is left for the next call.
   */
  async lines(): Promise<string[]> {
    using file = await Deno.open(this.#path, { read: true });
    await file.seek(this.#offset, Deno.SeekMode.Start);
    const parts: Uint8Array[] = [];
    const buffer = new Uint8Array(1024 * 1024);
    for (;;) {
      const n = await file.read(buffer);
      if (n === null) break;
      parts.push(buffer.slice(0, n));
    }
    const bytes = concatBytes(parts);
    const end = bytes.lastIndexOf(10) + 1; // past the last complete line
    if (end === 0) return [];
    this.#offset += end;
    const lines = new TextDecoder().decode(bytes.subarray(0, end - 1)).split(
      "\n",
    );
    this.#count += lines.length;
    return lines;
  }
}
