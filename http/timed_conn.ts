/**
 * Owns the inactivity bookkeeping of one downstream connection: the
 * deadline the server's sweeper enforces, moved around each read and
 * write (idle timeout), and tightened once a request head starts to
 * arrive (head timeout: a client that trickles bytes cannot hold it).
 *
 * Must not parse or frame messages.
 */

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
