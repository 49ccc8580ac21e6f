/**
 * Owns forgetting a key: what is stored under it and what is being
 * stored for it, in one step. Used by invalidation after an unsafe
 * request (RFC 9111 §4.4), and the way for anything else that must drop
 * a key (an operator's purge).
 *
 * Must not decide which keys to forget: cache/after_unsafe.ts does.
 */

import { isPending } from "../../cache/variants.ts";
import type { CacheState } from "./state.ts";

/** What forgetting a key did. */
export interface Forgotten {
  /** Stored responses were removed. */
  removed: boolean;
  /** The store failed (out of reach, refusing): what it holds may stay. */
  failed?: true;
  /** Responses on their way to the store that will not be stored now. */
  inFlight: number;
}

/**
 * Forgets `key`, stored or being stored: every response on its way to
 * the store for it (its exchange's ticket, tickets.ts) is not stored,
 * whatever it is (a fill: its readers still get their whole body, the
 * write is discarded; an update; a copy), its fill in flight leaves the
 * registry so the next request for the key leads a new one and none
 * follows the old one, and every stored variant is removed. Never
 * rejects: when the store fails (a shared store out of reach or
 * refusing, StoreUnavailableError or any other rejection), the key's
 * removal is still asked for once, and `failed` says what it holds may
 * stay (the caller's answer, already acted on upstream, must not fail).
 */
export async function forgetKey(
  cache: CacheState,
  key: string,
): Promise<Forgotten> {
  const inFlight = cache.tickets.forget(key);
  cache.fills.forget(key);
  try {
    const found = cache.store.variants(key);
    const stored = isPending(found) ? await found : found;
    const removed = stored.length > 0;
    if (removed) await cache.store.remove(key);
    return { removed, inFlight };
  } catch {
    await Promise.resolve().then(() => cache.store.remove(key)).catch(
      () => {},
    ); // unknown what is stored: ask anyway, a failure is what `failed` says
    return { removed: false, inFlight, failed: true };
  }
}
