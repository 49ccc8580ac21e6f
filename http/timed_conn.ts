/**
 * Owns the inactivity bookkeeping of one downstream connection: the
 * deadline the server's sweeper enforces, moved around each read and
 * write (idle timeout), tightened once a request head starts to arrive
 * (head timeout: a client that trickles bytes cannot hold it), and the
 * signal that ends a head read when that deadline passed; plus the state
 * the server's admission reads (idle between requests, lingering).
 *
 * Must not parse or frame messages.
 */

import { HttpError } from "./errors.ts";

/** What a head read resolves to once the head deadline passed. */
const EXPIRED = Symbol("head deadline passed");

/**
 * The state the server's sweeper and admission read: when this
 * connection must be closed for inactivity, and whether it may be closed
 * right now (idle between requests, or lingering after its last response).
 */
export class ConnectionState {
  deadline = Number.POSITIVE_INFINITY;
  /** True while waiting for the next request with nothing of it received. */
  idle = true;
  /** True while a partial request head has been received. */
  inHead = false;
  timedOut = false;
  /** Requests whose head was read on this connection. */
  requests = 0;
  /** True while the connection discards input before closing (RFC 9112 §9.6). */
  lingering = false;
  /** True when the lingering close ended at its time bound. */
  lingerExpired = false;
  /** Called after `idle` or `lingering` changed (the server keeps its admission order). */
  onChange: (() => void) | undefined;
  #wake: ((expired: typeof EXPIRED) => void) | undefined;
  #expired = false;

  /** Sets `idle` and tells the server. */
  setIdle(idle: boolean): void {
    if (this.idle === idle) return;
    this.idle = idle;
    this.onChange?.();
  }

  /** Sets `lingering` and tells the server. */
  setLingering(lingering: boolean): void {
    if (this.lingering === lingering) return;
    this.lingering = lingering;
    this.onChange?.();
  }

  /**
   * The head deadline passed (the sweeper calls this): the pending head
   * read ends with HttpError("timeout") so the connection can answer 408.
   */
  expireHead(): void {
    this.#expired = true;
    this.#wake?.(EXPIRED);
  }

  /**
   * A whole head arrived: a head expiry that raced it is void, and the
   * connection is watched by the sweeper again.
   */
  headArrived(): void {
    if (!this.#expired) return;
    this.#expired = false;
    this.timedOut = false;
  }

  /** True once expireHead() was called. */
  get headExpired(): boolean {
    return this.#expired;
  }

  /**
   * Races `read` against expireHead(). One promise per call, dropped
   * after it: a long keep-alive connection accumulates nothing.
   */
  async raceHeadExpiry(
    read: Promise<number | null>,
  ): Promise<number | null | typeof EXPIRED> {
    if (this.#expired) return EXPIRED;
    const expiry = new Promise<typeof EXPIRED>((resolve) => {
      this.#wake = resolve;
    });
    try {
      return await Promise.race([read, expiry]);
    } finally {
      this.#wake = undefined;
    }
  }
}

/** Responses up to this size (head and body) are assembled without allocating. */
const SCRATCH_SIZE = 16 * 1024;

/** The two inactivity limits of a downstream connection (ms). */
export interface Timeouts {
  headTimeoutMs: number;
  idleTimeoutMs: number;
}

/** A Deno.Conn view that moves the inactivity deadline around each I/O. */
export class TimedConn {
  #conn: Deno.Conn;
  #state: ConnectionState;
  #ctx: Timeouts;
  waitingForHead = false;
  /** Bytes written so far (for the access log of a response cut short). */
  written = 0;
  #scratch: Uint8Array | undefined;

  constructor(conn: Deno.Conn, state: ConnectionState, ctx: Timeouts) {
    this.#conn = conn;
    this.#state = state;
    this.#ctx = ctx;
  }

  /**
   * Reads like Deno.Conn. While waiting for a head, throws
   * HttpError("timeout") once the head deadline passed; the socket read
   * then left pending completes into `p` later, so `p` must not be used
   * again (the connection only answers 408 and closes).
   */
  async read(p: Uint8Array): Promise<number | null> {
    if (this.waitingForHead) return await this.#readHead(p);
    const s = this.#state;
    s.deadline = Date.now() + this.#ctx.idleTimeoutMs;
    try {
      return await this.#conn.read(p);
    } finally {
      s.deadline = Number.POSITIVE_INFINITY;
    }
  }

  async #readHead(p: Uint8Array): Promise<number | null> {
    const s = this.#state;
    if (s.headExpired) throw headTooSlow();
    const n = await s.raceHeadExpiry(this.#conn.read(p));
    if (n === EXPIRED) throw headTooSlow();
    if (n !== null && !s.inHead) {
      s.inHead = true; // the first bytes of a head: it must now complete in time
      s.setIdle(false);
      s.deadline = Math.min(s.deadline, Date.now() + this.#ctx.headTimeoutMs);
    }
    return n;
  }

  /** A buffer for assembling small responses (see ByteSink.scratch). */
  scratch(): Uint8Array {
    return this.#scratch ??= new Uint8Array(SCRATCH_SIZE);
  }

  async write(p: Uint8Array): Promise<number> {
    this.#state.deadline = Date.now() + this.#ctx.idleTimeoutMs;
    try {
      const n = await this.#conn.write(p);
      this.written += n;
      return n;
    } finally {
      this.#state.deadline = Number.POSITIVE_INFINITY;
    }
  }
}

function headTooSlow(): HttpError {
  return new HttpError("timeout", "request head too slow");
}
