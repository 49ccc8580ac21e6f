/**
 * Owns accepting downstream connections on a listener: the connection
 * limit and who gets a slot at it (admission), the inactivity sweeper
 * (head and idle timeouts), and graceful shutdown (stop accepting, let
 * in-flight requests finish within a bound, then close the rest).
 *
 * Admission at the limit (as nginx reuses keep-alive connections): a new
 * connection is accepted, and the connection idle the longest between
 * two requests (it was served at least once and has sent no byte of its
 * next head) is closed to make room; failing that, the one lingering the
 * longest after its last response. A client whose next request crosses
 * that close sees the keep-alive race any client must handle (RFC 9112
 * §9.3.1). Connections that have sent part of a head, fresh ones that
 * have sent nothing yet, and ones in a request are never closed to admit
 * another: they are bounded by the head timeout (408), the head timeout
 * for a first request, and the idle timeout between reads and writes.
 * When every slot is such a connection (for instance all trickling
 * heads), the new connection waits, held by the accept loop while later
 * ones wait in the kernel's backlog, until a slot frees or a connection
 * turns idle: at worst one head timeout. Counted: "idle_closed_to_admit",
 * "lingering_closed_to_admit", "admissions_waited", and
 * "admissions_waited_for_timeout" when a timeout closed a connection
 * during the wait.
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
   * Counts protocol events ("connection", "request", "error:400",
   * "timeout:head", "idle_closed_to_admit", "linger:eof", ...).
   */
  count?: (event: string) => void;
  /** Receives internal errors (handler bugs); the server keeps running. */
  onError?: (error: unknown) => void;
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
    log: options.log
      ? (entry: AccessLogEntry) => options.log!(formatAccessLog(entry))
      : () => {},
    count,
    reportError: options.onError ??
      ((e) => console.error("internal error:", e)),
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

/**
 * The admission order at the connection limit: connections that may be
 * closed to admit a new one, oldest first, and the wait when none may.
 */
class Admission {
  #open: Map<Deno.Conn, ConnectionState>;
  #count: (event: string) => void;
  /** Idle between requests, in the order they became idle. */
  #idle = new Set<Deno.Conn>();
  /** Lingering after their last response, in the order they started. */
  #lingering = new Set<Deno.Conn>();
  #wake: (() => void) | undefined;
  /** Connections ended by a timeout so far (sweeper or linger bound). */
  #timeouts = 0;

  constructor(
    open: Map<Deno.Conn, ConnectionState>,
    count: (event: string) => void,
  ) {
    this.#open = open;
    this.#count = count;
  }

  /** A connection's idle or lingering state changed. */
  changed(conn: Deno.Conn, state: ConnectionState): void {
    this.#idle.delete(conn);
    this.#lingering.delete(conn);
    if (!this.#open.has(conn)) return;
    if (state.lingering) this.#lingering.add(conn);
    else if (state.idle && state.requests > 0) this.#idle.add(conn);
    else return;
    this.wake(); // a waiting admission may close it now
  }

  /** A connection's task ended: its slot is free. */
  left(conn: Deno.Conn, state: ConnectionState): void {
    this.#idle.delete(conn);
    this.#lingering.delete(conn);
    this.#open.delete(conn);
    if (state.lingerExpired) this.#timeouts++;
    this.wake();
  }

  /** The sweeper closed (or is closing) a connection for a timeout. */
  timedOut(): void {
    this.#timeouts++;
  }

  /** Ends a wait in makeRoom() so it looks again (or sees the shutdown). */
  wake(): void {
    this.#wake?.();
  }

  /**
   * Makes room for one more connection under `max`: closes idle (then
   * lingering) connections, oldest first, else waits for a slot. Resolves
   * false when the server stops first.
   */
  async makeRoom(max: number, stopping: () => boolean): Promise<boolean> {
    let waited = false;
    const timeoutsBefore = this.#timeouts;
    while (this.#open.size >= max) {
      if (stopping()) return false;
      const victim = first(this.#idle) ?? first(this.#lingering);
      if (victim) {
        this.#count(
          this.#idle.has(victim)
            ? "idle_closed_to_admit"
            : "lingering_closed_to_admit",
        );
        this.#idle.delete(victim);
        this.#lingering.delete(victim);
        this.#open.delete(victim); // its slot is free now: the socket closes at once
        closeQuietly(victim);
        continue;
      }
      if (!waited) this.#count("connections:full");
      waited = true;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
    if (waited) {
      this.#count("admissions_waited");
      if (this.#timeouts > timeoutsBefore) {
        this.#count("admissions_waited_for_timeout");
      }
    }
    return true;
  }
}

function first<T>(set: Set<T>): T | undefined {
  for (const item of set) return item;
  return undefined;
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

function closeQuietly(closer: { close(): void }): void {
  try {
    closer.close();
  } catch {
    // already closed
  }
}
