/**
 * Owns the body readers the stores hand out: over bytes held in memory and
 * over an already opened body file, each yielding exactly the requested
 * bytes. A file that ends early is an error, never a quiet short body.
 *
 * Must not know where entries live nor which entry is current: the store
 * passes the open file and is told (onShort) when the file let it down.
 */

import type { BodyReader } from "../http/types.ts";
import type { ByteRange } from "./store.ts";
import { closeQuietly } from "../http/close.ts";
import { READ_CHUNK } from "./limits.ts";

/** Resolves an optional inclusive range against a body size; throws RangeError when it does not fit. */
export function resolveRange(
  size: number,
  range: ByteRange | undefined,
): { start: number; count: number } {
  if (!range) return { start: 0, count: size };
  const { start, end } = range;
  const fits = Number.isSafeInteger(start) && Number.isSafeInteger(end) &&
    start >= 0 && start <= end && end < size;
  if (!fits) {
    throw new RangeError(
      `Cannot open body range: ${start}-${end} is outside 0-${size - 1}`,
    );
  }
  return { start, count: end - start + 1 };
}

/**
 * A reader over bytes held by a store. Chunks are views of the stored
 * bytes: read-only for the caller.
 */
export function bytesReader(bytes: Uint8Array): BodyReader {
  let at = 0;
  return {
    length: bytes.length,
    read() {
      if (at >= bytes.length) return Promise.resolve(null);
      const chunk = bytes.subarray(at, at + READ_CHUNK);
      at += chunk.length;
      return Promise.resolve(chunk);
    },
    trailers: () => undefined,
    cancel() {
      at = bytes.length;
      return Promise.resolve();
    },
  };
}

/** What a file body reports to the store that opened it. */
export interface FileBodyHooks {
  /** The file ended before the promised bytes (the entry is torn). */
  onShort(): void;
  /** The file was closed (end, cancel, error or abort). */
  onClose(reader: FileBody): void;
}

/**
 * Reads `count` bytes from an open file positioned at the first of them,
 * in chunks of up to READ_CHUNK, and closes the file at the end, on
 * cancel, on error and on `abort()`. Every chunk is a view of one buffer,
 * valid until the next read(): a hit streamed to many clients then costs
 * one buffer each instead of a fresh one per chunk. Copy what you keep.
 */
export class FileBody implements BodyReader {
  readonly length: number;
  #file: Deno.FsFile;
  #hooks: FileBodyHooks;
  #left: number;
  #open = true;
  #reading = false;
  #cancelled = false;
  #aborted = false;
  #buffer: Uint8Array | undefined;

  constructor(file: Deno.FsFile, count: number, hooks: FileBodyHooks) {
    this.#file = file;
    this.length = count;
    this.#left = count;
    this.#hooks = hooks;
    if (count === 0) this.#close();
  }

  async read(): Promise<Uint8Array | null> {
    if (this.#aborted) {
      throw new Error("Cannot read cached body: the store was closed");
    }
    if (this.#left === 0 || this.#cancelled || !this.#open) return null;
    const buffer = this.#buffer ??= new Uint8Array(
      Math.min(this.length, READ_CHUNK),
    );
    let got: number | null;
    this.#reading = true;
    try {
      got = await this.#file.read(
        buffer.subarray(0, Math.min(this.#left, buffer.length)),
      );
    } catch (error) {
      this.#close();
      throw new Error(`Cannot read cached body: ${messageOf(error)}`);
    } finally {
      this.#reading = false;
    }
    if (this.#aborted) {
      this.#close();
      throw new Error("Cannot read cached body: the store was closed");
    }
    if (this.#cancelled) {
      this.#close();
      return null;
    }
    if (got === null) {
      this.#close();
      this.#hooks.onShort();
      throw new Error(
        `Cannot read cached body: the file ended ${this.#left} bytes short`,
      );
    }
    this.#left -= got;
    if (this.#left === 0) this.#close();
    return buffer.subarray(0, got);
  }

  trailers(): undefined {
    return undefined;
  }

  cancel(): Promise<void> {
    this.#cancelled = true;
    if (!this.#reading) this.#close(); // else closed when the pending read returns
    return Promise.resolve();
  }

  /** Stops the reader for good: the next read throws (used by the store's close). */
  abort(): void {
    this.#aborted = true;
    if (!this.#reading) this.#close();
  }

  #close(): void {
    if (!this.#open) return;
    this.#open = false;
    closeQuietly(this.#file);
    this.#hooks.onClose(this);
  }
}

/**
 * Opens a file for reading that must be a regular file holding exactly
 * `size` bytes. Says "missing" or "wrong-size" when it is torn,
 * "not-a-file" when a folder, symlink, FIFO, socket or device lies
 * there (lstat'ed first, never opened: a FIFO's open would wait for a
 * writer; and checked again on the open file), "failed" when it could
 * not be opened for another reason (the file is then not to blame).
 */
export async function openExact(
  path: string,
  size: number,
): Promise<Deno.FsFile | "missing" | "wrong-size" | "not-a-file" | "failed"> {
  let link: Deno.FileInfo;
  try {
    link = await Deno.lstat(path);
  } catch (error) {
    return error instanceof Deno.errors.NotFound ? "missing" : "failed";
  }
  if (!link.isFile) return "not-a-file";
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    return error instanceof Deno.errors.NotFound ? "missing" : "failed";
  }
  try {
    const info = await file.stat();
    let problem: "not-a-file" | "wrong-size" | undefined;
    if (!info.isFile || info.ino !== link.ino || info.dev !== link.dev) {
      problem = "not-a-file"; // swapped after the lstat
    } else if (info.size !== size) problem = "wrong-size";
    if (!problem) return file;
    closeQuietly(file);
    return problem;
  } catch {
    closeQuietly(file);
    return "failed";
  }
}

/**
 * Reads exactly `size` bytes from an open file's position and closes it;
 * undefined when the file ends early. Throws on I/O errors (file closed).
 */
export async function readWhole(
  file: Deno.FsFile,
  size: number,
): Promise<Uint8Array | undefined> {
  try {
    const bytes = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const got = await file.read(bytes.subarray(at));
      if (got === null) return undefined;
      at += got;
    }
    return bytes;
  } finally {
    closeQuietly(file);
  }
}
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
