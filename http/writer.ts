/**
 * Owns writing a message to a byte sink: a serialised head followed by a
 * body in one of three modes (exact length, chunked with trailers, or raw
 * until close). A small head and body go out in one write (no Nagle stall);
 * a body that does not match its declared length is an error.
 *
 * Must not decide which mode to use: callers take that from framing rules.
 */

import { concatBytes, latin1Bytes } from "./bytes.ts";
import { HttpError } from "./errors.ts";
import type { FieldList } from "./headers.ts";
import { mayForwardAsTrailer } from "./field_kinds.ts";
import { serializeFields } from "./head.ts";
import type { BodyReader } from "./types.ts";

/** Anything that writes bytes like a Deno.Conn. */
export interface ByteSink {
  write(p: Uint8Array): Promise<number>;
  /**
   * A buffer the sink lends for assembling a small head and body into one
   * write without allocating; reused once that write has completed.
   */
  scratch?(): Uint8Array;
}

/** How the body goes on the wire. */
export type BodyMode = "length" | "chunked" | "raw";

/** Bodies up to this size are written together with the head. */
const COALESCE_LIMIT = 64 * 1024;
const CRLF = new Uint8Array([0x0d, 0x0a]);

/** Writes every byte of `data`. */
export async function writeAll(
  sink: ByteSink,
  data: Uint8Array,
): Promise<void> {
  let at = 0;
  while (at < data.length) at += await sink.write(data.subarray(at));
}

/**
 * Writes a head (a serialised binary string ending in its empty line)
 * and a body. `length` is the Content-Length the head declared (a body
 * reader's own length when omitted), checked against what the body yields
 * in "length" mode. Returns the number of body bytes (payload, without
 * chunk framing) written.
 */
export async function writeMessage(
  sink: ByteSink,
  head: string,
  body: Uint8Array | BodyReader | null,
  mode: BodyMode,
  length?: number,
): Promise<number> {
  if (body instanceof Uint8Array) {
    if (mode === "length" && length !== undefined && body.length !== length) {
      throw new HttpError( // RFC 9112 §6.2: never send a wrong length
        body.length > length ? "framing" : "truncated",
        `body of ${body.length} bytes declared as ${length}`,
      );
    }
    const assembled = mode === "chunked"
      ? undefined
      : assemble(sink, head, body);
    if (assembled) await writeAll(sink, assembled);
    else await writeParts(sink, framedParts(latin1Bytes(head), body, mode));
    return body.length;
  }
  const headBytes = latin1Bytes(head);
  if (body === null) {
    await writeAll(sink, headBytes);
    return 0;
  }
  const expected = length ?? body.length;
  if (mode === "length" && expected === undefined) {
    await body.cancel().catch(() => {});
    throw new Error("Cannot write body: length mode without a length");
  }
  try {
    await writeAll(sink, headBytes);
  } catch (e) {
    await body.cancel().catch(() => {}); // the client is gone: release the body's file or upstream
    throw e;
  }
  return await copyBody(sink, body, mode, expected);
}

function framedParts(
  head: Uint8Array,
  body: Uint8Array,
  mode: BodyMode,
): Uint8Array[] {
  if (mode !== "chunked") return [head, body];
  if (body.length === 0) return [head, lastChunk()];
  return [head, chunkHeader(body.length), body, CRLF, lastChunk()];
}

const encoder = new TextEncoder();

/**
 * The head and body assembled in the sink's scratch buffer, or undefined
 * when there is none, they do not fit, or the head is not pure ASCII (then
 * the exact latin1 path is taken).
 */
function assemble(
  sink: ByteSink,
  head: string,
  body: Uint8Array,
): Uint8Array | undefined {
  const scratch = sink.scratch?.();
  if (!scratch || head.length + body.length > scratch.length) return undefined;
  const { read, written } = encoder.encodeInto(head, scratch);
  if (read !== head.length || written !== head.length) return undefined;
  scratch.set(body, written);
  return scratch.subarray(0, written + body.length);
}

/**
 * Writes parts: those that fit the sink's scratch buffer in one write
 * from it; larger ones starting with a scratch buffer's worth (the head
 * with the body's first bytes: the head never travels alone), then the
 * rest as it is, never copied (a large buffer allocated per response
 * costs more than a write: 64 KiB hits took twice the CPU). Without a
 * scratch buffer: one joined write when small, else one write each.
 */
async function writeParts(sink: ByteSink, parts: Uint8Array[]): Promise<void> {
  let size = 0;
  for (const p of parts) size += p.length;
  const scratch = sink.scratch?.();
  if (scratch) return await writeThrough(sink, parts, scratch);
  if (size > COALESCE_LIMIT) {
    for (const p of parts) await writeAll(sink, p);
    return;
  }
  await writeAll(sink, concatBytes(parts));
}

/** The first `scratch.length` bytes of `parts` in one write from `scratch`, then the rest in place. */
async function writeThrough(
  sink: ByteSink,
  parts: Uint8Array[],
  scratch: Uint8Array,
): Promise<void> {
  let at = 0;
  let i = 0;
  let from = 0; // where the rest of parts[i] starts
  for (; i < parts.length && at < scratch.length; i++) {
    const part = parts[i]!;
    const take = Math.min(part.length, scratch.length - at);
    scratch.set(part.subarray(0, take), at);
    at += take;
    if (take < part.length) {
      from = take;
      break;
    }
  }
  await writeAll(sink, scratch.subarray(0, at));
  for (; i < parts.length; i++, from = 0) {
    await writeAll(sink, parts[i]!.subarray(from));
  }
}

async function copyBody(
  sink: ByteSink,
  body: BodyReader,
  mode: BodyMode,
  length: number | undefined,
): Promise<number> {
  let written = 0;
  try {
    for (let c = await body.read(); c !== null; c = await body.read()) {
      if (c.length === 0) continue;
      written += c.length;
      if (mode === "length" && written > length!) {
        throw new HttpError("framing", "body longer than its Content-Length");
      }
      if (mode === "chunked") {
        await writeAll(sink, chunkHeader(c.length));
        await writeAll(sink, c);
        await writeAll(sink, CRLF);
      } else {
        await writeAll(sink, c);
      }
    }
  } catch (e) {
    await body.cancel().catch(() => {});
    throw e;
  }
  if (mode === "length" && written !== length) {
    throw new HttpError("truncated", `body ${length! - written} bytes short`);
  }
  if (mode === "chunked") await writeAll(sink, lastChunk(body.trailers()));
  return written;
}

function chunkHeader(size: number): Uint8Array {
  return latin1Bytes(`${size.toString(16)}\r\n`);
}

/**
 * The last chunk with optional trailer fields (RFC 9112 §7.1.2). Fields
 * that may not be sent as trailers (framing, routing, authentication, ...:
 * RFC 9110 §6.5.1) are left out, so relayed trailers never carry them.
 */
export function lastChunk(trailers?: FieldList): Uint8Array {
  let section = "";
  if (trailers) {
    const allowed = trailers.clone();
    allowed.deleteWhere((lower) => !mayForwardAsTrailer(lower));
    section = serializeFields(allowed);
  }
  return latin1Bytes(`0\r\n${section}\r\n`);
}
