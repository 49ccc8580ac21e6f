/**
 * Owns request collapsing across nodes that share one store: the
 * contract of a lock per cache key every node sees (SharedFills; Redis
 * implements it in redis/shared_fills.ts, tests use a fake), and the one
 * step of the flow that takes it (leadAcrossNodes): the request that
 * leads its key's fill on this node (collapsing.ts) also claims the
 * nodes' lock, or waits for the node that holds it, then looks again.
 *
 * Must not decide what to fetch or store (flow.ts, cache/policy.ts), nor
 * hold the local fills (collapsing.ts).
 */

import type { Stats } from "../stats.ts";
import type { FillLock } from "./collapsing.ts";

/** A node's hold on the nodes' lock of one key, kept alive until released. */
export interface SharedFill {
  /**
   * Lets the lock go, if it is still this node's (an expired lock another
   * node took since is left alone), and tells the nodes waiting for it to
   * look again. Never rejects; once is enough, later calls do nothing.
   */
  release(): Promise<void>;
}

/** What claiming the nodes' lock of a key came to. */
export type Claim =
  /** This node fills the key: hold the lock until its fill settled. */
  | { kind: "held"; fill: SharedFill }
  /** Another node fills it now: wait (SharedFills.awaitRelease), then look again. */
  | { kind: "taken" }
  /** The shared store cannot be reached: fill alone, as a single node would. */
  | { kind: "unavailable" };

/**
 * Locks over cache keys shared by every node of a cluster, each with a
 * short lifetime that its holder renews while its fill runs, so that the
 * lock of a node that died goes by itself.
 */
export interface SharedFills {
  /** Claims the lock of `key` for this node. Never rejects. */
  claim(key: string): Promise<Claim>;
  /**
   * Resolves true once the lock of `key` is released or gone (its holder
   * released it, or died and it expired; also when the store cannot be
   * reached), false when `maxWaitMs` passed first. Never rejects.
   */
  awaitRelease(key: string, maxWaitMs: number): Promise<boolean>;
}

/**
 * Takes the nodes' lock of a key whose local fill `lock` this request
 * leads: "lead" when it may go upstream (the lock held, released with
 * `lock`, or the store cannot be reached), "look-again" once another node's
 * fill of the key ended or `maxWaitMs` passed (the request's next round
 * decides afresh: a hit on what the other node stored, or a miss it goes
 * upstream for without claiming again). The local lock is kept while it
 * waits: this node's other requests for the key wait on it, not on Redis.
 */
export async function leadAcrossNodes(
  shared: SharedFills,
  lead: { key: string; lock: FillLock; maxWaitMs: number; stats: Stats },
): Promise<"lead" | "look-again"> {
  const claim = await shared.claim(lead.key);
  switch (claim.kind) {
    case "held":
      lead.lock.onRelease(() => void claim.fill.release());
      return "lead";
    case "unavailable":
      lead.stats.count("cache.shared_lock_unavailable");
      return "lead";
    case "taken": {
      lead.stats.count("cache.collapsed_across_nodes");
      const released = await shared.awaitRelease(lead.key, lead.maxWaitMs);
      if (!released) lead.stats.count("cache.shared_lock_wait_timeouts");
      return "look-again";
    }
  }
}
