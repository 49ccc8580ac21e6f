/**
 * Owns invalidation announcements over Redis (Peers of
 * proxy/caching/invalidations.ts): each is one PUBLISH on
 * `cachelab:invalidate` of the JSON `{"node": ID, ...what}` (what: `keys`
 * with `replaced` for a stored replacement, `url`, `prefix` or `all`);
 * reading one back, strictly (a message of another shape is ignored), and
 * leaving out this node's own.
 *
 * Must not subscribe (redis/node.ts hands each message to heard()) nor
 * act on what it hears (its `onHeard` does).
 */

import type { Invalidated, Peers } from "../proxy/caching/invalidations.ts";
import type { RedisClient } from "./client.ts";

/** The channel invalidations are announced on. */
export const INVALIDATE_CHANNEL = "cachelab:invalidate";

/** The other nodes, reached by PUBLISH over one command connection. */
export class RedisPeers implements Peers {
  readonly #redis: RedisClient;
  readonly #node: string;
  readonly #onHeard: (what: Invalidated) => void;
  readonly #pending = new Set<Promise<unknown>>();
  /** Announcements that could not be published (Redis unreachable). */
  lost = 0;

  /** `node` is this node's id; `onHeard` gets what another node announced. */
  constructor(
    redis: RedisClient,
    node: string,
    onHeard: (what: Invalidated) => void,
  ) {
    this.#redis = redis;
    this.#node = node;
    this.#onHeard = onHeard;
  }

  announce(what: Invalidated): void {
    const message = JSON.stringify({ node: this.#node, ...what });
    const call = this.#redis.call("PUBLISH", INVALIDATE_CHANNEL, message)
      .catch(() => {
        this.lost++; // the other nodes empty their tiers when they reconnect
      });
    this.#pending.add(call);
    call.finally(() => this.#pending.delete(call));
  }

  /** Takes one message of INVALIDATE_CHANNEL. */
  heard(message: string): void {
    const what = invalidatedOf(message, this.#node);
    if (what) this.#onHeard(what);
  }

  /** Waits for the announcements under way. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }
}

/** The announcement in `message`, unless it is this node's own or malformed. */
export function invalidatedOf(
  message: string,
  self: string,
): Invalidated | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.node !== "string" || v.node === self) return undefined;
  if (Array.isArray(v.keys) && v.keys.every((k) => typeof k === "string")) {
    const keys = v.keys as string[];
    return v.replaced === true ? { keys, replaced: true } : { keys };
  }
  if (typeof v.url === "string") return { url: v.url };
  if (typeof v.prefix === "string") return { prefix: v.prefix };
  if (v.all === true) return { all: true };
  return undefined;
}
