/**
 * Owns remembering purges (Store.purge) for the writes under way when
 * they happened, so that a write begun before a purge of its key is not
 * stored at its commit: a generation number taken when a write begins,
 * and the purges made since, kept only while some write is open.
 *
 * Also owns which keys a purge or a listing names (by target URI).
 *
 * Must not touch the index nor files: the stores ask it at commit.
 */

import { keyParts } from "./key.ts";
import type { ListOptions, PurgeTarget } from "./store.ts";
import { PURGE_LOG_MAX } from "./limits.ts";

/** Purges remembered for the writes under way. */
export class PurgeLog {
  #generation = 0;
  /** Purges after which open writes began, oldest first. */
  #purges: { generation: number; target: PurgeTarget }[] = [];

  /** The generation a write beginning now carries (pass it to purgedSince() at commit). */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Remembers a purge; `writesOpen` says whether any write is under way
   * (when none is, nothing needs remembering and the log empties). Past
   * PURGE_LOG_MAX purges, they are remembered as one purge of all: open
   * writes are then not stored (never wrong, only a miss more).
   */
  note(target: PurgeTarget, writesOpen: boolean): void {
    this.#generation++;
    if (!writesOpen) {
      this.#purges.length = 0;
      return;
    }
    if (this.#purges.length >= PURGE_LOG_MAX) {
      this.#purges = [{ generation: this.#generation, target: { all: true } }];
      return;
    }
    this.#purges.push({ generation: this.#generation, target });
  }

  /** True when a purge of `key` happened after `generation`. */
  purgedSince(key: string, generation: number): boolean {
    if (generation === this.#generation) return false; // the hot path: nothing purged since
    for (let i = this.#purges.length - 1; i >= 0; i--) {
      const purge = this.#purges[i]!;
      if (purge.generation <= generation) break;
      if (targets(purge.target, key)) return true;
    }
    return false;
  }
}

/** True when `target` names `key` (by its target URI, cache/key.ts keyParts). */
export function targets(target: PurgeTarget, key: string): boolean {
  if ("all" in target) return true;
  const { uri } = keyParts(key);
  if ("url" in target) return uri === target.url;
  return uri.startsWith(target.prefix);
}

/** The keys Store.list() gives for `options` (its url and prefix). */
export function listMatch(options: ListOptions): (key: string) => boolean {
  const { url, prefix = "" } = options;
  return (key) => {
    const { uri } = keyParts(key);
    return (url === undefined || uri === url) && uri.startsWith(prefix);
  };
}
