/**
 * Owns the test side's own view of HTTP/1.1 bytes: latin1 conversion and a
 * small, independent parser of request and response streams (heads,
 * Content-Length and chunked bodies). Tests use it as the oracle for what
 * went over the wire, so it must never import from http/.
 *
 * Must not be lenient in ways that hide server bugs: a head must end in
 * CRLF CRLF, a chunked body must end with its last chunk.
 */

/** Bytes to a string with one char per byte (latin1). */
export function text(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

/** A one-char-per-byte string (or bytes) to bytes. */
export function bytes(data: string | Uint8Array): Uint8Array {
  if (data instanceof Uint8Array) return data;
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data.charCodeAt(i) & 0xff;
  return out;
}

/** Joins byte arrays. */
export function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A parsed head: start line and fields exactly as sent. */
export interface WireHead {
  startLine: string;
  fields: [string, string][];
  /** The first value of a field (case-insensitive name), or undefined. */
  header(name: string): string | undefined;
}

/** One message cut out of a byte stream. */
export interface WireMessage {
  head: WireHead;
  /** The decoded body (chunk framing removed). */
  body: Uint8Array;
  /** The body as a latin1 string. */
  bodyText: string;
  /** True when the body was chunked and ended with its last chunk. */
  chunked: boolean;
  /** Trailer fields of a chunked body. */
  trailers: [string, string][];
  /** The message exactly as received, head and framed body. */
  raw: string;
}

/** A response with its status line split out. */
export interface WireResponse extends WireMessage {
  version: string;
  status: number;
  reason: string;
}

/** Parses a head text that ends in CRLF CRLF. */
export function parseWireHead(headText: string): WireHead {
  const lines = headText.slice(0, -4).split("\r\n");
  const fields: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    fields.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return {
    startLine: lines[0] ?? "",
    fields,
    header(name) {
      const lower = name.toLowerCase();
      return fields.find(([n]) => n.toLowerCase() === lower)?.[1];
    },
  };
}

type BodyRule = "none" | "until-close" | "framed";

/**
 * Cuts one message off the front of `data`. Returns undefined when more
 * bytes are needed (`closed` says no more will come: a close-delimited
 * body then ends). `rule` "framed" takes the body from Transfer-Encoding
 * or Content-Length, else none (requests) or until close (responses).
 */
export function cutMessage(
  data: string,
  closed: boolean,
  rule: BodyRule,
  isResponse: boolean,
): { message: WireMessage; used: number } | undefined {
  const headEnd = data.indexOf("\r\n\r\n");
  if (headEnd === -1) return undefined;
  const headText = data.slice(0, headEnd + 4);
  const head = parseWireHead(headText);
  let at = headEnd + 4;
  const te = head.header("transfer-encoding");
  const cl = head.header("content-length");
  const message = (body: string, chunked: boolean, trailers = []) => ({
    head,
    body: bytes(body),
    bodyText: body,
    chunked,
    trailers,
    raw: data.slice(0, at),
  });
  if (rule === "none") return { message: message("", false), used: at };
  if (rule === "framed" && te !== undefined && /chunked$/i.test(te)) {
    const chunked = cutChunked(data, at);
    if (!chunked) return undefined;
    at = chunked.end;
    return {
      message: message(chunked.body, true, chunked.trailers as never),
      used: at,
    };
  }
  if (rule === "framed" && cl !== undefined) {
    const n = Number(cl);
    if (data.length < at + n) return undefined;
    const body = data.slice(at, at + n);
    at += n;
    return { message: message(body, false), used: at };
  }
  if (rule === "framed" && !isResponse) {
    return { message: message("", false), used: at };
  }
  if (!closed) return undefined;
  const body = data.slice(at);
  at = data.length;
  return { message: message(body, false), used: at };
}

function cutChunked(
  data: string,
  start: number,
): { body: string; end: number; trailers: [string, string][] } | undefined {
  let at = start;
  let body = "";
  for (;;) {
    const eol = data.indexOf("\r\n", at);
    if (eol === -1) return undefined;
    const size = parseInt(data.slice(at, eol).split(";")[0]!.trim(), 16);
    if (Number.isNaN(size)) throw new Error("Cannot parse chunk size");
    at = eol + 2;
    if (size === 0) break;
    if (data.length < at + size + 2) return undefined;
    body += data.slice(at, at + size);
    if (data.slice(at + size, at + size + 2) !== "\r\n") {
      throw new Error("Cannot parse chunked body: no CRLF after data");
    }
    at += size + 2;
  }
  const trailerEnd = data.indexOf("\r\n", at) === at
    ? at
    : data.indexOf("\r\n\r\n", at);
  if (trailerEnd === -1) return undefined;
  const trailers: [string, string][] = [];
  if (trailerEnd > at) {
    for (const line of data.slice(at, trailerEnd).split("\r\n")) {
      const colon = line.indexOf(":");
      trailers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
    }
    return { body, end: trailerEnd + 4, trailers };
  }
  return { body, end: at + 2, trailers };
}

/**
 * Parses every complete response in `data`. `methods` are the request
 * methods in order, so responses to HEAD get no body; 1xx are interim and
 * consume no method. `closed` lets a close-delimited body end.
 */
export function parseResponses(
  data: Uint8Array | string,
  methods: string[] = [],
  closed = false,
): { responses: WireResponse[]; rest: string } {
  let rest = typeof data === "string" ? data : text(data);
  const responses: WireResponse[] = [];
  let finals = 0;
  for (;;) {
    const headEnd = rest.indexOf("\r\n\r\n");
    if (headEnd === -1) break;
    const statusLine = rest.slice(0, rest.indexOf("\r\n"));
    const m = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(statusLine);
    if (!m) throw new Error(`Cannot parse status line "${statusLine}"`);
    const status = Number(m[2]);
    const method = methods[finals] ?? "GET";
    const noBody = status < 200 || status === 204 || status === 304 ||
      method === "HEAD";
    const cut = cutMessage(rest, closed, noBody ? "none" : "framed", true);
    if (!cut) break;
    if (status >= 200) finals++;
    responses.push({
      ...cut.message,
      version: m[1]!,
      status,
      reason: m[3] ?? "",
    });
    rest = rest.slice(cut.used);
  }
  return { responses, rest };
}
