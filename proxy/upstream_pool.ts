/**
 * Owns upstream connections: connecting with a timeout, a per-host pool
 * of idle keep-alive connections (reused newest first), and deadlines on
 * reads (response head and body inactivity) enforced by one sweeper that
 * closes a connection whose deadline passed.
 *
 * Must not speak HTTP: exchange.ts writes requests and reads responses.
 */

import { BufferedReader } from "../http/reader.ts";
import { UpstreamError } from "./errors.ts";
import type { Stats } from "./stats.ts";

/** One connection to an upstream, with its read buffer. */
export class UpstreamConnection {
  readonly key: string;
  readonly conn: Deno.TcpConn;
  readonly reader: BufferedReader;
  /** True when it came from the idle pool (it may have gone stale). */
  reused = false;
  /** Set by the sweeper when a read deadline passed and it closed the socket. */
  timedOut = false;
  /** How long one read may take before the sweeper closes the connection. */
  readTimeoutMs = Number.POSITIVE_INFINITY;
  /** When the pending read must have finished (ms since epoch). */
  deadline = Number.POSITIVE_INFINITY;
  /** When an idle pooled connection is closed (ms since epoch). */
  idleUntil = Number.POSITIVE_INFINITY;
  #closed = false;

  constructor(key: string, conn: Deno.TcpConn) {
    this.key = key;
    this.conn = conn;
    this.reader = new BufferedReader(this);
  }

  /** Reads with a deadline of `readTimeoutMs` armed (used by the reader). */
  async read(p: Uint8Array): Promise<number | null> {
    this.deadline = Date.now() + this.readTimeoutMs;
    try {
      return await this.conn.read(p);
    } finally {
      this.deadline = Number.POSITIVE_INFINITY;
    }
  }

  write(p: Uint8Array): Promise<number> {
    return this.conn.write(p);
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch {
      // already closed by the peer or the sweeper
    }
  }
}

export interface PoolOptions {
  connectTimeoutMs: number;
  /** The shortest read deadline used (sets the sweeper's granularity). */
  responseTimeoutMs: number;
  /** How long an idle pooled connection is kept. */
  idleTimeoutMs: number;
  /** Most idle connections kept per upstream. */
  maxIdlePerHost?: number;
  stats: Stats;
}

/** Connections to upstreams, pooled per host:port. */
export class UpstreamPool {
  #idle = new Map<string, UpstreamConnection[]>();
  #active = new Set<UpstreamConnection>();
  #options: PoolOptions;
  #sweeper: ReturnType<typeof setInterval> | undefined;
  #sweepEvery: number;

  constructor(options: PoolOptions) {
    this.#options = options;
    const shortest = Math.min(options.idleTimeoutMs, options.responseTimeoutMs);
    this.#sweepEvery = Math.max(10, Math.min(1000, shortest / 4));
  }

  /** An idle pooled connection to host:port, or undefined. */
  takeIdle(host: string, port: number): UpstreamConnection | undefined {
    const list = this.#idle.get(keyOf(host, port));
    while (list && list.length > 0) {
      const c = list.pop()!;
      if (c.closed) continue;
      c.reused = true;
      c.idleUntil = Number.POSITIVE_INFINITY;
      this.#active.add(c);
      this.#options.stats.count("upstream.reuses");
      return c;
    }
    return undefined;
  }

  /** Opens a new connection; throws UpstreamError on refusal or timeout. */
  async connect(host: string, port: number): Promise<UpstreamConnection> {
    let conn: Deno.TcpConn;
    try {
      conn = await connectWithTimeout(
        host,
        port,
        this.#options.connectTimeoutMs,
      );
    } catch (e) {
      const failure = e instanceof UpstreamError ? e.failure : "connect-failed";
      this.#options.stats.count(`upstream.${failure}`);
      throw e;
    }
    this.#options.stats.count("upstream.connects");
    const c = new UpstreamConnection(keyOf(host, port), conn);
    this.#active.add(c);
    this.#startSweeper();
    return c;
  }

  /** Reuses an idle connection to host:port or opens a new one. */
  async acquire(host: string, port: number): Promise<UpstreamConnection> {
    return this.takeIdle(host, port) ?? await this.connect(host, port);
  }

  /** Returns a connection whose exchange completed to the idle pool. */
  release(c: UpstreamConnection): void {
    this.#active.delete(c);
    c.deadline = Number.POSITIVE_INFINITY;
    if (c.closed || c.reader.buffered > 0) {
      c.close(); // bytes past a complete response: the upstream is confused
      return;
    }
    const list = this.#idle.get(c.key) ?? [];
    if (list.length >= (this.#options.maxIdlePerHost ?? 64)) {
      c.close();
      return;
    }
    c.idleUntil = Date.now() + this.#options.idleTimeoutMs;
    list.push(c);
    this.#idle.set(c.key, list);
  }

  /** Closes a connection that must not be reused. */
  discard(c: UpstreamConnection): void {
    this.#active.delete(c);
    c.close();
  }

  /** Idle connections kept right now (all hosts). */
  get idleCount(): number {
    let n = 0;
    for (const list of this.#idle.values()) n += list.length;
    return n;
  }

  /** Closes every connection and stops the sweeper. */
  close(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    for (const list of this.#idle.values()) for (const c of list) c.close();
    this.#idle.clear();
    for (const c of this.#active) c.close();
    this.#active.clear();
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
      this.#options.stats.count("upstream.read_timeouts");
      this.discard(c);
    }
    for (const [key, list] of this.#idle) {
      const alive = list.filter((c) => !c.closed && c.idleUntil > now);
      for (const c of list) if (!alive.includes(c)) c.close();
      if (alive.length === 0) this.#idle.delete(key);
      else this.#idle.set(key, alive);
    }
    if (this.#active.size === 0 && this.#idle.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }
}

/**
 * Opens a TCP connection with Nagle off, giving up after `timeoutMs`.
 * Throws UpstreamError ("connect-timeout" or "connect-failed").
 */
export async function connectWithTimeout(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<Deno.TcpConn> {
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

function keyOf(host: string, port: number): string {
  return `${host}:${port}`;
}

function errorName(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
