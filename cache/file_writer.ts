/**
 * Owns one write into the file store: the body streams into its own
 * `<variant>-<writeId>.body.tmp`, and only a complete body of the promised
 * size is renamed to its final (still unreferenced) name and handed to the
 * store to switch in. A small body (up to WRITER_BUFFER_LIMIT) is held in memory
 * instead and written once, at commit, straight to its final name: one
 * file operation instead of four (open, write, close, rename), and still
 * nothing references it until the switch. Commits of one variant take
 * turns in call order, so the last commit wins. Followers read the body
 * while it is written (fill.ts): from the held chunks, then through a read
 * handle on the temp file, which the writer opens beside its write handle
 * and which survives the rename and the removal of the file.
 *
 * A cache failure never fails a reader: `write()` never rejects, and once
 * a write failed (full disk, I/O error) the writer stores nothing more
 * but holds the rest of the body in memory for its followers, each chunk
 * until every follower read it; past FAILED_WRITE_BACKLOG held, the next
 * `write()` waits for the slowest follower (the one that failed resolves
 * at once). A body that arrived whole (commit or discard at the size
 * written) ends cleanly for every follower, stored or not; the partial
 * file is removed and the older entry left in place.
 *
 * Must not touch the index nor other writes' files; the switch belongs to
 * the store, file I/O to file_temp.ts.
 */

import { concatBytes } from "../http/bytes.ts";
import type { BodyReader } from "../http/types.ts";
import { openExact } from "./body_reader.ts";
import { Fill } from "./fill.ts";
import type { FollowerHooks } from "./follower.ts";
import { variantId } from "./key.ts";
import type { EntryMeta } from "./meta.ts";
import type { EntryDraft, EntryWriter } from "./store.ts";
import {
  bodyName,
  entryBase,
  inlineName,
  type LiveTemps,
} from "./file_layout.ts";
import { TempBody } from "./file_temp.ts";
import { FAILED_WRITE_BACKLOG, WRITER_BUFFER_LIMIT } from "./limits.ts";

/** What a writer needs from its store. */
export interface WriterHost {
  readonly root: string;
  /** The store's byte cap: a longer body is never stored. */
  readonly sizeBytes: number;
  /** Bodies up to this size are kept in memory while writing. */
  readonly keepInMemory: number;
  /** Held bodies of at most this many bytes are stored inside their sidecar (-1: never, e.g. a piece; 0: empty bodies only). */
  readonly inlineMax: number;
  newWriteId(): string;
  /** Temp files being written now (the start-up sweep leaves them alone). */
  readonly live: LiveTemps;
  /** Runs `work` in the turn of the entry's slot (commits of one variant land in call order). */
  inSlotTurn<T>(
    entry: Pick<EntryMeta, "key" | "vary">,
    work: () => Promise<T>,
  ): Promise<T>;
  /**
   * Makes the renamed body current with `meta`, in the slot's turn; returns
   * false (the body file removed) when it could not. `bytes`: for the
   * memory tier; `inline`: the body to write inside the sidecar (`meta`
   * then names an inline body, file_layout.ts).
   */
  switchIn(
    meta: EntryMeta,
    bytes: Uint8Array | undefined,
    inline?: Uint8Array,
  ): Promise<boolean>;
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

/** What a writer is told of its entry: its metadata but for the body (a piece's switch ignores the rest). */
export type WriteDraft = Omit<EntryDraft, "partial">;

/** Why followers of a write throw. */
const ABORTED = "the fill was aborted";
const TOO_LARGE = "the body is larger than the store's cap";

/** An EntryWriter that streams into a temp file (or buffers a small body). */
export class FileWriter implements EntryWriter {
  #host: WriterHost;
  #draft: WriteDraft;
  #bodyFile: string;
  #temp: TempBody;
  #queue: Promise<void> = Promise.resolve();
  /** The first write failure: nothing is stored from then on. */
  #error: unknown = undefined;
  #written = 0;
  #tooLarge = false;
  /** The body so far while it is small enough to hold; undefined once streaming to the file. */
  #buffered: Uint8Array[] | undefined = [];
  #state: "open" | "ending" | "done" = "open";
  #ending: Promise<unknown> = Promise.resolve();
  #fill: Fill;

  /** `draft` becomes the entry's metadata at commit, with its body's size and file, handed to `host.switchIn`. */
  constructor(host: WriterHost, draft: WriteDraft) {
    this.#host = host;
    this.#fill = new Fill(host.followers);
    this.#fill.file.hold(); // the writer's hold, released when it finishes
    this.#draft = draft;
    this.#bodyFile = bodyName(variantId(draft.vary), host.newWriteId());
    this.#temp = new TempBody(entryBase(host.root, draft.key), this.#bodyFile, {
      live: host.live,
    });
  }

  write(chunk: Uint8Array): Promise<boolean> {
    if (this.#state !== "open") return Promise.resolve(false);
    this.#written += chunk.length;
    if (this.#written > this.#host.sizeBytes && !this.#tooLarge) {
      this.#tooLarge = true; // never stored: stop writing
      this.#fill.fail(TOO_LARGE);
    }
    if (this.#tooLarge) return this.#queue.then(() => false);
    if (this.#buffered && this.#written <= WRITER_BUFFER_LIMIT) {
      const copy = chunk.slice();
      this.#buffered.push(copy);
      this.#fill.hold(copy);
      return this.#queue.then(() => this.#storing());
    }
    if (this.#buffered) {
      const held = this.#buffered; // too large to hold: from now on, stream to the temp file
      this.#buffered = undefined;
      this.#queue = this.#queue.then(() => this.#openFile()).then(() =>
        this.#writeNow(concatBytes(held), { held: true, wait: false })
      ).then(() => this.#fill.forgetHeld());
    }
    const wait = this.#error !== undefined; // the write that fails says so at once
    this.#queue = this.#queue.then(() =>
      this.#writeNow(chunk, { held: false, wait })
    );
    return this.#queue.then(() => this.#storing());
  }

  commit(bodySize: number): Promise<boolean> {
    if (this.#state !== "open") return Promise.resolve(false);
    this.#state = "ending";
    const ending = this.#host
      .inSlotTurn(this.#draft, () => this.#commit(bodySize))
      .then(async (stored) => {
        if (stored) await this.#host.evict();
        return stored;
      });
    this.#ending = ending;
    return ending;
  }

  discard(bodySize: number): Promise<void> {
    if (this.#state !== "open") return this.#ending.then(() => {});
    this.#state = "ending";
    const ending = this.#queue.then(() => {
      this.#end(bodySize, false);
      return this.#cleanUp();
    });
    this.#ending = ending;
    return ending;
  }

  abort(): Promise<void> {
    if (this.#state !== "open") return this.#ending.then(() => {});
    this.#state = "ending";
    this.#fill.fail(ABORTED);
    const ending = this.#cleanUp();
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

  /** True while the entry can still be stored. */
  #storing(): boolean {
    return this.#error === undefined && !this.#tooLarge &&
      this.#state === "open";
  }

  /**
   * The body ended at `bodySize` bytes: followers end there when that is
   * what was written within the cap (stored or not), else they throw.
   */
  #end(bodySize: number, stored: boolean): void {
    if (this.#tooLarge || this.#written !== bodySize) {
      this.#fill.fail(
        this.#tooLarge
          ? TOO_LARGE
          : `the write ended at ${bodySize} bytes, not the ${this.#written} written`,
      );
    } else {
      this.#fill.complete(bodySize, stored);
    }
  }

  async #commit(bodySize: number): Promise<boolean> {
    await this.#queue;
    this.#closeFile();
    const whole = !this.#tooLarge && this.#written === bodySize;
    if (this.#error !== undefined || !whole) {
      this.#end(bodySize, false); // after a failed write: whole, never stored
      return this.#cleanUp().then(() => false);
    }
    const finalPath = this.#temp.finalPath;
    const held = this.#buffered ? joined(this.#buffered) : undefined;
    this.#buffered = undefined;
    if (held) this.#fill.holdWhole(held);
    const inline = held && held.length <= this.#host.inlineMax
      ? held
      : undefined;
    try {
      if (inline) this.#bodyFile = this.#inlineName();
      else if (held) await this.#temp.writeWhole(held);
      else await this.#temp.rename();
    } catch {
      this.#host.writeFailed();
      this.#end(bodySize, false);
      return this.#cleanUp().then(() => false);
    }
    if (!inline) {
      this.#fill.file.reopenWith(async () => {
        const file = await openExact(finalPath, bodySize);
        return typeof file === "string" ? undefined : file;
      });
    }
    const meta: EntryMeta = {
      ...this.#draft,
      bodySize,
      bodyFile: this.#bodyFile,
    };
    const bytes = held && held.length <= this.#host.keepInMemory
      ? held
      : undefined;
    try {
      const stored = await this.#host.switchIn(meta, bytes, inline);
      this.#end(bodySize, stored); // whole either way: followers end cleanly
      return stored;
    } finally {
      this.#finish();
    }
  }

  /** The name of this write's body kept inside its sidecar: its body file's, marked inline. */
  #inlineName(): string {
    const variant = variantId(this.#draft.vary);
    const writeId = this.#bodyFile.slice(variant.length + 1, -".body".length);
    return inlineName(variant, writeId);
  }

  /** Closes the file, removes the temp file (a follower's handle outlives it), and finishes. */
  async #cleanUp(): Promise<void> {
    await this.#queue;
    this.#closeFile();
    this.#buffered = undefined;
    await this.#temp.remove();
    this.#finish();
  }

  async #openFile(): Promise<void> {
    try {
      await this.#temp.open(this.#fill.file);
    } catch (error) {
      this.#failed(error); // followers read the held bytes instead
    }
  }

  /**
   * Appends a chunk to the temp file; after a failure, holds it for the
   * followers instead (unless `held` already), then, when the failure
   * was known before this write (`wait`), waits for room.
   */
  async #writeNow(
    chunk: Uint8Array,
    how: { held: boolean; wait: boolean },
  ): Promise<void> {
    if (this.#error === undefined) {
      try {
        await this.#temp.append(chunk);
        this.#fill.flushed(chunk.length);
        return;
      } catch (error) {
        this.#failed(error);
      }
    }
    if (how.held) return;
    this.#fill.hold(chunk.slice()); // the caller may reuse its chunk
    if (how.wait) await this.#fill.room(FAILED_WRITE_BACKLOG);
  }

  /** Remembers the first write failure (counted): the writer stores nothing more, its followers read on. */
  #failed(error: unknown): void {
    if (this.#error !== undefined) return;
    this.#error = error;
    this.#host.writeFailed();
    this.#closeFile();
    this.#fill.unstore();
  }

  #closeFile(): void {
    try {
      this.#temp.close();
    } catch (error) {
      this.#failed(error);
    }
  }

  #finish(): void {
    if (this.#state === "done") return;
    this.#state = "done";
    this.#fill.file.release();
    this.#host.finished(this);
  }
}

/** The held chunks as one array: the one chunk itself (already the writer's own copy), or a join. */
function joined(chunks: Uint8Array[]): Uint8Array {
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks);
}

/** What `begin()` gives once the store is closed: stores nothing; its followers throw. */
export const CLOSED_WRITER: EntryWriter = {
  write: () => Promise.resolve(false),
  commit: () => Promise.resolve(false),
  discard: () => Promise.resolve(),
  abort: () => Promise.resolve(),
  follow: (length) => {
    const fill = new Fill();
    fill.fail("the store was closed");
    return fill.follow(length);
  },
};
