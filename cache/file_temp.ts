/**
 * Owns the files of one file-store write on disk: its temp body file
 * (`<hash>.<variant>-<writeId>.body.tmp` in its `<hh>` folder, listed as
 * live while it exists), opened for
 * writing with a read handle beside it for the followers (it outlives the
 * file's rename and removal), appended to, closed, renamed to its final
 * (still unreferenced) name or removed; and a small held body written
 * straight to its final name. Every I/O error is thrown to the writer.
 *
 * Must not decide whether to store nor tell followers anything: the
 * writer (file_writer.ts) does.
 */

import { type LiveTemps, removeQuietly, TEMP_SUFFIX } from "./file_layout.ts";
import { SYNC_WRITE_MAX_BYTES } from "./limits.ts";
import type { SharedFile } from "./shared_file.ts";

/** The temp body file of one write. */
export class TempBody {
  readonly #live: LiveTemps;
  readonly #path: string;
  readonly #finalPath: string;
  #file: Deno.FsFile | undefined;
  #created = false;

  /** The body `name` of the key whose files start with `base`: written as `name` + ".tmp" until renamed. */
  constructor(base: string, name: string, { live }: { live: LiveTemps }) {
    this.#live = live;
    this.#finalPath = base + name;
    this.#path = this.#finalPath + TEMP_SUFFIX;
  }

  /** The body's final path. */
  get finalPath(): string {
    return this.#finalPath;
  }

  /**
   * Creates the temp file and gives `reader` a read handle on it. Throws
   * on I/O errors.
   */
  async open(reader: SharedFile): Promise<void> {
    this.#created = true;
    this.#live.add(this.#path);
    this.#file = await Deno.open(this.#path, {
      write: true,
      create: true,
      truncate: true,
    });
    reader.attach(await Deno.open(this.#path, { read: true }));
  }

  /** Appends all of `chunk`; throws on I/O errors (a full disk) or when not open. */
  async append(chunk: Uint8Array): Promise<void> {
    const file = this.#file;
    if (!file) throw new Error("Cannot write the body: its file is not open");
    let at = 0;
    while (at < chunk.length) at += await file.write(chunk.subarray(at));
  }

  /** Closes the write handle (once); throws the close's I/O error. */
  close(): void {
    const file = this.#file;
    this.#file = undefined;
    file?.close();
  }

  /** Renames the temp file to its final name; throws on I/O errors. */
  async rename(): Promise<void> {
    await Deno.rename(this.#path, this.#finalPath);
    this.#live.delete(this.#path);
  }

  /** Removes the temp file, if it was made (a reader's handle outlives it). */
  async remove(): Promise<void> {
    if (this.#created) await removeQuietly(this.#path);
    this.#live.delete(this.#path);
  }

  /**
   * Writes a held body to the final name in one go (synchronously up to
   * SYNC_WRITE_MAX_BYTES); throws on I/O errors, leaving no file behind.
   */
  async writeWhole(bytes: Uint8Array): Promise<void> {
    try {
      await this.#writeFinal(bytes);
    } catch (error) {
      await removeQuietly(this.#finalPath);
      throw error;
    }
  }

  async #writeFinal(bytes: Uint8Array): Promise<void> {
    // its <hh> folder was made at open
    if (bytes.length <= SYNC_WRITE_MAX_BYTES) {
      Deno.writeFileSync(this.#finalPath, bytes);
    } else await Deno.writeFile(this.#finalPath, bytes);
  }
}
