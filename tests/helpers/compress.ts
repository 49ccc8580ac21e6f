/**
 * Owns making transfer-coded bytes for tests (gzip, deflate) with the
 * platform's CompressionStream, and chunked-coding them by hand, so a
 * scripted upstream can send what a coding server would.
 *
 * Must not use http/: the code under test is not its own oracle.
 */

import { bytes, join, text } from "./wire_text.ts";

/** `data` compressed as `format` ("gzip" or "deflate"). */
export async function compressed(
  format: "gzip" | "deflate",
  data: string | Uint8Array,
): Promise<Uint8Array> {
  const stream = new Blob([bytes(data) as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** `data` in the chunked coding, `size` bytes a chunk, as a latin1 string. */
export function chunkedText(data: Uint8Array, size = 100): string {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += size) {
    const piece = data.subarray(at, at + size);
    parts.push(bytes(`${piece.length.toString(16)}\r\n`), piece, bytes("\r\n"));
  }
  parts.push(bytes("0\r\n\r\n"));
  return text(join(parts));
}
