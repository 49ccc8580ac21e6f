/**
 * Owns the connections to upstreams, per host:port: a cap on how many are
 * open (requests beyond it wait, within --timeout-connect), the idle
 * keep-alive connections (reused newest first, each kept as long as
 * keep_policy.ts allows), a read kept pending on every idle connection
 * (like Go's Transport) so that an upstream closing, resetting or sending
 * anything while it is idle removes it at once, and one sweeper closing
 * active connections whose read deadline passed.
 *
 * Must not speak HTTP: exchange.ts writes requests and reads responses.
 */

import type { KeepAliveHint } from "../../http/keep_alive.ts";
import { UpstreamError } from "./errors.ts";
import { keepDecision } from "./keep_policy.ts";
import type { Stats } from "../stats.ts";
import { connectWithTimeout, keyOf, UpstreamConnection } from "./conn.ts";
import { HostSlots } from "./slots.ts";

export { UpstreamConnection } from "./conn.ts";

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

/** Why an idle connection left the pool (counted as upstream.idle_closed_WHY). */
type IdleEnd = "eof" | "bytes" | "reset" | "expired";

/** Connections to upstreams, pooled per host:port. */
export class UpstreamPool {
  #hosts = new Map<string, HostSlots>();
  /** Connections holding a slot, with their upstream's slots. */
  #slots = new Map<UpstreamConnection, HostSlots>();
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
    const slots = this.#slotsOf(keyOf(host, port));
    const idle = this.#takeIdle(slots);
    if (idle) return idle;
    if (!slots.claim()) {
      this.#options.stats.count("upstream.waits");
      let got;
      try {
        got = await slots.wait(this.#options.connectTimeoutMs);
      } catch (e) {
        this.#options.stats.count("upstream.wait_timeouts");
        throw e;
      }
      if (got !== "slot") return got;
    }
    const left = started + this.#options.connectTimeoutMs - Date.now();
    return await this.#connectInSlot({
      host,
      port,
      slots,
      timeoutMs: Math.max(1, left),
    });
  }

  /**
   * Closes `c` and opens a fresh connection to the same upstream in its
   * place, without waiting for a slot (a retry keeps its slot).
   */
  async reconnect(c: UpstreamConnection): Promise<UpstreamConnection> {
    const slots = this.#slots.get(c) ?? this.#slotsOf(c.key);
    if (this.#slots.delete(c)) {
      this.#active.delete(c);
      c.close();
    } else {
      this.discard(c);
      slots.open++;
    }
    return await this.#connectInSlot({
      host: c.host,
      port: c.port,
      slots,
      timeoutMs: this.#options.connectTimeoutMs,
    });
  }

  /**
   * Takes back a connection whose exchange completed: handed to a waiting
   * request, else kept idle (watched) as long as keep_policy.ts allows
   * given the upstream's Keep-Alive `hint`, else closed.
   */
  release(c: UpstreamConnection, hint: KeepAliveHint = {}): void {
    this.#active.delete(c);
    c.disarm();
    const slots = this.#slots.get(c);
    if (!slots || c.closed || this.#closed) return this.discard(c);
    const decision = keepDecision(
      {
        buffered: c.reader.buffered,
        ended: c.reader.ended,
        requests: c.requests,
      },
      { hint, ownIdleMs: this.#options.idleTimeoutMs },
    );
    if (!decision.keep) {
      if (decision.reason === "extra_bytes") c.outOfStep();
      this.#options.stats.count(`upstream.not_pooled_${decision.reason}`);
      return this.discard(c);
    }
    if (slots.waiting > 0) {
      this.#activate(c, true);
      slots.handOver(c);
      return;
    }
    if (slots.idle.length >= (this.#options.maxIdlePerHost ?? 64)) {
      this.#options.stats.count("upstream.not_pooled_full");
      return this.discard(c);
    }
    c.idleUntil = Date.now() + decision.idleMs;
    c.idleTimer = setTimeout(
      () => this.#endIdle(c, "expired"),
      decision.idleMs,
    );
    slots.idle.push(c);
    this.#watch(c);
  }

  /** Closes a connection that must not be reused and frees its slot. */
  discard(c: UpstreamConnection): void {
    this.#active.delete(c);
    c.close();
    const slots = this.#slots.get(c);
    if (!slots) return;
    this.#slots.delete(c);
    const at = slots.idle.indexOf(c);
    if (at !== -1) slots.idle.splice(at, 1);
    slots.free();
  }

  /** Idle connections kept right now (all hosts). */
  get idleCount(): number {
    let n = 0;
    for (const slots of this.#hosts.values()) n += slots.idle.length;
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
    for (const slots of this.#hosts.values()) {
      slots.releaseWaiters(); // their connects fail: the pool is closed
      for (const c of [...slots.idle]) this.discard(c);
    }
    for (const c of [...this.#active]) this.discard(c);
    for (const c of [...this.#slots.keys()]) this.discard(c);
    await Promise.allSettled([...this.#watches]);
  }

  #slotsOf(key: string): HostSlots {
    let slots = this.#hosts.get(key);
    if (!slots) {
      slots = new HostSlots(key, this.#options.maxPerHost);
      this.#hosts.set(key, slots);
    }
    return slots;
  }

  #takeIdle(slots: HostSlots): UpstreamConnection | undefined {
    const now = Date.now();
    for (let c = slots.idle.pop(); c; c = slots.idle.pop()) {
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

  /**
   * Opens a connection to `host`:`port` within `timeoutMs`, in a slot
   * already counted in `slots.open`.
   */
  async #connectInSlot(
    to: { host: string; port: number; slots: HostSlots; timeoutMs: number },
  ): Promise<UpstreamConnection> {
    const { host, port, slots, timeoutMs } = to;
    let conn: Deno.TcpConn;
    try {
      if (this.#closed) {
        throw new UpstreamError("closed", "the proxy is shutting down");
      }
      conn = await connectWithTimeout({ host, port }, timeoutMs);
    } catch (e) {
      slots.free();
      const failure = e instanceof UpstreamError ? e.failure : "connect-failed";
      this.#options.stats.count(`upstream.${failure}`);
      throw e;
    }
    const c = new UpstreamConnection(host, port, conn);
    this.#slots.set(c, slots);
    if (this.#closed) {
      this.discard(c);
      throw new UpstreamError("closed", "the proxy is shutting down");
    }
    this.#activate(c, false);
    return c;
  }

  /**
   * Keeps a read pending on an idle connection: if it settles while the
   * connection is still idle, the connection is closed (nothing may
   * arrive on an idle connection). If the connection was taken first, the
   * read becomes the first read of its response (BufferedReader.prefetch).
   */
  #watch(c: UpstreamConnection): void {
    c.watchFired = false;
    const fired = (why: IdleEnd) => {
      c.watchFired = true;
      this.#endIdle(c, why);
    };
    const settled = c.reader.prefetch().then(
      (n) => fired(n === null ? "eof" : "bytes"),
      () => fired("reset"),
    );
    this.#watches.add(settled);
    settled.then(() => this.#watches.delete(settled));
  }

  /** Removes an idle connection from the pool and closes it, counting why. */
  #endIdle(c: UpstreamConnection, why: IdleEnd): void {
    const slots = this.#slots.get(c);
    if (!slots || !slots.idle.includes(c)) return; // taken, or already gone
    if (why === "bytes") c.outOfStep(); // nothing may arrive on an idle connection
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
