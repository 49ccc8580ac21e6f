/**
 * Owns the connections to upstreams, per host:port: a cap on how many are
 * open (requests beyond it wait, within --timeout-connect), the idle
 * keep-alive connections (reused newest first, each kept only as long as
 * our idle limit and the upstream's Keep-Alive hint allow, minus a safety
 * margin), a read kept pending on every idle connection (like Go's
 * Transport) so that an upstream closing, resetting or sending anything
 * while idle removes it at once, and one sweeper closing active
 * connections whose read deadline passed.
 *
 * Must not speak HTTP: exchange.ts writes requests and reads responses.
 */

import type { KeepAliveHint } from "../http/keep_alive.ts";
import { UpstreamError } from "./errors.ts";
import type { Stats } from "./stats.ts";
import {
  connectWithTimeout,
  keyOf,
  UpstreamConnection,
} from "./upstream_conn.ts";

export { UpstreamConnection } from "./upstream_conn.ts";

/**
 * An upstream's advertised idle timeout is trusted up to this much less
 * (ms): its timer and ours do not start at the same instant, and a request
 * needs time to arrive.
 */
export const KEEP_ALIVE_MARGIN_MS = 1000;

export interface PoolOptions {
  /** Time to connect, a wait for a free connection included (ms). */
  connectTimeoutMs: number;
  /** The shortest read deadline used (sets the sweeper's granularity). */
  responseTimeoutMs: number;
  /** How long an idle pooled connection is kept without a hint (ms). */
  idleTimeoutMs: number;
  /** Most connections open to one upstream (--max-upstream-connections). */
  maxPerHost: number;
  /** Most idle connections kept per upstream. */
  maxIdlePerHost?: number;
  stats: Stats;
}

/** One request waiting for a connection to its upstream. */
interface Waiter {
  /** Called with a connection handed over, or "slot" when one may be opened. */
  grant(got: UpstreamConnection | "slot"): void;
  timer: ReturnType<typeof setTimeout>;
}

/** What the pool keeps for one host:port. */
interface HostState {
  /** Connections open or being opened (each holds a slot). */
  open: number;
  /** Idle connections, oldest first. */
  idle: UpstreamConnection[];
  waiters: Waiter[];
}

/** Why an idle connection left the pool. */
type IdleEnd = "eof" | "bytes" | "reset" | "expired";

/** Connections to upstreams, pooled per host:port. */
export class UpstreamPool {
  #hosts = new Map<string, HostState>();
  /** Connections holding a slot, with their host's state. */
  #slots = new Map<UpstreamConnection, HostState>();
  #active = new Set<UpstreamConnection>();
  #watches = new Set<Promise<void>>();
  #options: PoolOptions;
  #sweeper: ReturnType<typeof setInterval> | undefined;
  #sweepEvery: number;
  #closed = false;

  constructor(options: PoolOptions) {
    this.#options = options;
    this.#sweepEvery = Math.max(
      10,
      Math.min(1000, options.responseTimeoutMs / 4),
    );
  }

  /**
   * An idle connection to host:port, else a new one. At the cap, waits
   * for a connection to come back or close; the wait and the connect
   * share --timeout-connect. Throws UpstreamError: "wait-timeout",
   * "connect-timeout" or "connect-failed".
   */
  async acquire(host: string, port: number): Promise<UpstreamConnection> {
    const started = Date.now();
    const state = this.#state(keyOf(host, port));
    const idle = this.#takeIdle(state);
    if (idle) return idle;
    if (state.open >= this.#options.maxPerHost) {
      const got = await this.#wait(state, host, port);
      if (got !== "slot") return got;
    } else {
      state.open++;
    }
    const left = started + this.#options.connectTimeoutMs - Date.now();
    return await this.#connectInSlot(host, port, state, Math.max(1, left));
  }

  /**
   * Closes `c` and opens a fresh connection to the same upstream in its
   * place, without waiting for a slot (a retry keeps its slot).
   */
  async reconnect(c: UpstreamConnection): Promise<UpstreamConnection> {
    const state = this.#slots.get(c) ?? this.#state(c.key);
    if (this.#slots.delete(c)) {
      this.#active.delete(c);
      c.close();
    } else {
      this.discard(c);
      state.open++;
    }
    return await this.#connectInSlot(
      c.host,
      c.port,
      state,
      this.#options.connectTimeoutMs,
    );
  }

  /**
   * Takes back a connection whose exchange completed: handed to a waiting
   * request, or kept idle (watched) as long as our limit and `hint`
   * allow, or closed: when bytes are buffered past the response, when the
   * upstream's `max` is reached, or when its `timeout` leaves no time
   * after the safety margin.
   */
  release(c: UpstreamConnection, hint: KeepAliveHint = {}): void {
    this.#active.delete(c);
    c.disarm();
    const state = this.#slots.get(c);
    if (!state || c.closed || this.#closed) return this.discard(c);
    const refusal = this.#refusal(c, hint);
    if (refusal) {
      this.#options.stats.count(`upstream.not_pooled_${refusal}`);
      return this.discard(c);
    }
    const waiter = state.waiters.shift();
    if (waiter) {
      this.#hand(c, waiter);
      return;
    }
    if (state.idle.length >= (this.#options.maxIdlePerHost ?? 64)) {
      this.#options.stats.count("upstream.not_pooled_full");
      return this.discard(c);
    }
    const idleMs = this.#idleMs(hint);
    c.idleUntil = Date.now() + idleMs;
    c.idleTimer = setTimeout(() => this.#endIdle(c, "expired"), idleMs);
    state.idle.push(c);
    this.#watch(c);
  }

  /** Closes a connection that must not be reused and frees its slot. */
  discard(c: UpstreamConnection): void {
    this.#active.delete(c);
    c.close();
    const state = this.#slots.get(c);
    if (!state) return;
    this.#slots.delete(c);
    const at = state.idle.indexOf(c);
    if (at !== -1) state.idle.splice(at, 1);
    this.#freeSlot(state);
  }

  /** Idle connections kept right now (all hosts). */
  get idleCount(): number {
    let n = 0;
    for (const state of this.#hosts.values()) n += state.idle.length;
    return n;
  }

  /** Connections open or being opened to host:port. */
  openCount(host: string, port: number): number {
    return this.#hosts.get(keyOf(host, port))?.open ?? 0;
  }

  /** Closes every connection, fails every wait, stops the sweeper. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    for (const state of this.#hosts.values()) {
      for (const waiter of state.waiters.splice(0)) {
        clearTimeout(waiter.timer);
        state.open++;
        waiter.grant("slot"); // its connect then fails: the pool is closed
      }
      for (const c of state.idle.splice(0)) this.discard(c);
    }
    for (const c of [...this.#active]) this.discard(c);
    for (const c of [...this.#slots.keys()]) this.discard(c);
    await Promise.allSettled([...this.#watches]);
  }

  #state(key: string): HostState {
    let state = this.#hosts.get(key);
    if (!state) {
      state = { open: 0, idle: [], waiters: [] };
      this.#hosts.set(key, state);
    }
    return state;
  }

  #takeIdle(state: HostState): UpstreamConnection | undefined {
    const now = Date.now();
    for (let c = state.idle.pop(); c; c = state.idle.pop()) {
      clearTimeout(c.idleTimer);
      c.idleTimer = undefined;
      if (c.closed || c.watchFired || c.idleUntil <= now) {
        if (!c.closed && !c.watchFired) {
          this.#options.stats.count("upstream.idle_expired");
        }
        this.discard(c);
        continue;
      }
      this.#activate(c, true);
      return c;
    }
    return undefined;
  }

  #activate(c: UpstreamConnection, reused: boolean): void {
    c.reused = reused;
    c.idleUntil = Number.POSITIVE_INFINITY;
    this.#active.add(c);
    this.#options.stats.count(reused ? "upstream.reuses" : "upstream.connects");
    this.#startSweeper();
  }

  /** Hands a connection just released to a waiting request. */
  #hand(c: UpstreamConnection, waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.#activate(c, true);
    waiter.grant(c);
  }

  #wait(
    state: HostState,
    host: string,
    port: number,
  ): Promise<UpstreamConnection | "slot"> {
    this.#options.stats.count("upstream.waits");
    const ms = this.#options.connectTimeoutMs;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          state.waiters.splice(state.waiters.indexOf(waiter), 1);
          this.#options.stats.count("upstream.wait_timeouts");
          reject(
            new UpstreamError(
              "wait-timeout",
              `no connection to ${host}:${port} became free within ${ms} ms ` +
                `(${state.open} open, --max-upstream-connections ${this.#options.maxPerHost})`,
            ),
          );
        }, ms),
      };
      state.waiters.push(waiter);
    });
  }

  /** Opens a connection in a slot already counted in `state.open`. */
  async #connectInSlot(
    host: string,
    port: number,
    state: HostState,
    timeoutMs: number,
  ): Promise<UpstreamConnection> {
    let conn: Deno.TcpConn;
    try {
      if (this.#closed) {
        throw new UpstreamError("closed", "the proxy is shutting down");
      }
      conn = await connectWithTimeout(host, port, timeoutMs);
    } catch (e) {
      this.#freeSlot(state);
      const failure = e instanceof UpstreamError ? e.failure : "connect-failed";
      this.#options.stats.count(`upstream.${failure}`);
      throw e;
    }
    const c = new UpstreamConnection(host, port, conn);
    this.#slots.set(c, state);
    if (this.#closed) {
      this.discard(c);
      throw new UpstreamError("closed", "the proxy is shutting down");
    }
    this.#activate(c, false);
    return c;
  }

  /** A slot came free: the first waiting request may open a connection. */
  #freeSlot(state: HostState): void {
    state.open--;
    const waiter = state.waiters.shift();
    if (!waiter) return;
    clearTimeout(waiter.timer);
    state.open++;
    waiter.grant("slot");
  }

  /** Why a completed connection is not kept, or undefined when it may be. */
  #refusal(c: UpstreamConnection, hint: KeepAliveHint): string | undefined {
    if (c.reader.buffered > 0) return "extra_bytes"; // bytes nobody asked for: the upstream is confused
    if (c.reader.ended) return "closed";
    if (hint.max !== undefined && c.requests >= hint.max) {
      return "max_requests"; // `max` read as a total: the cautious reading
    }
    if (this.#idleMs(hint) <= 0) return "short_keepalive";
    return undefined;
  }

  /** How long an idle connection is kept: our limit, or the hint minus the margin. */
  #idleMs(hint: KeepAliveHint): number {
    const own = this.#options.idleTimeoutMs;
    if (hint.timeoutSeconds === undefined) return own;
    return Math.min(own, hint.timeoutSeconds * 1000 - KEEP_ALIVE_MARGIN_MS);
  }

  /**
   * Keeps a read pending on an idle connection: if it settles while the
   * connection is still idle, the connection is closed (nothing may
   * arrive on an idle connection). If the connection was taken first, the
   * read becomes the first read of its response (BufferedReader.prefetch).
   */
  #watch(c: UpstreamConnection): void {
    c.watchFired = false;
    const settled = c.reader.prefetch().then(
      (n) => this.#watchFired(c, n === null ? "eof" : "bytes"),
      () => this.#watchFired(c, "reset"),
    );
    this.#watches.add(settled);
    settled.then(() => this.#watches.delete(settled));
  }

  #watchFired(c: UpstreamConnection, why: IdleEnd): void {
    c.watchFired = true;
    this.#endIdle(c, why);
  }

  /** Removes an idle connection from the pool and closes it, counting why. */
  #endIdle(c: UpstreamConnection, why: IdleEnd): void {
    const state = this.#slots.get(c);
    if (!state || !state.idle.includes(c)) return; // taken, or already gone
    this.#options.stats.count(
      why === "expired"
        ? "upstream.idle_expired"
        : `upstream.idle_closed_${why}`,
    );
    this.discard(c);
  }

  #startSweeper(): void {
    if (this.#sweeper !== undefined) return;
    this.#sweeper = setInterval(
      () => this.#sweep(Date.now()),
      this.#sweepEvery,
    );
  }

  #sweep(now: number): void {
    for (const c of this.#active) {
      if (c.deadline > now) continue;
      c.timedOut = true;
      c.deadline = Number.POSITIVE_INFINITY;
      this.#options.stats.count("upstream.read_timeouts");
      c.close(); // the exchange sees the failure and discards it
    }
    if (this.#active.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }
}
