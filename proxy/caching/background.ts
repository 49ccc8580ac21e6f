/**
 * Owns the cache's work that no client waits for: background
 * revalidations (stale-while-revalidate, RFC 5861 §3: at most one per key
 * at a time) and fills still storing (a fill goes on when its clients
 * left), tracked so that shutdown stops the fills and waits for both.
 *
 * Must not decide what to revalidate nor how: flow.ts does, and the
 * revalidation runs through its code (the `forward` it passes in).
 */

import type { EntryMeta } from "../../cache/meta.ts";
import type { IncomingRequest, OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow } from "../context.ts";
import type { Fill } from "./collapsing.ts";

/** How flow.ts goes upstream for a revalidation (its forward()). */
export type Forward = (
  flow: CacheFlow,
  decision: {
    kind: "revalidate";
    entry: EntryMeta;
    conditional: [string, string][];
    fwd: "stale";
  },
  lock: Fill | undefined,
) => Promise<OutgoingResponse | undefined>;

/** A fill in flight, as shutdown sees it (fill.ts Filling). */
export interface Stoppable {
  readonly done: Promise<unknown>;
  /** Aborts it; `done` settles soon after. */
  stop(): void;
}

/** Background tasks (at most one per key) and fills, awaited at shutdown. */
export class BackgroundTasks {
  #running = new Map<string, Promise<void>>();
  #fills = new Set<Stoppable>();
  #closing = false;

  /** True once close() began: new fills are stopped at once. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Keeps `fill` until it is done, so close() can stop it and wait. */
  track(fill: Stoppable): void {
    this.#fills.add(fill);
    fill.done.finally(() => this.#fills.delete(fill));
    if (this.#closing) fill.stop();
  }

  /**
   * Starts `task` for `key` unless one is running; returns whether it
   * started. The task handles its own errors (a rejection is dropped).
   */
  start(key: string, task: () => Promise<void>): boolean {
    if (this.#running.has(key)) return false;
    const run = task().catch(() => {}).finally(() => this.#running.delete(key));
    this.#running.set(key, run);
    return true;
  }

  /** Stops the fills in flight, then waits for them and every task. */
  async close(): Promise<void> {
    this.#closing = true;
    while (this.#running.size > 0 || this.#fills.size > 0) {
      for (const fill of this.#fills) fill.stop();
      await Promise.allSettled([
        ...this.#running.values(),
        ...[...this.#fills].map((fill) => fill.done),
      ]);
    }
  }
}

/**
 * Revalidates a stale entry once in the background (RFC 5861 §3): at
 * most one per key at a time, through `forward`, as the filler of the key
 * when nobody else is; its response is read to the end (so that a new
 * one is stored) and dropped.
 */
export function revalidateInBackground(
  flow: CacheFlow,
  decision: { entry: EntryMeta; conditional: [string, string][] },
  forward: Forward,
): void {
  const { ctx, cache, req } = flow;
  const started = cache.background.start(flow.key, async () => {
    const quiet: IncomingRequest = {
      ...req,
      sendInterim: () => Promise.resolve(),
    };
    const revalidate = {
      kind: "revalidate",
      entry: decision.entry,
      conditional: decision.conditional,
      fwd: "stale",
    } as const;
    try {
      using lock = cache.fills.lead(flow.key);
      const res = await forward({ ...flow, req: quiet }, revalidate, lock);
      await drain(res);
    } catch (e) {
      ctx.stats.count("cache.background_errors"); // nobody waits for it: count, never crash
      if (!cache.background.closing) {
        console.error(
          `cachelab: background revalidation of ${flow.key} failed: ${e}`,
        );
      }
    }
  });
  if (started) ctx.stats.count("cache.background_revalidations");
}

/** Reads a response body to its end (so a background fill is stored). */
async function drain(res: OutgoingResponse | undefined): Promise<void> {
  const body = res?.body;
  if (!body || body instanceof Uint8Array) return;
  while (await body.read() !== null) {
    // the fill stores as it is read
  }
}
