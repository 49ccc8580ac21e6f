/**
 * Owns one downstream HTTP/1.1 connection: the keep-alive loop that reads
 * a request head, hands the request to the handler, frames and writes the
 * response, and decides whether the connection may carry another request
 * (RFC 9112 §9.3). Pipelined requests are answered in order because the
 * loop reads the next head only after the previous response is written.
 *
 * Must not know what the handler does (origin or proxy), nor accept
 * connections (server.ts).
 */

import { type WireBody, wireBody } from "./body.ts";
import { formatHttpDate } from "./dates.ts";
import { HttpError, requestErrorStatus } from "./errors.ts";
import { requestFraming } from "./framing.ts";
import { FieldList } from "./headers.ts";
import {
  type HeadLimits,
  parseRequestHead,
  serializeResponseHead,
} from "./head.ts";
import { BufferedReader } from "./reader.ts";
import { reasonPhrase } from "./status.ts";
import type {
  BodyReader,
  IncomingRequest,
  OutgoingResponse,
  RequestHead,
} from "./types.ts";
import { type BodyMode, writeAll, writeMessage } from "./writer.ts";
import { latin1Bytes } from "./bytes.ts";
import type { AccessLogEntry } from "./access_log.ts";

/** Handles one request; the server frames and writes what it returns. */
export type Handler = (req: IncomingRequest) => Promise<OutgoingResponse>;

/** What a connection needs from its server. */
export interface ConnectionContext {
  handler: Handler;
  limits: HeadLimits;
  headTimeoutMs: number;
  idleTimeoutMs: number;
  /** True once the server is shutting down: finish the current request, then close. */
  stopping(): boolean;
  log(entry: AccessLogEntry): void;
  /** Counts protocol events ("request", "error:400", "timeout:head", ...). */
  count(event: string): void;
  /** Reports an internal error (a handler bug); the connection answers 500. */
  reportError(error: unknown): void;
}

/** Bodies smaller than this left unread by a handler are drained, not a reason to close. */
const DRAIN_LIMIT = 256 * 1024;

/**
 * The state the server's sweeper reads: when this connection must be
 * closed for inactivity, and whether it may be closed right now (idle).
 */
export class ConnectionState {
  deadline = Number.POSITIVE_INFINITY;
  /** True while waiting for the next request with nothing of it received. */
  idle = true;
  /** True while a partial request head has been received. */
  inHead = false;
  timedOut = false;
}

/** A Deno.Conn view that moves the inactivity deadline around each I/O. */
class TimedConn {
  #conn: Deno.Conn;
  #state: ConnectionState;
  #ctx: ConnectionContext;
  waitingForHead = false;

  constructor(conn: Deno.Conn, state: ConnectionState, ctx: ConnectionContext) {
    this.#conn = conn;
    this.#state = state;
    this.#ctx = ctx;
  }

  async read(p: Uint8Array): Promise<number | null> {
    const s = this.#state;
    if (!this.waitingForHead) s.deadline = Date.now() + this.#ctx.idleTimeoutMs;
    try {
      const n = await this.#conn.read(p);
      if (this.waitingForHead && n !== null && !s.inHead) {
        s.inHead = true; // the first bytes of a head: it must now complete in time
        s.idle = false;
        s.deadline = Math.min(s.deadline, Date.now() + this.#ctx.headTimeoutMs);
      }
      return n;
    } finally {
      if (!this.waitingForHead) s.deadline = Number.POSITIVE_INFINITY;
    }
  }

  async write(p: Uint8Array): Promise<number> {
    this.#state.deadline = Date.now() + this.#ctx.idleTimeoutMs;
    try {
      return await this.#conn.write(p);
    } finally {
      this.#state.deadline = Number.POSITIVE_INFINITY;
    }
  }
}

/** Serves requests on `conn` until it closes; never throws. */
export async function serveConnection(
  conn: Deno.Conn,
  state: ConnectionState,
  ctx: ConnectionContext,
): Promise<void> {
  const remoteAddr = (conn.remoteAddr as Deno.NetAddr).hostname ?? "-";
  const io = new TimedConn(conn, state, ctx);
  const reader = new BufferedReader(io);
  let first = true;
  try {
    for (;;) {
      io.waitingForHead = true;
      state.inHead = reader.buffered > 0;
      state.idle = !state.inHead;
      const wait = first ? ctx.headTimeoutMs : ctx.idleTimeoutMs;
      state.deadline = Date.now() + (state.inHead ? ctx.headTimeoutMs : wait);
      if (ctx.stopping() && !state.inHead) return;
      first = false;
      let head: RequestHead;
      try {
        const text = await reader.readHead(ctx.limits, "uri-too-long");
        if (text === null) return;
        head = parseRequestHead(text, ctx.limits);
      } catch (e) {
        if (state.timedOut) return;
        if (e instanceof HttpError) {
          await answerBadRequest(io, e, remoteAddr, ctx);
        }
        return;
      } finally {
        io.waitingForHead = false;
        state.idle = state.inHead = false;
        state.deadline = Number.POSITIVE_INFINITY;
      }
      const keepGoing = await serveRequest(
        conn,
        io,
        reader,
        head,
        remoteAddr,
        ctx,
      );
      if (!keepGoing) return;
    }
  } catch (e) {
    if (!state.timedOut && !isConnectionGone(e)) ctx.reportError(e);
  } finally {
    try {
      conn.close();
    } catch {
      // already closed (timeout, shutdown, or an upgrade handler)
    }
  }
}

/** Serves one request; returns whether the connection may carry another. */
async function serveRequest(
  conn: Deno.Conn,
  io: TimedConn,
  reader: BufferedReader,
  head: RequestHead,
  remoteAddr: string,
  ctx: ConnectionContext,
): Promise<boolean> {
  const receivedAt = Date.now();
  const requestLine = `${head.method} ${head.target} ${head.version}`;
  ctx.count("request");
  let body: WireBody;
  try {
    body = wireBody(reader, requestFraming(head));
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    await answerBadRequest(io, e, remoteAddr, ctx, requestLine, receivedAt);
    return false;
  }
  const expectsContinue = head.version === "HTTP/1.1" &&
    (head.headers.get("expect") ?? "").toLowerCase() === "100-continue";
  let continueSent = false;
  const sendInterim = async (status: number, fields?: FieldList) => {
    if (head.version !== "HTTP/1.1") return; // RFC 9110 §15.2: never 1xx to HTTP/1.0
    if (status === 100) {
      if (continueSent) return;
      continueSent = true;
    }
    const text = serializeResponseHead({
      version: "HTTP/1.1",
      status,
      reason: reasonPhrase(status),
      headers: fields ?? new FieldList(),
    });
    await writeAll(io, latin1Bytes(text));
  };
  const requestBody: BodyReader = expectsContinue && body.length !== 0
    ? continueOnRead(body, () => sendInterim(100))
    : body;
  const req: IncomingRequest = {
    head,
    body: requestBody,
    remoteAddr,
    receivedAt,
    sendInterim,
  };

  let res: OutgoingResponse;
  try {
    res = await ctx.handler(req);
  } catch (e) {
    if (e instanceof HttpError) {
      await answerBadRequest(io, e, remoteAddr, ctx, requestLine, receivedAt);
    } else {
      if (!isConnectionGone(e)) ctx.reportError(e); // a peer that left is no bug
      await writeError(io, 500, "internal error").catch(() => {});
      ctx.log({
        remoteAddr,
        time: receivedAt,
        requestLine,
        status: 500,
        bytes: 0,
      });
    }
    return false;
  }

  const clientWantsClose = wantsClose(head);
  let close = res.close === true || clientWantsClose || ctx.stopping();
  if (hasCloseOption(res.headers)) close = true; // RFC 9112 §9.6: a sent "close" is kept
  const { mode, noBody } = outgoingMode(head, res);
  if (mode === "raw") close = true;
  if (expectsContinue && !continueSent && !body.complete) close = true; // RFC 9110 §10.1.1
  if (!mayDrain(body)) close = true; // RFC 9112 §9.6: announce the close we will make
  if (close) res.headers.set("Connection", "close");
  else if (head.version === "HTTP/1.0") {
    res.headers.set("Connection", "keep-alive");
  }

  const headText = serializeResponseHead({
    version: "HTTP/1.1",
    status: res.status,
    reason: res.reason ?? reasonPhrase(res.status),
    headers: res.headers,
  });
  let bytes = 0;
  let failed = false;
  try {
    if (res.upgrade) {
      await writeAll(io, latin1Bytes(headText));
      ctx.log({
        remoteAddr,
        time: receivedAt,
        requestLine,
        status: res.status,
        bytes: 0,
        suffix: res.logSuffix,
      });
      await res.upgrade(conn, reader.takeBuffered());
      return false;
    }
    const outBody = noBody ? null : res.body ?? new Uint8Array(0);
    bytes = await writeMessage(
      io,
      headText,
      outBody,
      mode,
      declaredLength(res),
    );
  } catch (e) {
    failed = true;
    if (noBody || res.body instanceof Uint8Array || !res.body) throw e;
    // A body that failed mid-way: the client sees the connection close,
    // never a short body passed off as complete.
    ctx.count(e instanceof HttpError ? `body:${e.kind}` : "body:error");
  } finally {
    if (noBody && res.body && !(res.body instanceof Uint8Array)) {
      await res.body.cancel().catch(() => {});
    }
    if (!res.upgrade) {
      ctx.log({
        remoteAddr,
        time: receivedAt,
        requestLine,
        status: res.status,
        bytes,
        suffix: res.logSuffix,
      });
    }
  }
  if (failed || close) return false;
  return await finishRequestBody(body);
}

/** False when the unread rest of the request body is too large to drain. */
function mayDrain(body: WireBody): boolean {
  if (body.complete) return true;
  return body.length === undefined || body.length <= DRAIN_LIMIT;
}

/** Reads what the handler left of the request body, if it is small. */
async function finishRequestBody(body: WireBody): Promise<boolean> {
  if (body.complete) return true;
  if (!mayDrain(body)) return false;
  let drained = 0;
  try {
    for (let c = await body.read(); c !== null; c = await body.read()) {
      drained += c.length;
      if (drained > DRAIN_LIMIT) return false;
    }
  } catch {
    return false;
  }
  return body.complete;
}

/** The response's body mode on the wire, and whether it has no body at all. */
function outgoingMode(
  head: RequestHead,
  res: OutgoingResponse,
): { mode: BodyMode; noBody: boolean } {
  const noBody = head.method === "HEAD" || res.status < 200 ||
    res.status === 204 ||
    res.status === 304 || res.upgrade !== undefined; // RFC 9110 §6.4.1
  const body = res.body;
  const length = body instanceof Uint8Array
    ? body.length
    : body
    ? body.length
    : 0;
  if (res.status < 200) dropFraming(res.headers); // RFC 9110 §8.6, RFC 9112 §6.1
  if (res.status === 204) dropFraming(res.headers); // RFC 9110 §8.6, RFC 9112 §6.1
  const headLength = lengthForHead(head, res, length);
  if (headLength !== undefined) {
    res.headers.delete("Transfer-Encoding");
    res.headers.set("Content-Length", String(headLength));
  }
  if (noBody) return { mode: "length", noBody };
  if (length !== undefined) {
    res.headers.delete("Transfer-Encoding");
    res.headers.set("Content-Length", String(length));
    return { mode: "length", noBody };
  }
  res.headers.delete("Content-Length");
  if (head.version === "HTTP/1.0") {
    res.headers.delete("Transfer-Encoding");
    return { mode: "raw", noBody }; // RFC 9112 §6.3: close-delimited for 1.0
  }
  res.headers.set("Transfer-Encoding", "chunked");
  return { mode: "chunked", noBody };
}

/** RFC 9110 §9.3.2: a HEAD response gets the Content-Length a GET would. */
function lengthForHead(
  head: RequestHead,
  res: OutgoingResponse,
  length: number | undefined,
): number | undefined {
  if (head.method !== "HEAD") return undefined;
  if (res.status < 200 || res.status === 204) return undefined; // RFC 9110 §8.6
  if (res.status === 304) return undefined; // RFC 9110 §15.4.5: the handler's fields
  if (!res.body) return undefined; // no body given: the handler set the fields
  return length;
}

function dropFraming(fields: FieldList): void {
  fields.delete("Content-Length");
  fields.delete("Transfer-Encoding");
}

function declaredLength(res: OutgoingResponse): number | undefined {
  const body = res.body;
  return body instanceof Uint8Array ? body.length : body?.length ?? 0;
}

/** True when the Connection field holds the "close" option (RFC 9112 §9.6). */
function hasCloseOption(fields: FieldList): boolean {
  return fields.list("connection").some((o) => o.toLowerCase() === "close");
}

/** RFC 9112 §9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive". */
function wantsClose(head: RequestHead): boolean {
  if (hasCloseOption(head.headers)) return true;
  const options = head.headers.list("connection").map((o) => o.toLowerCase());
  if (head.version === "HTTP/1.0") return !options.includes("keep-alive");
  return false;
}

/** A body that sends 100 Continue before its first read (RFC 9110 §10.1.1). */
function continueOnRead(
  body: WireBody,
  sendContinue: () => Promise<void>,
): BodyReader {
  let sent = false;
  return {
    length: body.length,
    async read() {
      if (!sent) {
        sent = true;
        await sendContinue();
      }
      return await body.read();
    },
    trailers: () => body.trailers(),
    cancel: () => body.cancel(),
  };
}

async function answerBadRequest(
  io: TimedConn,
  error: HttpError,
  remoteAddr: string,
  ctx: ConnectionContext,
  requestLine = "-",
  time = Date.now(),
): Promise<void> {
  if (error.kind === "truncated") {
    ctx.count("error:truncated");
    return; // nobody left to answer
  }
  const status = requestErrorStatus(error.kind);
  ctx.count(`error:${status}`);
  await writeError(io, status, error.message).catch(() => {});
  ctx.log({ remoteAddr, time, requestLine, status, bytes: 0 });
}

/** Writes a short text error response that closes the connection. */
export async function writeError(
  io: { write(p: Uint8Array): Promise<number> },
  status: number,
  reason: string,
): Promise<void> {
  const body = `${status} ${reasonPhrase(status)}: ${reason}\n`;
  const headers = new FieldList([
    ["Date", formatHttpDate(Date.now())],
    ["Content-Type", "text/plain; charset=utf-8"],
    ["Content-Length", String(body.length)],
    ["Connection", "close"],
  ]);
  const head = serializeResponseHead({
    version: "HTTP/1.1",
    status,
    reason: reasonPhrase(status),
    headers,
  });
  await writeAll(io, latin1Bytes(head + body));
}

function isConnectionGone(e: unknown): boolean {
  return e instanceof Deno.errors.BadResource ||
    e instanceof Deno.errors.ConnectionReset ||
    e instanceof Deno.errors.BrokenPipe ||
    e instanceof Deno.errors.Interrupted ||
    e instanceof Deno.errors.NotConnected ||
    e instanceof Deno.errors.ConnectionAborted;
}
