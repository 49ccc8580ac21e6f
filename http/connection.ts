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
import { writeAll, writeMessage } from "./writer.ts";
import { continueOnRead, finishRequestBody, mayDrain } from "./request_body.ts";
import {
  declaredLength,
  hasCloseOption,
  outgoingMode,
  wantsClose,
} from "./response_framing.ts";
import { ConnectionState, TimedConn, type Timeouts } from "./timed_conn.ts";
import { latin1Bytes } from "./bytes.ts";
import type { AccessLogEntry } from "./access_log.ts";

/** Handles one request; the server frames and writes what it returns. */
export type Handler = (req: IncomingRequest) => Promise<OutgoingResponse>;

export { ConnectionState };

/** What a connection needs from its server. */
export interface ConnectionContext extends Timeouts {
  handler: Handler;
  limits: HeadLimits;
  /** True once the server is shutting down: finish the current request, then close. */
  stopping(): boolean;
  log(entry: AccessLogEntry): void;
  /** Counts protocol events ("request", "error:400", "timeout:head", ...). */
  count(event: string): void;
  /** Reports an internal error (a handler bug); the connection answers 500. */
  reportError(error: unknown): void;
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
  let writtenBefore = io.written;
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
    writtenBefore = io.written;
    bytes = await writeMessage(
      io,
      headText,
      outBody,
      mode,
      declaredLength(res),
    );
  } catch (e) {
    failed = true;
    bytes = Math.max(0, io.written - writtenBefore - headText.length); // what got out, framing included
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
