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
import { HttpError } from "./errors.ts";
import { requestFraming } from "./framing.ts";
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
  cancelBody,
  declaredLength,
  hasCloseOption,
  outgoingMode,
  responseToSend,
  wantsClose,
} from "./response_framing.ts";
import { InterimSender } from "./interim.ts";
import { ConnectionState, TimedConn, type Timeouts } from "./timed_conn.ts";
import {
  answerBadRequest,
  isConnectionGone,
  writeError,
} from "./error_response.ts";
import {
  DEFAULT_LINGER,
  lingeringClose,
  type LingerLimits,
} from "./lingering_close.ts";
import { latin1Bytes, UnwritableHead } from "./bytes.ts";
import type { AccessLogEntry } from "./access_log.ts";
import { closeQuietly, resetQuietly } from "./close.ts";

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
  /** Bounds of the staged close after a response (DEFAULT_LINGER when absent). */
  linger?: LingerLimits;
  /**
   * The clock of the Date on the server's own answers (400, 408, 500,
   * ...; ServerOptions.now); Date.now when absent. Timeouts, receivedAt
   * and the log stay on real time.
   */
  now?: () => number;
}

/**
 * How a connection ends: closed at once, closed in stages after a
 * response (RFC 9112 §9.6), or already gone or handed over.
 */
type Ending = "close" | "linger";

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
  let ending: Ending = "close";
  try {
    for (;;) {
      io.waitingForHead = true;
      state.inHead = reader.buffered > 0;
      state.setIdle(!state.inHead);
      const wait = first ? ctx.headTimeoutMs : ctx.idleTimeoutMs;
      state.deadline = Date.now() + (state.inHead ? ctx.headTimeoutMs : wait);
      if (ctx.stopping() && !state.inHead) return;
      first = false;
      let head: RequestHead;
      try {
        const text = await reader.readHead(ctx.limits, "uri-too-long");
        if (text === null) return;
        head = parseRequestHead(text, ctx.limits);
        state.headArrived();
      } catch (e) {
        // Anything but an HttpError: closed under us (idle timeout,
        // admission, shutdown) or reset by the peer.
        if (!(e instanceof HttpError)) return;
        const sent = await answerBadRequest(io, e, ctx, { remoteAddr });
        if (sent) ending = "linger";
        return;
      } finally {
        io.waitingForHead = false;
        state.inHead = false;
        state.setIdle(false);
        state.deadline = Number.POSITIVE_INFINITY;
      }
      state.requests++;
      const next = await serveRequest(
        conn,
        io,
        reader,
        head,
        remoteAddr,
        ctx,
      );
      if (next !== "next") {
        ending = next;
        return;
      }
    }
  } catch (e) {
    if (!state.timedOut && !isConnectionGone(e)) ctx.reportError(e);
  } finally {
    await end(conn, state, ending, ctx);
  }
}

/** Closes `conn`, in stages when a response was just sent. */
async function end(
  conn: Deno.Conn,
  state: ConnectionState,
  ending: Ending,
  ctx: ConnectionContext,
): Promise<void> {
  if (ending === "linger") {
    state.setLingering(true);
    const how = await lingeringClose(conn, ctx.linger ?? DEFAULT_LINGER);
    state.lingerExpired = how === "timeout";
    ctx.count(`linger:${how}`);
    state.setLingering(false);
    return;
  }
  closeQuietly(conn); // perhaps closed already (timeout, shutdown, admission, or an upgrade handler)
}

/**
 * Serves one request; returns "next" when the connection may carry
 * another, else how it ends.
 */
async function serveRequest(
  conn: Deno.Conn,
  io: TimedConn,
  reader: BufferedReader,
  head: RequestHead,
  remoteAddr: string,
  ctx: ConnectionContext,
): Promise<Ending | "next"> {
  const receivedAt = Date.now();
  const requestLine = `${head.method} ${head.target} ${head.version}`;
  const facts = { remoteAddr, requestLine, time: receivedAt };
  ctx.count("request");
  let body: WireBody;
  try {
    body = wireBody(reader, requestFraming(head));
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    const sent = await answerBadRequest(io, e, ctx, facts);
    return sent ? "linger" : "close";
  }
  const expectsContinue = head.version === "HTTP/1.1" &&
    (head.headers.get("expect") ?? "").toLowerCase() === "100-continue";
  const interim = new InterimSender(io, head.version);
  const requestBody: BodyReader = expectsContinue && body.length !== 0
    ? continueOnRead(body, () => interim.send(100))
    : body;
  const req: IncomingRequest = {
    head,
    body: requestBody,
    remoteAddr,
    receivedAt,
    sendInterim: (status, fields) => interim.send(status, fields),
  };

  let res: OutgoingResponse;
  try {
    res = await ctx.handler(req);
    if (!res.abort) res = await responseToSend(head, res, ctx.now?.()); // a handler bug throws: 500 below
  } catch (e) {
    if (e instanceof HttpError) {
      const sent = await answerBadRequest(io, e, ctx, facts);
      return sent ? "linger" : "close";
    }
    if (!isConnectionGone(e)) ctx.reportError(e); // a peer that left is no bug
    const sent = await writeError(io, 500, "internal error", ctx.now?.()).then(
      () => true,
      () => false,
    );
    ctx.log({
      remoteAddr,
      time: receivedAt,
      requestLine,
      status: 500,
      bytes: 0,
    });
    return sent ? "linger" : "close";
  }

  if (res.abort) {
    await cancelBody(res);
    ctx.log({
      remoteAddr,
      time: receivedAt,
      requestLine,
      status: res.status,
      bytes: 0,
      suffix: res.logSuffix,
      note: res.note,
    });
    if (res.abort === "reset") resetQuietly(conn);
    else closeQuietly(conn);
    return "close"; // nothing was written: no staged close
  }

  const clientWantsClose = wantsClose(head);
  let close = res.close === true || clientWantsClose || ctx.stopping();
  if (hasCloseOption(res.headers)) close = true; // RFC 9112 §9.6: a sent "close" is kept
  const { mode, noBody } = outgoingMode(head, res);
  if (mode === "raw") close = true;
  if (expectsContinue && !interim.continueSent && !body.complete) close = true; // RFC 9110 §10.1.1
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
        note: res.note,
      });
      await res.upgrade(conn, reader.takeBuffered());
      return "close"; // the upgrade owned the connection
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
    if (e instanceof UnwritableHead && io.written === writtenBefore) {
      ctx.reportError(e); // a handler's field no head can carry: a bug, answered 500
      await cancelBody(res);
      res = { ...res, body: null, upgrade: undefined, status: 500 };
      const sent = await writeError(io, 500, "internal error", ctx.now?.())
        .then(() => true, () => false);
      return sent ? "linger" : "close";
    }
    bytes = Math.max(0, io.written - writtenBefore - headText.length); // what got out, framing included
    if (noBody || res.body instanceof Uint8Array || !res.body) throw e;
    // A body that failed mid-way: the client sees the connection close,
    // never a short body passed off as complete.
    ctx.count(e instanceof HttpError ? `body:${e.kind}` : "body:error");
  } finally {
    if (noBody) await cancelBody(res);
    if (!res.upgrade) {
      ctx.log({
        remoteAddr,
        time: receivedAt,
        requestLine,
        status: res.status,
        bytes,
        suffix: res.logSuffix,
        note: res.note,
      });
    }
  }
  if (failed) return "close"; // the client sees the body end short
  if (close) return "linger"; // RFC 9112 §9.6: the client may still be sending
  return await finishRequestBody(body) ? "next" : "linger";
}
