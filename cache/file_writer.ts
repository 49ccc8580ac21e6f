/**
 * Owns one write into the file store: the body streams into its own
 * `<variant>-<writeId>.body.tmp`, and only a complete body of the promised
 * size is renamed to its final (still unreferenced) name and handed to the
 * store to switch in. Commits of one variant take turns in call order, so
 * the last commit wins. `write()` never rejects: a failure (full disk, I/O
 * error) is remembered and reported by `commit()` returning false, with
 * the temp file removed and the older entry left in place.
 *
 * Must not touch the index nor other writes' files; the switch belongs to
 * the store.
 */

import { join } from "node:path";
import { concatBytes } from "../http/bytes.ts";
import { variantId } from "./key.ts";
import { slotOf } from "./lru_index.ts";
import type { EntryMeta } from "./meta.ts";
import type { EntryDraft, EntryWriter } from "./store.ts";
import {
  bodyName,
  entryDir,
  removeQuietly,
  TEMP_SUFFIX,
} from "./file_layout.ts";

/** What a writer needs from its store. */
export interface WriterHost {
  readonly root: string;
  /** The store's byte cap: a longer body is never stored. */
  readonly sizeBytes: number;
  /** Bodies up to this size are kept in memory while writing. */
  readonly keepInMemory: number;
  newWriteId(): string;
  /** Runs `work` in the slot's turn (commits of one variant land in call order). */
  inSlotTurn<T>(slot: string, work: () => Promise<T>): Promise<T>;
  /**
   * Makes the renamed body current with `meta`, in the slot's turn; returns
   * false (the body file removed) when it could not.
   */
  switchIn(meta: EntryMeta, bytes: Uint8Array | undefined): Promise<boolean>;
  /** Evicts down to the cap, after the slot's turn. */
  evict(): Promise<void>;
  /** Counts a failed write. */
  writeFailed(): void;
  /** The writer is done (committed or not). */
  finished(writer: FileWriter): void;
}

/** An EntryWriter that streams into a temp file. */
export class FileWriter implements EntryWriter {
  #host: WriterHost;
  #draft: EntryDraft;
  #dir: string;
  #variant: string;
  #bodyFile: string;
  #tempPath: string;
  #file: Deno.FsFile | undefined;
  #queue: Promise<void>;
  #error: unknown = undefined;
  #written = 0;
  #tooLarge = false;
  #small: Uint8Array[] | undefined = [];
  #state: "open" | "ending" | "done" = "open";
  #ending: Promise<unknown> = Promise.resolve();

  constructor(host: WriterHost, draft: EntryDraft) {
    this.#host = host;
    this.#draft = draft;
    this.#dir = entryDir(host.root, draft.key);
    this.#variant = variantId(draft.vary);
    this.#bodyFile = bodyName(this.#variant, host.newWriteId());
    this.#tempPath = join(this.#dir, this.#bodyFile + TEMP_SUFFIX);
    this.#queue = this.#openFile();
  }

  write(chunk: Uint8Array): Promise<void> {
    if (this.#state !== "open") return Promise.resolve();
    this.#written += chunk.length;
    if (this.#written > this.#host.sizeBytes) this.#tooLarge = true; // never stored: stop writing
    if (this.#tooLarge) return this.#queue;
    this.#keepSmall(chunk);
    this.#queue = this.#queue.then(() => this.#writeNow(chunk));
    return this.#queue;
  }

  commit(bodySize: number): Promise<boolean> {
    if (this.#state !== "open") return Promise.resolve(false);
    this.#state = "ending";
    const ending = this.#host
      .inSlotTurn(slotOf(this.#draft), () => this.#commit(bodySize))
      .then(async (stored) => {
        if (stored) await this.#host.evict();
        return stored;
      });
    this.#ending = ending;
    return ending;
  }

  abort(): Promise<void> {
    if (this.#state !== "open") return this.#ending.then(() => {});
    this.#state = "ending";
    const ending = this.#discard();
    this.#ending = ending;
    return ending;
  }

  /** Aborts an open write, or waits for the commit or abort under way. */
  settle(): Promise<void> {
    return this.abort();
  }

  async #commit(bodySize: number): Promise<boolean> {
    await this.#queue;
    this.#closeFile();
    const failed = this.#error !== undefined;
    if (failed || this.#tooLarge || this.#written !== bodySize) {
      if (failed) this.#host.writeFailed();
      return this.#discard().then(() => false);
    }
    const finalPath = join(this.#dir, this.#bodyFile);
    try {
      await Deno.rename(this.#tempPath, finalPath);
    } catch {
      this.#host.writeFailed();
      return this.#discard().then(() => false);
    }
    const meta: EntryMeta = {
      ...this.#draft,
      bodySize,
      bodyFile: this.#bodyFile,
    };
    const bytes = this.#small ? concatBytes(this.#small) : undefined;
    this.#small = undefined;
    try {
      return await this.#host.switchIn(meta, bytes);
    } finally {
      this.#finish();
    }
  }

  async #discard(): Promise<void> {
    await this.#queue;
    this.#closeFile();
    this.#small = undefined;
    await removeQuietly(this.#tempPath);
    this.#finish();
  }

  async #openFile(): Promise<void> {
    try {
      await Deno.mkdir(this.#dir, { recursive: true });
      this.#file = await Deno.open(this.#tempPath, {
        write: true,
        create: true,
        truncate: true,
      });
    } catch (error) {
      this.#error = error;
    }
  }

  async #writeNow(chunk: Uint8Array): Promise<void> {
    const file = this.#file;
    if (!file || this.#error !== undefined) return;
    try {
      let at = 0;
      while (at < chunk.length) at += await file.write(chunk.subarray(at));
    } catch (error) {
      this.#error = error;
    }
  }

  #keepSmall(chunk: Uint8Array): void {
    if (!this.#small) return;
    if (this.#written > this.#host.keepInMemory) {
      this.#small = undefined; // too large for the memory tier
      return;
    }
    this.#small.push(chunk.slice());
  }

  #closeFile(): void {
    const file = this.#file;
    this.#file = undefined;
    try {
      file?.close();
    } catch (error) {
      this.#error ??= error;
    }
  }

  #finish(): void {
    if (this.#state === "done") return;
    this.#state = "done";
    this.#host.finished(this);
  }
}

/** What `begin()` gives once the store is closed: stores nothing. */
export const CLOSED_WRITER: EntryWriter = {
  write: () => Promise.resolve(),
  commit: () => Promise.resolve(false),
  abort: () => Promise.resolve(),
};
