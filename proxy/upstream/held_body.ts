/**
 * Owns the client's request body as the exchange sends it, once or
 * twice: the first HELD_REQUEST_BODY bytes read are kept so that a second
 * attempt can send the body from its start; past the limit nothing is
 * kept and the body cannot be replayed. A body of announced length within
 * the limit can be read whole before anything is sent.
 *
 * Must not decide whether to send again (retry.ts does) nor write.
 */

import type { FieldList } from "../../http/headers.ts";
import type { BodyReader } from "../../http/types.ts";
import { HELD_REQUEST_BODY } from "../../cache/limits.ts";

/** A request body that can be read again from its start while it is small. */
export class HeldBody {
  readonly inner: BodyReader;
  #limit: number;
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #overflow = false;
  #done = false;
  #final = false;
  #cancelAsked = false;
  #current: object | undefined;

  constructor(inner: BodyReader, limit = HELD_REQUEST_BODY) {
    this.inner = inner;
    this.#limit = limit;
  }

  /** True while every byte read so far is held: the body can start over. */
  get replayable(): boolean {
    return !this.#overflow;
  }

  /**
   * Reads the whole body now when its announced length is within the
   * limit (then every attempt replays it); otherwise does nothing. Throws
   * what the client's body throws (a truncated or malformed body).
   */
  async preload(): Promise<void> {
    const length = this.inner.length;
    if (length === undefined || length > this.#limit) return;
    while (await this.#pull() !== null);
  }

  /**
   * A reader for one attempt: the held bytes first, then the rest of the
   * client's body (held too while within the limit). Its cancel() is
   * deferred until no further attempt can follow (see finalize()).
   */
  attempt(): BodyReader {
    const token = {};
    this.#current = token;
    this.#cancelAsked = false;
    let next = 0; // index of the next held chunk to hand out
    return {
      length: this.inner.length,
      read: async () => {
        if (next < this.#chunks.length) return this.#chunks[next++]!;
        const chunk = await this.#pull();
        next = this.#chunks.length;
        return chunk;
      },
      trailers: (): FieldList | undefined => this.inner.trailers(),
      cancel: async () => {
        if (this.#current !== token) return;
        if (this.#final) await this.#cancelInner();
        else this.#cancelAsked = true;
      },
    };
  }

  /**
   * No further attempt will be made: a cancel the current attempt asked
   * for reaches the client's body now, later ones at once.
   */
  async finalize(): Promise<void> {
    if (this.#final) return;
    this.#final = true;
    if (this.#cancelAsked) await this.#cancelInner();
  }

  async #cancelInner(): Promise<void> {
    if (!this.#done) await this.inner.cancel();
  }

  async #pull(): Promise<Uint8Array | null> {
    if (this.#done) return null;
    const chunk = await this.inner.read();
    if (chunk === null) {
      this.#done = true;
      return null;
    }
    if (!this.#overflow && this.#bytes + chunk.length <= this.#limit) {
      this.#chunks.push(chunk);
      this.#bytes += chunk.length;
    } else {
      this.#overflow = true;
      this.#chunks = []; // past the limit nothing can be replayed: let it go
    }
    return chunk;
  }
}
