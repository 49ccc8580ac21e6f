/**
 * Owns decoding the transfer codings a response may carry beneath its
 * framing (RFC 9112 §7): gzip (and x-gzip), deflate (zlib data), and the
 * old no-op identity, streamed through DecompressionStream. A transfer
 * coding is a property of the message, not of the representation, and any
 * recipient may remove it (RFC 9112 §6.1): decoded here, the body is the
 * content the upstream meant, which the proxy can frame its own way and
 * store like any other. A coding outside this set (compress, or a name
 * nobody registered) cannot be decoded and is an error.
 *
 * Must not decide framing (framing.ts) nor read the socket itself: it
 * wraps the body reader that does.
 */

import { HttpError } from "./errors.ts";
import type { FieldList } from "./headers.ts";
import type { WireBody } from "./types.ts";

/** Coding names decoded here, with their DecompressionStream format. */
const FORMATS: Record<string, CompressionFormat | "identity"> = {
  gzip: "gzip", // RFC 9112 §7.2
  "x-gzip": "gzip", // RFC 9112 §7.2: an alias of gzip
  deflate: "deflate", // RFC 9112 §7.2: the zlib format, as DecompressionStream's "deflate"
  identity: "identity", // RFC 2616 §3.6: no transformation (no longer registered)
};

/** True when every one of `codings` can be decoded. */
export function canDecode(codings: readonly string[]): boolean {
  return codings.every((c) => Object.hasOwn(FORMATS, c));
}

/**
 * The content of `wire` with `codings` (in the order they were applied)
 * removed. Throws HttpError("framing") at once for a coding it cannot
 * decode; reading throws HttpError("framing") for bytes that do not
 * decode, and passes on the wire body's own errors.
 */
export function decodedBody(
  wire: WireBody,
  codings: readonly string[],
): WireBody {
  const unknown = codings.find((c) => !Object.hasOwn(FORMATS, c));
  if (unknown !== undefined) {
    throw new HttpError(
      "framing",
      `Cannot decode transfer coding "${unknown}": not gzip, x-gzip or deflate`,
    );
  }
  const formats = codings.map((c) => FORMATS[c]!).filter((f) =>
    f !== "identity"
  ) as CompressionFormat[];
  if (formats.length === 0) return wire;
  return new DecodedBody(wire, formats, codings.join(", "));
}

class DecodedBody implements WireBody {
  readonly length = undefined;
  #wire: WireBody;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #names: string;
  #done = false;

  constructor(wire: WireBody, formats: CompressionFormat[], names: string) {
    this.#wire = wire;
    this.#names = names;
    let stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const chunk = await wire.read();
        if (chunk === null) controller.close();
        else controller.enqueue(chunk);
      },
      cancel: () => wire.cancel(),
    }, { highWaterMark: 0 });
    for (const format of formats.toReversed()) { // the last applied comes off first
      stream = stream.pipeThrough(
        new DecompressionStream(format) as TransformStream<
          Uint8Array,
          Uint8Array
        >,
      );
    }
    this.#reader = stream.getReader();
  }

  get complete(): boolean {
    return this.#done && this.#wire.complete;
  }

  async read(): Promise<Uint8Array | null> {
    if (this.#done) return null;
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await this.#reader.read();
    } catch (e) {
      this.#done = true;
      if (!(e instanceof TypeError)) throw e; // the wire body's own error
      throw new HttpError(
        "framing",
        `Cannot decode transfer coding "${this.#names}": ${e.message}`,
      );
    }
    if (result.done) {
      this.#done = true;
      return null;
    }
    return result.value;
  }

  trailers(): FieldList | undefined {
    return this.#wire.trailers();
  }

  async cancel(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#reader.cancel().catch(() => {});
  }
}
