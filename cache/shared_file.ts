/**
 * Owns the one read handle the followers of a fill share on its body file:
 * reads at an offset taken in turns (seek, then read), the handle closed
 * when its last holder lets go, and reopened (at the committed body's
 * path) when a holder needs it again. One handle per fill, whatever the
 * number of followers; it stays valid when the file is renamed or
 * unlinked under it (POSIX).
 *
 * Must not know which bytes are written nor whether the fill completed:
 * the Fill says how far a reader may read.
 */

import { closeQuietly } from "../http/close.ts";

/** Opens the body file again, or undefined when it is gone. */
export type Reopen = () => Promise<Deno.FsFile | undefined>;

/** A read handle shared by its holders. */
export class SharedFile {
  #file: Deno.FsFile | undefined;
  #holders = 0;
  #turn: Promise<unknown> = Promise.resolve();
  #reopen: Reopen | undefined;

  /** Holders now (the writer while it writes, plus each live follower). */
  get holders(): number {
    return this.#holders;
  }

  /** True while a handle is open. */
  get isOpen(): boolean {
    return this.#file !== undefined;
  }

  /** One more holder: the handle stays open until every holder released it. */
  hold(): void {
    this.#holders++;
  }

  /** One holder fewer; the last one closes the handle. Call it only when none of your reads is under way. */
  release(): void {
    if (this.#holders === 0) return;
    this.#holders--;
    if (this.#holders === 0) this.#closeFile();
  }

  /** Gives the handle to read from (closed at once when nobody holds it). */
  attach(file: Deno.FsFile): void {
    if (this.#holders === 0 || this.#file) {
      closeQuietly(file);
      return;
    }
    this.#file = file;
  }

  /** How to open the file again once it was closed (the committed body's path). */
  reopenWith(reopen: Reopen): void {
    this.#reopen = reopen;
  }

  /**
   * Reads up to `into.length` bytes at byte `at` of the file into `into`;
   * resolves to the count read, or null at the end of the file. Throws
   * when there is no file to read from (never attached, or gone since) or
   * on I/O errors. The caller must hold the file.
   */
  readAt(at: number, into: Uint8Array): Promise<number | null> {
    const read = this.#turn.then(async () => {
      const file = this.#file ?? await this.#open();
      file.seekSync(at, Deno.SeekMode.Start);
      return await file.read(into);
    });
    this.#turn = read.catch(() => {});
    return read;
  }

  async #open(): Promise<Deno.FsFile> {
    const file = await this.#reopen?.();
    if (!file) throw new Error("the body file is gone (replaced or removed)");
    if (this.#holders === 0) {
      closeQuietly(file);
      throw new Error("the body file was released");
    }
    this.#file = file;
    return file;
  }

  #closeFile(): void {
    const file = this.#file;
    this.#file = undefined;
    if (file) closeQuietly(file);
  }
}
