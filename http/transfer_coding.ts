/**
 * Owns decoding the transfer codings a response may carry beneath its
 * framing (RFC 9112 §7): gzip (and x-gzip), deflate (zlib data), and the
 * old no-op identity, streamed through DecompressionStream. A transfer
 * coding is a property of the message, not of the representation, and any
 * recipient may remove it (RFC 9112 §6.1): decoded here, the body is the
 * content the upstream meant, which the proxy can frame its own way and
 * store like any other. A coding outside this set (compress, or a name
 * nobody registered) cannot be decoded: it stays on the bytes, with every
 * coding applied before it, and the body says so (`transferCodings`), so
 * that a relay passes it on as it came, never as the content.
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
 * Splits `codings` (in the order they were applied) into those that stay
 * on the body and those decoded off it. Codings come off last-applied
 * first (RFC 9112 §6.1), so decoding stops at the last one that cannot be
 * decoded: it and every coding before it stay.
 */
export function splitCodings(
  codings: readonly string[],
): { kept: string[]; decoded: string[] } {
  let at = codings.length;
  while (at > 0 && Object.hasOwn(FORMATS, codings[at - 1]!)) at--;
  return { kept: codings.slice(0, at), decoded: codings.slice(at) };
}

/**
 * The transfer codings that stay on the body of a response with these
 * fields once readResponse() has decoded what it can (see splitCodings),
 * chunked excepted: what a relay must send on as `Transfer-Encoding`
 * (RFC 9112 §7), and why such a body is not the content and must not be
 * stored. Undefined when none stay (no Transfer-Encoding, chunked only,
 * or codings all decoded). Names lowercased, parameters dropped.
 */
export function keptTransferCodings(fields: FieldList): string[] | undefined {
  const codings = fields.list("transfer-encoding").map((element) =>
    element.split(";")[0]!.trim().toLowerCase()
  );
  if (codings.at(-1) === "chunked") codings.pop(); // RFC 9112 §7.1: the framing, ours to redo
  const { kept } = splitCodings(codings);
  return kept.length > 0 ? kept : undefined;
}

/**
 * The body of `wire` with the codings it can decode removed (see
 * splitCodings), last-applied first. When a coding cannot be decoded, the
 * result's `transferCodings` lists the codings left on its bytes.
 * Reading throws HttpError("framing") for bytes that do not decode, and
 * passes on the wire body's own errors.
 */
export function decodedBody(
  wire: WireBody,
  codings: readonly string[],
): WireBody {
  const { kept, decoded } = splitCodings(codings);
  const formats = decoded.map((c) => FORMATS[c]!).filter((f) =>
    f !== "identity"
  ) as CompressionFormat[];
  const inner = formats.length === 0
    ? wire
    : new DecodedBody(wire, formats, decoded.join(", "));
  return kept.length === 0 ? inner : new CodedBody(inner, kept);
}

/** A body whose bytes still carry transfer codings we cannot decode. */
class CodedBody implements WireBody {
  readonly length = undefined;
  readonly transferCodings: readonly string[];
  #inner: WireBody;

  constructor(inner: WireBody, kept: readonly string[]) {
    this.#inner = inner;
    this.transferCodings = kept;
  }

  get complete(): boolean {
    return this.#inner.complete;
  }

  read(): Promise<Uint8Array | null> {
    return this.#inner.read();
  }

  trailers(): FieldList | undefined {
    return this.#inner.trailers();
  }

  cancel(): Promise<void> {
    return this.#inner.cancel();
  }
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
