/**
 * Owns reading a file a command takes as configuration at start-up
 * (--script): only a regular file, of bounded size, is read, and never one
 * that could block the start (a FIFO no one writes to) or grow without end
 * (/dev/zero).
 *
 * Must not parse what it reads: the caller checks the text.
 */

/** The largest script file read, in bytes (1 MiB). */
export const MAX_SCRIPT_BYTES = 1024 * 1024;

/**
 * The text of the regular file at `path` (symbolic links followed), at
 * most `maxBytes` bytes, decoded as UTF-8. Throws an Error with a one-line
 * reason: "is a FIFO, not a regular file" (never opened, since opening a
 * FIFO blocks), "is larger than N bytes", or the operating system's
 * message (missing, permission).
 */
export async function readStartFile(
  path: string,
  maxBytes: number,
): Promise<string> {
  try {
    return await readBounded(path, maxBytes);
  } catch (error) {
    throw new Error(oneLineReason(error));
  }
}

/**
 * An error's message on one line, without the path Deno appends ("No such
 * file or directory (os error 2): stat '/a\nb'" gives "No such file or
 * directory (os error 2)"): the caller names the path itself.
 */
function oneLineReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const os = /^[^\n]*?\(os error \d+\)/.exec(message);
  const reason = os ? os[0] : message;
  return reason.replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x1f\x7f]/g,
    (c) => JSON.stringify(c).slice(1, -1),
  );
}

async function readBounded(path: string, maxBytes: number): Promise<string> {
  const info = await Deno.stat(path);
  if (!info.isFile) throw new Error(`is ${kindOf(info)}, not a regular file`);
  if (info.size > maxBytes) {
    throw new Error(`is larger than ${maxBytes} bytes`);
  }
  using file = await Deno.open(path, { read: true });
  const opened = await file.stat(); // replaced between stat and open?
  if (!opened.isFile) {
    throw new Error(`is ${kindOf(opened)}, not a regular file`);
  }
  const buffer = new Uint8Array(maxBytes + 1);
  let filled = 0;
  while (filled < buffer.length) {
    const read = await file.read(buffer.subarray(filled));
    if (read === null) break;
    filled += read;
  }
  if (filled > maxBytes) throw new Error(`is larger than ${maxBytes} bytes`);
  return new TextDecoder().decode(buffer.subarray(0, filled));
}

/** What a non-regular file is, in words: "a FIFO", "a folder", ... */
function kindOf(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a folder";
  if (info.isFifo) return "a FIFO";
  if (info.isSocket) return "a socket";
  if (info.isBlockDevice || info.isCharDevice) return "a device";
  return "a file of another kind";
}

/**
 * A path as an error shows it: as given when it is plain printable ASCII
 * (no space), JSON-quoted otherwise, so the error stays one line.
 */
export function pathText(path: string): string {
  return /^[\x21-\x7e]+$/.test(path) ? path : JSON.stringify(path);
}
