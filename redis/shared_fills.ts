/**
 * Owns the nodes' fill locks in Redis (SharedFills of
 * proxy/caching/shared_fills.ts): per cache key one string
 * `cachelab:lock:{H}` (H as the store's layout: the first 32 hex digits
 * of the key's SHA-256, in braces so it shares its hash slot with the
 * entry), set with `SET NX PX 5000` to `<node>:<nonce>`, renewed every
 * 1.5 s while the fill runs and released by its owner only (a Lua
 * compare-and-delete that also publishes `released H` on
 * `cachelab:fills`). A node waiting for another one's fill wakes on that
 * message or, should it be missed, on a bounded poll of the lock.
 *
 * Must not store or read entries (the store does), nor subscribe: the
 * node's subscriber connection (redis/node.ts) hands each message of
 * FILLS_CHANNEL to heard().
 */

import { createHash } from "node:crypto";
import type { Claim, SharedFills } from "../proxy/caching/shared_fills.ts";
import type { RedisClient, RedisScript } from "./client.ts";

/** The channel fill releases are announced on. */
export const FILLS_CHANNEL = "cachelab:fills";
/** A lock's lifetime (ms): what a dead owner holds a key up for at most. */
export const LOCK_MS = 5000;
/** How often (ms) a fill renews its lock: well within LOCK_MS. */
export const RENEW_MS = 1500;
/** How often (ms) a waiting node looks whether the lock is still there. */
export const POLL_MS = 200;

const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("DEL", KEYS[1])
  redis.call("PUBLISH", ARGV[2], ARGV[3])
  return 1
end
return 0`;

const RENEW = `if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`;

/** The hash part of a key's Redis names (as the store's layout). */
export function keyHash(key: string): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 32);
}

/** The name of the fill lock of `key`. */
export function lockName(key: string): string {
  return `cachelab:lock:{${keyHash(key)}}`;
}

/** The nodes' fill locks, over one command connection. */
export class RedisSharedFills implements SharedFills {
  readonly #redis: RedisClient;
  readonly #node: string;
  readonly #release: RedisScript;
  readonly #renew: RedisScript;
  #nonce = 0;
  /** Wake-ups of the nodes waiting here, by key hash. */
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #renewals = new Set<ReturnType<typeof setInterval>>();
  /** Calls under way (a poll, a renewal, a release): close() waits for them. */
  readonly #pending = new Set<Promise<unknown>>();

  /** `node` names this node in the locks it takes (for people reading them). */
  constructor(redis: RedisClient, node: string) {
    this.#redis = redis;
    this.#node = node;
    this.#release = redis.script(RELEASE);
    this.#renew = redis.script(RENEW);
  }

  async claim(key: string): Promise<Claim> {
    const lock = lockName(key);
    const token = `${this.#node}:${++this.#nonce}`;
    let reply: unknown;
    try {
      reply = await this.#track(
        this.#redis.call("SET", lock, token, "NX", "PX", LOCK_MS),
      );
    } catch {
      return { kind: "unavailable" }; // counted by the client
    }
    if (reply !== "OK") return { kind: "taken" };
    const renewal = setInterval(() => {
      this.#track(this.#renew.run([lock], [token, LOCK_MS])).catch(() => {});
    }, RENEW_MS);
    this.#renewals.add(renewal);
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      clearInterval(renewal);
      this.#renewals.delete(renewal);
      const message = `released ${keyHash(key)}`;
      await this.#track(
        this.#release.run([lock], [token, FILLS_CHANNEL, message]),
      ).catch(() => {}); // unreachable: it runs out by itself (LOCK_MS)
    };
    return { kind: "held", fill: { release } };
  }

  awaitRelease(key: string, maxWaitMs: number): Promise<boolean> {
    const hash = keyHash(key);
    const lock = lockName(key);
    return new Promise((resolve) => {
      let settled = false;
      let poll: ReturnType<typeof setTimeout> | undefined;
      const waiters = this.#waiters.get(hash) ?? new Set();
      this.#waiters.set(hash, waiters);
      const finish = (released: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        clearTimeout(poll);
        waiters.delete(wake);
        if (waiters.size === 0) this.#waiters.delete(hash);
        resolve(released);
      };
      const wake = () => finish(true);
      waiters.add(wake);
      const deadline = setTimeout(() => finish(false), maxWaitMs);
      const look = async () => {
        poll = undefined;
        try {
          const there = await this.#track(this.#redis.call("EXISTS", lock));
          if (there === 0) return finish(true);
        } catch {
          return finish(true); // unreachable: nobody fills it for us
        }
        if (!settled) poll = setTimeout(look, POLL_MS);
      };
      void look();
    });
  }

  /** Takes one message of FILLS_CHANNEL: the nodes waiting for that key look again. */
  heard(message: string): void {
    const hash = message.startsWith("released ")
      ? message.slice("released ".length)
      : undefined;
    if (hash === undefined) return;
    for (const wake of [...this.#waiters.get(hash) ?? []]) wake();
  }

  /** Stops renewing, wakes every waiter and waits for the calls under way. */
  async close(): Promise<void> {
    for (const renewal of this.#renewals) clearInterval(renewal);
    this.#renewals.clear();
    for (const waiters of [...this.#waiters.values()]) {
      for (const wake of [...waiters]) wake();
    }
    await Promise.allSettled([...this.#pending]);
  }

  #track<T>(call: Promise<T>): Promise<T> {
    this.#pending.add(call);
    const forget = () => this.#pending.delete(call);
    call.then(forget, forget);
    return call;
  }
}
