/**
 * Owns a node's side of a cluster on Redis besides the store: its id, its
 * subscriber connection (one RedisClient, serving subscriptions only) to
 * `cachelab:fills` and `cachelab:invalidate`, the fill locks
 * (shared_fills.ts) and the announcements (peers.ts) over the command
 * connection it is given, and telling its owner when the subscription
 * came back after a drop (announcements may have been missed meanwhile).
 *
 * Must not open the store nor act on what it hears: `onHeard` and
 * `onResubscribed` do (proxy/caching/invalidations.ts, the store's tier).
 */

import type { Invalidated } from "../proxy/caching/invalidations.ts";
import type { RedisAddress } from "./address.ts";
import { RedisClient } from "./client.ts";
import { INVALIDATE_CHANNEL, RedisPeers } from "./peers.ts";
import { FILLS_CHANNEL, RedisSharedFills } from "./shared_fills.ts";

/** What a node hears, and how long its calls may take. */
export interface RedisNodeOptions {
  /** This node's id in locks and announcements; a new random one when absent. */
  node?: string;
  /** The bound on each call (ms), --store-timeout. */
  timeoutMs: number;
  /** Another node dropped `what`. */
  onHeard: (what: Invalidated) => void;
  /** The subscription came back after a drop (announcements may have been missed). */
  onResubscribed?: () => void;
}

/** One node's fill locks, announcements and subscriber connection. */
export class RedisNode {
  readonly id: string;
  readonly fills: RedisSharedFills;
  readonly peers: RedisPeers;
  readonly #subscriber: RedisClient;
  readonly #subscribed = Promise.withResolvers<void>();

  /**
   * Starts subscribing at `address` (in the background: while Redis is
   * down, it subscribes once it can) and sends its commands over
   * `commands` (which it does not close).
   */
  constructor(
    address: RedisAddress,
    commands: RedisClient,
    options: RedisNodeOptions,
  ) {
    this.id = options.node ?? crypto.randomUUID().slice(0, 8);
    this.fills = new RedisSharedFills(commands, this.id);
    this.peers = new RedisPeers(commands, this.id, options.onHeard);
    this.#subscriber = new RedisClient(address, {
      timeoutMs: options.timeoutMs,
      name: `cachelab-${this.id}-subscriber`,
    });
    let subscribed = 0;
    const onSubscribed = () => {
      if (subscribed++ > 0) options.onResubscribed?.();
      else this.#subscribed.resolve();
    };
    this.#subscriber.subscribe(FILLS_CHANNEL, (m) => this.fills.heard(m))
      .catch(() => {}); // made at the next reconnect
    this.#subscriber.subscribe(
      INVALIDATE_CHANNEL,
      (m) => this.peers.heard(m),
      onSubscribed,
    ).catch(() => {});
  }

  /**
   * Resolves true once both channels were subscribed to (the
   * invalidation channel last), false after `ms`.
   */
  async subscribed(ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    try {
      return await Promise.race([
        this.#subscribed.promise.then(() => true),
        late,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops the locks' renewals and waiters, then the subscriber connection. */
  async close(): Promise<void> {
    await this.fills.close();
    await this.peers.close();
    await this.#subscriber.close();
  }
}
