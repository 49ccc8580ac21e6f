/**
 * Owns the one connection to Redis a part of cachelab uses: the npm client
 * (@redis/client, the core of npm:redis) behind a small interface, every
 * call bounded by a time limit, reconnection with backoff, the
 * connection's state for logs and metrics, and subscriptions that come
 * back after a reconnect (scripts and SCAN: redis/commands.ts).
 *
 * Must not know what is stored (redis/store*.ts does) nor decide anything
 * about caching. The only module that imports @redis/client.
 */

import { Buffer } from "node:buffer";
import { createClient, ErrorReply, RESP_TYPES } from "@redis/client";
import { StoreUnavailableError } from "../cache/store.ts";
import { formatRedisAddress, type RedisAddress } from "./address.ts";
import {
  meansUnavailable,
  type RedisArg,
  type RedisCalls,
  RedisReplyError,
  type RedisScript,
  scanKeys,
  scriptOf,
} from "./commands.ts";

export { type RedisArg, RedisReplyError, type RedisScript };

/**
 * Where the connection stands: connecting (the first time), ready, down
 * (lost or never made; reconnecting with backoff), closed (by close()).
 */
export type RedisState = "connecting" | "ready" | "down" | "closed";

/** How a RedisClient behaves. */
export interface RedisClientOptions {
  /** The bound on every call, in ms (`--store-timeout`): a call waits no longer, then rejects. */
  timeoutMs: number;
  /** The connection's name on the server (CLIENT SETNAME), for people reading CLIENT LIST. */
  name?: string;
  /** The longest wait between two reconnection attempts, in ms (2000 by default). */
  maxBackoffMs?: number;
}

/**
 * One connection to a Redis server. Calls never wait longer than
 * `timeoutMs`: while the connection is down they reject at once with a
 * StoreUnavailableError ("Cannot reach Redis at ADDRESS: reason"), and
 * one without a reply in time rejects with it too, as does an error
 * reply saying the server cannot serve now (BUSY, LOADING, OOM, ...:
 * commands.ts meansUnavailable()); any other error reply (WRONGTYPE, a
 * script error) rejects with a RedisReplyError. The connection comes back by itself
 * (backoff from 100 ms up to `maxBackoffMs`) until close().
 *
 * The npm client's own reconnection is off: its wait between attempts is
 * a timer close() cannot clear (Deno's test sanitizers see it leak); this
 * class makes a new connection instead, with a timer it owns.
 */
export class RedisClient implements RedisCalls {
  readonly address: RedisAddress;
  readonly #options: RedisClientOptions;
  readonly #where: string;
  #state: RedisState = "connecting";
  #closing = false;
  #failures = 0;
  #attempts = 0;
  /** The connection, once ready; undefined while down. */
  #live: Connection | undefined;
  /** The connection attempt under way, if any (close() waits for it). */
  #dialing: Promise<void> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  readonly #listeners = new Set<(state: RedisState) => void>();
  readonly #channels = new Map<string, ChannelHandlers>();

  constructor(address: RedisAddress, options: RedisClientOptions) {
    this.address = address;
    this.#options = options;
    this.#where = formatRedisAddress(address);
    this.#dial();
  }

  /** Where the connection stands now. */
  get state(): RedisState {
    return this.#state;
  }

  /** Calls that failed because Redis could not be reached in time, since the client opened. */
  get failures(): number {
    return this.#failures;
  }

  /** Calls `listener` at each change of state; returns the function that stops it. */
  onState(listener: (state: RedisState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves true once the connection is ready, false after `ms` or when it closes first. */
  ready(ms: number): Promise<boolean> {
    if (this.#state === "ready") return Promise.resolve(true);
    if (this.#state === "closed") return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(false), ms);
      const stop = this.onState((state) => {
        if (state === "ready") settle(true);
        if (state === "closed") settle(false);
      });
      function settle(ready: boolean): void {
        clearTimeout(timer);
        stop();
        resolve(ready);
      }
    });
  }

  /** Runs one command; bulk replies come as strings (UTF-8). */
  call(command: string, ...args: RedisArg[]): Promise<unknown> {
    return this.#bounded((c) => c.sendCommand([command, ...args.map(wire)]));
  }

  /** Runs one command; bulk replies come as bytes (plain Uint8Arrays, not Buffers). */
  async callBytes(command: string, ...args: RedisArg[]): Promise<unknown> {
    return plainBytes(
      await this.#bounded((c) =>
        c.sendCommand([command, ...args.map(wire)], { typeMapping: AS_BYTES })
      ),
    );
  }

  /** A Lua script, run by EVALSHA (EVAL once when the server answers NOSCRIPT). */
  script(source: string): RedisScript {
    return scriptOf(this, source);
  }

  /**
   * The keys matching `pattern`, by SCAN (never KEYS), in batches of about
   * `count`; each SCAN is one bounded call (a failure rejects the next()).
   */
  scan(pattern: string, count = 500): AsyncGenerator<string[]> {
    return scanKeys(this, pattern, count);
  }

  /**
   * Subscribes this client to `channel` (its connection then serves
   * subscriptions only: use another RedisClient for commands).
   * `onMessage` gets each message; `onSubscribed` is called each time the
   * subscription is in place, the first time and after each reconnect
   * (messages published while it was not may have been missed). Resolves
   * once subscribed, or rejects like call(): the subscription is still
   * made at the next reconnect.
   */
  async subscribe(
    channel: string,
    onMessage: (message: string) => void,
    onSubscribed?: () => void,
  ): Promise<void> {
    const handlers = { onMessage, onSubscribed };
    this.#channels.set(channel, handlers);
    await this.#bounded((c) => c.subscribe(channel, onMessage));
    onSubscribed?.();
  }

  /**
   * Closes the connection and stops reconnecting; resolves once the
   * socket is closed. Later calls reject.
   */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearTimeout(this.#retry);
    await this.#dialing;
    const live = this.#live;
    this.#live = undefined;
    if (live) destroy(live);
    this.#becomes("closed");
  }

  #dial(): void {
    const { host, port, db } = this.address;
    const connection: Connection = createClient({
      socket: {
        host,
        port,
        connectTimeout: Math.max(this.#options.timeoutMs, 1000),
        reconnectStrategy: false,
      },
      database: db,
      name: this.#options.name,
      disableOfflineQueue: true,
    });
    connection.on("error", () => {
      if (!connection.isReady) this.#lost(connection);
    });
    this.#dialing = connection.connect().then(
      () => {
        this.#dialing = undefined;
        if (this.#closing) return destroy(connection);
        this.#live = connection;
        this.#attempts = 0;
        this.#becomes("ready");
      },
      () => {
        this.#dialing = undefined;
        this.#lost(connection);
      },
    );
  }

  /** The connection failed or was lost: down, and a new one after the backoff. */
  #lost(connection: Connection): void {
    if (this.#live === connection) this.#live = undefined;
    destroy(connection);
    if (this.#closing || this.#live || this.#dialing || this.#retry) return;
    this.#becomes("down");
    const wait = Math.min(
      ++this.#attempts * 100,
      this.#options.maxBackoffMs ?? 2000,
    );
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (!this.#closing) this.#dial();
    }, wait);
  }

  async #bounded<T>(run: (connection: Connection) => Promise<T>): Promise<T> {
    const live = this.#live;
    if (!live) {
      this.#failures++;
      const why = this.#closing ? "the client is closed" : "not connected";
      throw new StoreUnavailableError(
        `Cannot reach Redis at ${this.#where}: ${why}`,
      );
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`no reply within ${this.#options.timeoutMs} ms`)),
        this.#options.timeoutMs,
      );
    });
    try {
      return await Promise.race([run(live), late]);
    } catch (error) {
      if (error instanceof ErrorReply && !meansUnavailable(error.message)) {
        throw new RedisReplyError(error.message, { cause: error });
      }
      this.#failures++;
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(
        `Cannot reach Redis at ${this.#where}: ${reason}`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  #becomes(state: RedisState): void {
    if (this.#state === "closed") return;
    if (this.#closing && state !== "closed") return;
    if (state === this.#state) return;
    this.#state = state;
    if (state === "ready") this.#resubscribe();
    for (const listener of [...this.#listeners]) listener(state);
  }

  #resubscribe(): void {
    for (const [channel, handlers] of this.#channels) {
      this.#bounded((c) => c.subscribe(channel, handlers.onMessage)).then(
        () => handlers.onSubscribed?.(),
        () => {}, // down again: the next "ready" tries again
      );
    }
  }
}

type Connection = ReturnType<typeof createClient>;

/** Bulk strings as Buffers (bytes), not decoded. */
const AS_BYTES = { [RESP_TYPES.BLOB_STRING]: Buffer } as const;

function destroy(connection: Connection): void {
  try {
    connection.destroy();
  } catch {
    // already closed
  }
}

interface ChannelHandlers {
  onMessage(message: string): void;
  onSubscribed?: () => void;
}

/** Buffers in a reply as plain Uint8Arrays over the same memory (arrays walked). */
function plainBytes(reply: unknown): unknown {
  if (Array.isArray(reply)) return reply.map(plainBytes);
  if (reply instanceof Uint8Array) {
    return new Uint8Array(reply.buffer, reply.byteOffset, reply.byteLength);
  }
  return reply;
}

/** An argument as the client sends it (bytes as a Buffer over the same memory, no copy). */
function wire(arg: RedisArg): string | Buffer {
  if (typeof arg === "string") return arg;
  if (typeof arg === "number") return String(arg);
  return Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength);
}
