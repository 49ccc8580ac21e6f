/**
 * Owns one connection to an upstream: its socket and read buffer, what
 * the current exchange wrote and read on it (the retry rules need both),
 * its read deadline (one fixed deadline for a whole response head, or one
 * per read for a body; the pool's sweeper enforces it), how many requests
 * it carried, and opening it with a timeout.
 *
 * Must not pool (pool.ts) nor speak HTTP (exchange.ts).
 */

import { BufferedReader } from "../../http/reader.ts";
import { UpstreamError } from "./errors.ts";
import { closeQuietly } from "../../http/close.ts";

/**
 * Responses whose effects a connection remembers, to undo them if it
 * turns out to be out of step: a desynchronised upstream is found out
 * within a response or two (the real answer arrives behind the stolen
 * one), so a few are enough.
 */
const SUSPECTS_KEPT = 4;

/** What the read deadline of a connection is doing. */
type DeadlineMode = "none" | "head" | "body";

/** One connection to an upstream, with its read buffer. */
export class UpstreamConnection {
  /** "host:port" of the upstream. */
  readonly key: string;
  readonly host: string;
  readonly port: number;
  readonly conn: Deno.TcpConn;
  readonly reader: BufferedReader;
  /** True when it came from the idle pool (it may have gone stale). */
  reused = false;
  /** Set by the sweeper when a read deadline passed and it closed the socket. */
  timedOut = false;
  /** When the pending read must have finished (ms since epoch). */
  deadline = Number.POSITIVE_INFINITY;
  /** Requests sent on this connection, the current one included. */
  requests = 0;
  /** Bytes of the current request written (0: nothing of it left). */
  written = 0;
  /** Bytes read since the current exchange began. */
  received = 0;
  /**
   * Set when the read kept pending while the connection was idle settled
   * (bytes, end or error); reset each time it is pooled.
   */
  watchFired = false;
  /** When an idle pooled connection stops being reusable (ms since epoch). */
  idleUntil = Number.POSITIVE_INFINITY;
  /** The timer that closes it when idle too long (pool-owned). */
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** What to undo if the connection turns out to be out of step (newest last). */
  #suspects: (() => void)[] = [];
  #mode: DeadlineMode = "none";
  #perReadMs = 0;
  #headMs = 0;
  #closed = false;

  constructor(host: string, port: number, conn: Deno.TcpConn) {
    this.host = host;
    this.port = port;
    this.key = keyOf(host, port);
    this.conn = conn;
    this.reader = new BufferedReader(this);
  }

  /**
   * Starts an exchange: counts the request, zeroes the byte counts and
   * arms one deadline, `headMs` from now, for the whole response head
   * (interim 1xx responses do not restart it).
   */
  beginExchange(headMs: number): void {
    this.requests++;
    this.written = 0;
    this.received = 0;
    this.timedOut = false;
    this.#mode = "head";
    this.#headMs = headMs;
    this.deadline = Date.now() + headMs;
  }

  /**
   * The request body made progress: the head deadline starts again from
   * now (the upstream cannot answer before it has the body). No effect
   * once the head arrived.
   */
  requestProgress(): void {
    if (this.#mode === "head") this.deadline = Date.now() + this.#headMs;
  }

  /** From now on each read must finish within `ms` (a response body). */
  armPerRead(ms: number): void {
    this.#mode = "body";
    this.#perReadMs = ms;
    this.deadline = Number.POSITIVE_INFINITY;
  }

  /** No deadline (an idle pooled connection). */
  disarm(): void {
    this.#mode = "none";
    this.deadline = Number.POSITIVE_INFINITY;
  }

  /** Reads, counting the bytes; in body mode with a per-read deadline. */
  async read(p: Uint8Array): Promise<number | null> {
    const perRead = this.#mode === "body";
    if (perRead) this.deadline = Date.now() + this.#perReadMs;
    try {
      const n = await this.conn.read(p);
      if (n !== null) this.received += n;
      return n;
    } finally {
      if (perRead && this.#mode === "body") {
        this.deadline = Number.POSITIVE_INFINITY;
      }
    }
  }

  /** Writes, counting the bytes the socket took. */
  async write(p: Uint8Array): Promise<number> {
    const n = await this.conn.write(p);
    this.written += n;
    return n;
  }

  /**
   * Registers `undo`, to be called if this connection later shows it is
   * out of step with its upstream: then a response read on it may have
   * been the answer to another request. The last SUSPECTS_KEPT are kept.
   */
  suspect(undo: () => void): void {
    this.#suspects.push(undo);
    if (this.#suspects.length > SUSPECTS_KEPT) this.#suspects.shift();
  }

  /**
   * The upstream sent bytes nobody asked for (behind a response, or while
   * the connection sat idle): every recent response read on it is
   * suspect, so what was done with them is undone, once.
   */
  outOfStep(): void {
    const undo = this.#suspects;
    this.#suspects = [];
    for (const callback of undo) {
      try {
        callback();
      } catch {
        // an undo that fails must not stop the others
      }
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Closes the socket (idempotent); a pending read then rejects. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    closeQuietly(this.conn); // perhaps closed already by the peer or the sweeper
  }
}

/** The pool's key of an upstream. */
export function keyOf(host: string, port: number): string {
  return `${host}:${port}`;
}

/**
 * Opens a TCP connection with Nagle off, giving up after `timeoutMs`.
 * Throws UpstreamError ("connect-timeout" or "connect-failed").
 */
export async function connectWithTimeout(
  address: { host: string; port: number },
  timeoutMs: number,
): Promise<Deno.TcpConn> {
  const { host, port } = address;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const conn = await Deno.connect({
      hostname: host,
      port,
      signal: abort.signal,
    });
    conn.setNoDelay(true);
    return conn;
  } catch (e) {
    if (abort.signal.aborted) {
      throw new UpstreamError(
        "connect-timeout",
        `upstream ${host}:${port} did not accept within ${timeoutMs} ms`,
      );
    }
    throw new UpstreamError(
      "connect-failed",
      `cannot connect to ${host}:${port}: ${errorName(e)}`,
    );
  } finally {
    clearTimeout(timer);
  }
}

function errorName(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
