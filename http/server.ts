/**
 * Owns accepting downstream connections on a listener: the connection
 * limit (who gets a slot at it: admission.ts), the inactivity sweeper
 * (head and idle timeouts; a head timeout is answered 408 by its
 * connection), and graceful shutdown (stop accepting, let in-flight
 * requests finish within a bound, then close the rest).
 *
 * Must not parse or write messages: connection.ts serves each connection.
 */

import { type AccessLogEntry, formatAccessLog } from "./access_log.ts";
import {
  type ConnectionContext,
  ConnectionState,
  type Handler,
  serveConnection,
} from "./connection.ts";
import { DEFAULT_HEAD_LIMITS, type HeadLimits } from "./head.ts";
import { DEFAULT_LINGER, type LingerLimits } from "./lingering_close.ts";
import { Admission } from "./admission.ts";
import { closeQuietly } from "./close.ts";

export type { Handler } from "./connection.ts";

/** How a server treats its connections. */
export interface ServerOptions {
  limits?: HeadLimits;
  /** Time allowed to receive a whole request head once it starts (and for the first request). */
  headTimeoutMs?: number;
  /** Time a connection may sit idle between requests or between two reads/writes. */
  idleTimeoutMs?: number;
  /**
   * Most connections served at once; at the limit the longest-idle
   * keep-alive connection is closed to admit a new one, else it waits.
   */
  maxConnections?: number;
  /** Bounds of the staged close after a response (RFC 9112 §9.6). */
  linger?: LingerLimits;
  /** Receives each access-log line (without newline). */
  log?: (line: string) => void;
  /**
   * Receives the facts of each access-log line, unformatted, as the line
   * is written (after the response; `Date.now() - entry.time` is the
   * request's duration in ms), e.g. for metrics and events.
   */
  answered?: (entry: AccessLogEntry) => void;
  /**
   * Counts protocol events ("connection", "request", "error:400",
   * "timeout:head", "idle_closed_to_admit", "linger:eof", ...).
   */
  count?: (event: string) => void;
  /** Receives internal errors (handler bugs); the server keeps running. */
  onError?: (error: unknown) => void;
  /**
   * The clock (ms since the epoch) of the Date on the server's own
   * answers (400, 408, 431, 500, ...), e.g. a movable one
   * (http/clock.ts); Date.now by default. Timeouts, request times
   * (IncomingRequest.receivedAt) and the log stay on real time.
   */
  now?: () => number;
}

/** A running server. */
export interface HttpServer {
  readonly addr: Deno.NetAddr;
  /** Connections open right now. */
  readonly openConnections: number;
  /**
   * Stops accepting, closes idle connections, lets in-flight requests
   * finish for up to `graceMs`, then closes the rest. Resolves within
   * about `graceMs` plus one second, even if a handler never returns.
   */
  shutdown(graceMs?: number): Promise<void>;
}

/** One function for each log entry: the line written, then `answered`. */
function logger(options: ServerOptions): (entry: AccessLogEntry) => void {
  const { log, answered } = options;
  if (log && answered) {
    return (entry) => {
      log(formatAccessLog(entry));
      answered(entry);
    };
  }
  if (log) return (entry) => log(formatAccessLog(entry));
  return answered ?? (() => {});
}

/** How long shutdown waits for tasks after closing their connections. */
const ABANDON_AFTER_MS = 1000;

/** Serves HTTP/1.1 on `listener` with `handler` until shut down. */
export function serveHttp(
  listener: Deno.Listener,
  handler: Handler,
  options: ServerOptions = {},
): HttpServer {
  const headTimeoutMs = options.headTimeoutMs ?? 10_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const maxConnections = options.maxConnections ?? 1024;
  const count = options.count ?? (() => {});
  const open = new Map<Deno.Conn, ConnectionState>();
  const tasks = new Set<Promise<void>>();
  const admission = new Admission(open, count);
  let stopping = false;

  const ctx: ConnectionContext = {
    handler,
    limits: options.limits ?? DEFAULT_HEAD_LIMITS,
    headTimeoutMs,
    idleTimeoutMs,
    linger: options.linger ?? DEFAULT_LINGER,
    stopping: () => stopping,
    log: logger(options),
    count,
    reportError: options.onError ??
      ((e) => console.error("internal error:", e)),
    now: options.now,
  };

  const sweepEvery = Math.max(
    10,
    Math.min(1000, headTimeoutMs / 4, idleTimeoutMs / 4),
  );
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [conn, state] of open) {
      if (state.deadline > now || state.timedOut) continue;
      state.timedOut = true;
      admission.timedOut();
      count(state.inHead ? "timeout:head" : "timeout:idle");
      if (state.inHead) state.expireHead(); // the connection answers 408
      else closeQuietly(conn);
    }
  }, sweepEvery);

  const track = (conn: Deno.Conn) => {
    const state = new ConnectionState();
    open.set(conn, state);
    state.onChange = () => admission.changed(conn, state);
    count("connection");
    if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true); // no Nagle stall on small responses
    const task = serveConnection(conn, state, ctx).finally(() => {
      admission.left(conn, state);
      tasks.delete(task);
    });
    tasks.add(task);
  };

  const acceptLoop = (async () => {
    while (!stopping) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (e) {
        if (stopping || e instanceof Deno.errors.BadResource) break;
        count("accept:error");
        continue;
      }
      if (
        stopping ||
        !await admission.makeRoom(maxConnections, () => stopping)
      ) {
        closeQuietly(conn);
        break;
      }
      track(conn);
    }
  })();

  return {
    addr: listener.addr as Deno.NetAddr,
    get openConnections() {
      return open.size;
    },
    async shutdown(graceMs = 5000) {
      if (!stopping) {
        stopping = true;
        closeQuietly(listener);
        admission.wake();
      }
      await acceptLoop;
      for (const [conn, state] of open) if (state.idle) closeQuietly(conn);
      await waitAtMost(Promise.allSettled([...tasks]), graceMs);
      for (const conn of open.keys()) closeQuietly(conn);
      // A handler stuck on something other than its connection cannot hold
      // the shutdown: its task is abandoned after a last short wait.
      await waitAtMost(Promise.allSettled([...tasks]), ABANDON_AFTER_MS);
      clearInterval(sweeper);
    },
  };
}

/** Waits for `work`, but no longer than `ms`. */
async function waitAtMost(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([work, expired]);
  clearTimeout(timer);
}
