/**
 * Owns what nodes sharing one store tell each other about what they
 * dropped: the shape of an announcement (Invalidated), the channel's
 * contract (Peers; Redis implements it in redis/peers.ts), and what a
 * node does on hearing one (heardInvalidated): it forgets the announced
 * keys' fills and responses in flight, as forgetKey() does for its own
 * invalidations, and lets whoever asks drop its own copies.
 *
 * Must not decide which keys to forget (cache/after_unsafe.ts does) nor
 * remove stored entries: the node that announced removed them from the
 * shared store already.
 */

import type { FillRegistry } from "./collapsing.ts";
import type { Tickets } from "./tickets.ts";

/**
 * What a node dropped: the keys of an unsafe method's invalidation (RFC
 * 9111 §4.4), the key of an entry it replaced (`replaced`: its other
 * versions are stale, but writes in flight elsewhere may still land, the
 * last one winning), or an operator's purge (a target URI whatever server
 * it came from, a prefix of them, or everything).
 */
export type Invalidated =
  | { keys: readonly string[]; replaced?: true }
  | { url: string }
  | { prefix: string }
  | { all: true };

/** The other nodes of a cluster, as far as invalidation goes. */
export interface Peers {
  /** Tells every other node; never throws, never waits (fire and forget). */
  announce(what: Invalidated): void;
}

/**
 * What a node does on hearing that another one dropped `what`: for
 * invalidated keys (not `replaced`), responses on their way to the store
 * are not stored and their fill in flight leaves the registry (the next
 * request leads a new one); in every case `dropLocal` drops what this
 * node holds of them itself, when given.
 */
export function heardInvalidated(
  cache: { tickets: Tickets; fills: FillRegistry },
  what: Invalidated,
  dropLocal?: (what: Invalidated) => void,
): void {
  if ("keys" in what && !what.replaced) {
    for (const key of what.keys) {
      cache.tickets.forget(key);
      cache.fills.forget(key);
    }
  }
  dropLocal?.(what);
}
