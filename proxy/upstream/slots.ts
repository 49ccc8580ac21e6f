/**
 * Owns the bookkeeping of one upstream (host:port) in the pool: how many
 * connections are open or being opened (at most the cap), its idle
 * connections, and the requests waiting, first come first served, for a
 * connection handed over or a free slot, each wait bounded by a timer.
 *
 * Must not open or close sockets: pool.ts does.
 */

import { UpstreamError } from "./errors.ts";
import type { UpstreamConnection } from "./conn.ts";

/** One request waiting for a connection. */
interface Waiter {
  grant(got: UpstreamConnection | "slot"): void;
  timer: ReturnType<typeof setTimeout>;
}

/** The slots, idle connections and waiting requests of one upstream. */
export class HostSlots {
  /** "host:port". */
  readonly key: string;
  /** Connections open or being opened (each holds a slot). */
  open = 0;
  /** Idle connections, oldest first. */
  readonly idle: UpstreamConnection[] = [];
  #max: number;
  #waiters: Waiter[] = [];

  constructor(key: string, max: number) {
    this.key = key;
    this.#max = max;
  }

  /** How many requests are waiting. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Takes a free slot; false at the cap. */
  claim(): boolean {
    if (this.open >= this.#max) return false;
    this.open++;
    return true;
  }

  /**
   * Waits for a connection handed over (handOver) or a slot, already
   * claimed for the caller (free). Rejects with UpstreamError
   * "wait-timeout" after `ms`.
   */
  wait(ms: number): Promise<UpstreamConnection | "slot"> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          reject(
            new UpstreamError(
              "wait-timeout",
              `no connection to ${this.key} became free within ${ms} ms ` +
                `(${this.open} open, --max-upstream-connections ${this.#max})`,
            ),
          );
        }, ms),
      };
      this.#waiters.push(waiter);
    });
  }

  /** Gives `c` to the first waiting request; false when nobody waits. */
  handOver(c: UpstreamConnection): boolean {
    const waiter = this.#waiters.shift();
    if (!waiter) return false;
    clearTimeout(waiter.timer);
    waiter.grant(c);
    return true;
  }

  /** A slot came free: it goes to the first waiting request, if any. */
  free(): void {
    this.open--;
    const waiter = this.#waiters.shift();
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.open++;
    waiter.grant("slot");
  }

  /** Gives every waiting request a slot (the pool is closing: their connects fail). */
  releaseWaiters(): void {
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      this.open++;
      waiter.grant("slot");
    }
  }
}
