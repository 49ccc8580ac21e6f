/**
 * Owns one write into the file store: the body streams into its own
 * `<variant>-<writeId>.body.tmp`, and only a complete body of the promised
 * size is renamed to its final (still unreferenced) name and handed to the
 * store to switch in. A small body (up to WRITER_BUFFER_LIMIT) is held in memory
 * instead and written once, at commit, straight to its final name: one
 * file operation instead of four (open, write, close, rename), and still
 * nothing references it until the switch. Commits of one variant take
 * turns in call order, so the last commit wins. `write()` never rejects: a
 * failure (full disk, I/O error) is remembered and reported by `commit()`
 * returning false, with the partial file removed and the older entry left
 * in place. Followers read the body while it is written (fill.ts): from
 * the held chunks, then through a read handle on the temp file, which the
 * writer opens beside its write handle and which survives the rename.
 *
 * Must not touch the index nor other writes' files; the switch belongs to
 * the store.
 */

import { join } from "node:path";
import { concatBytes } from "../http/bytes.ts";
import type { BodyReader } from "../http/types.ts";
import { openExact } from "./body_reader.ts";
import { Fill } from "./fill.ts";
import type { FollowerHooks } from "./follower.ts";
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
import { WRITER_BUFFER_LIMIT } from "./limits.ts";

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
  /** Keeps track of followers (the store stops them at close). */
  readonly followers: FollowerHooks;
  /** True once the store is closed: new followers are stopped at once. */
  isClosed(): boolean;
}

/** Why followers of a write throw. */
const ABORTED = "the fill was aborted";
const TOO_LARGE = "the body is larger than the store's cap";
const NOT_STORED = "the fill was not stored (wrong size or a failed write)";

/** An EntryWriter that streams into a temp file (or buffers a small body). */
export class FileWriter implements EntryWriter {
  #host: WriterHost;
  #draft: EntryDraft;
  #dir: string;
  #variant: string;
  #bodyFile: string;
  #tempPath: string;
  #file: Deno.FsFile | undefined;
  #queue: Promise<void> = Promise.resolve();
  #error: unknown = undefined;
  #written = 0;
  #tooLarge = false;
  /** The body so far while it is small enough to hold; undefined once streaming to the file. */
  #buffered: Uint8Array[] | undefined = [];
  #state: "open" | "ending" | "done" = "open";
  #ending: Promise<unknown> = Promise.resolve();
  #fill: Fill;

  constructor(host: WriterHost, draft: EntryDraft) {
    this.#host = host;
    this.#fill = new Fill(host.followers);
    this.#fill.file.hold(); // the writer's hold, released when it finishes
    this.#draft = draft;
    this.#dir = entryDir(host.root, draft.key);
    this.#variant = variantId(draft.vary);
    this.#bodyFile = bodyName(this.#variant, host.newWriteId());
    this.#tempPath = join(this.#dir, this.#bodyFile + TEMP_SUFFIX);
  }

  write(chunk: Uint8Array): Promise<void> {
    if (this.#state !== "open") return Promise.resolve();
    this.#written += chunk.length;
    if (this.#written > this.#host.sizeBytes) {
      this.#tooLarge = true; // never stored: stop writing
      this.#fill.fail(TOO_LARGE);
    }
    if (this.#tooLarge) return this.#queue;
    if (this.#buffered && this.#written <= WRITER_BUFFER_LIMIT) {
      const copy = chunk.slice();
      this.#buffered.push(copy);
      this.#fill.hold(copy);
      return this.#queue;
    }
    if (this.#buffered) {
      const held = this.#buffered; // too large to hold: from now on, stream to the temp file
      this.#buffered = undefined;
      this.#queue = this.#queue.then(() => this.#openFile()).then(() =>
        this.#writeNow(concatBytes(held))
      ).then(() => this.#fill.forgetHeld());
    }
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

  follow(length?: number): BodyReader {
    const follower = this.#fill.follow(length);
    if (this.#host.isClosed()) follower.abort();
    return follower;
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
      this.#fill.fail(NOT_STORED);
      return this.#discard().then(() => false);
    }
    const finalPath = join(this.#dir, this.#bodyFile);
    const held = this.#buffered ? concatBytes(this.#buffered) : undefined;
    this.#buffered = undefined;
    if (held) this.#fill.holdWhole(held);
    try {
      if (held) await this.#writeWhole(finalPath, held);
      else await Deno.rename(this.#tempPath, finalPath);
    } catch {
      this.#host.writeFailed();
      this.#fill.fail(NOT_STORED);
      if (held) await removeQuietly(finalPath);
      return this.#discard().then(() => false);
    }
    this.#fill.file.reopenWith(async () => {
      const file = await openExact(finalPath, bodySize);
      return typeof file === "string" ? undefined : file;
    });
    const meta: EntryMeta = {
      ...this.#draft,
      bodySize,
      bodyFile: this.#bodyFile,
    };
    const bytes = held && held.length <= this.#host.keepInMemory
      ? held
      : undefined;
    try {
      const stored = await this.#host.switchIn(meta, bytes);
      if (stored) this.#fill.commit(bodySize);
      else this.#fill.fail(NOT_STORED);
      return stored;
    } finally {
      this.#finish();
    }
  }

  async #discard(): Promise<void> {
    this.#fill.fail(ABORTED); // unless it failed for another reason first
    await this.#queue;
    this.#closeFile();
    const streamed = this.#buffered === undefined;
    this.#buffered = undefined;
    if (streamed) await removeQuietly(this.#tempPath);
    this.#finish();
  }

  /** Writes a held body to its final (still unreferenced) name in one go. */
  async #writeWhole(path: string, bytes: Uint8Array): Promise<void> {
    try {
      await Deno.writeFile(path, bytes);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      await Deno.mkdir(this.#dir, { recursive: true }); // the entry's folder is new
      await Deno.writeFile(path, bytes);
    }
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
      this.#failed(error);
      return;
    }
    try {
      this.#fill.file.attach(await Deno.open(this.#tempPath, { read: true }));
    } catch (error) {
      this.#fill.fail(`cannot open the temp file: ${messageOf(error)}`); // followers only: the write goes on
    }
  }

  async #writeNow(chunk: Uint8Array): Promise<void> {
    const file = this.#file;
    if (!file || this.#error !== undefined) return;
    try {
      let at = 0;
      while (at < chunk.length) at += await file.write(chunk.subarray(at));
    } catch (error) {
      this.#failed(error);
      return;
    }
    this.#fill.flushed(chunk.length);
  }

  /** Remembers a write failure (reported by commit) and fails the followers at once. */
  #failed(error: unknown): void {
    this.#error ??= error;
    this.#fill.fail(`the write failed: ${messageOf(error)}`);
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
    this.#fill.file.release();
    this.#host.finished(this);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What `begin()` gives once the store is closed: stores nothing; its followers throw. */
export const CLOSED_WRITER: EntryWriter = {
  write: () => Promise.resolve(),
  commit: () => Promise.resolve(false),
  abort: () => Promise.resolve(),
  follow: (length) => {
    const fill = new Fill();
    fill.fail("the store was closed");
    return fill.follow(length);
  },
};
