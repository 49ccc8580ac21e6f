/**
 * Owns the proxy's event hub: the typed events it tells subscribers about
 * (a request answered, a response stored, an entry evicted, a purge, the
 * clock moved) and
 * handing each one to every subscriber, synchronously. When nobody
 * subscribes (`listening` is false) the hub builds nothing: callers and
 * the store hooks check it before making an event. Event times are on the
 * proxy's clock (http/clock.ts), like the cache's own times.
 *
 * Must not buffer, format or send events (admin/events.ts does, per
 * subscriber) nor decide anything.
 */

import { keyParts } from "../cache/key.ts";
import type { Explanation } from "../cache/explain.ts";
import type { EntryMeta } from "../cache/meta.ts";
import type { StoreObserver } from "../cache/store.ts";
import type { AccessLogEntry } from "../http/access_log.ts";
import { type Clock, realClock } from "../http/clock.ts";
import { RESULTS } from "./durations.ts";

/** A request the proxy answered, as its access-log line was written. */
export interface RequestEvent {
  type: "request";
  /** When the request head was read, ms since the epoch, on the proxy's clock. */
  time: number;
  method: string;
  /** The request target as received (a path, or an absolute URL through a forward proxy). */
  url: string;
  status: number;
  /** The cache result of the log line (proxy/report.ts), "NONE" without one. */
  result: (typeof RESULTS)[number];
  /** One line on why (cache/explain.ts's summary), when there is one. */
  explanation?: string;
  /**
   * The whole explanation behind that line (cache/explanation.ts: the
   * RFC 9111 §4.2.3 terms, the lifetime and its source, the decision,
   * the sections, a rule that stopped storing), when there is one.
   */
  explained?: Explanation;
  /** From the request head read to the response written, in ms of real time. */
  durationMs: number;
}

/** A response the store committed (RFC 9111 §3). */
export interface StoreEvent {
  type: "store";
  /** When the store committed it, ms since the epoch. */
  time: number;
  /** Its target URI as forwarded (the cache key's URI). */
  url: string;
  /** Its cache key (cache/key.ts: the URI, and " via " the upstream for a reverse-proxied one). */
  key: string;
  status: number;
  /** Body bytes. */
  bodySize: number;
}

/** An entry removed to stay under the size cap. */
export interface EvictionEvent {
  type: "eviction";
  time: number;
  url: string;
  key: string;
  bodySize: number;
}

/** What a purge named (the admin API's DELETE /api/entries). */
export type PurgeTarget = { url: string } | { prefix: string } | {
  all: true;
};

/** Entries removed on request (DELETE /api/entries). */
export interface PurgeEvent {
  type: "purge";
  time: number;
  target: PurgeTarget;
  /** How many entries it removed. */
  purged: number;
}

/** The proxy's clock moved forward (the lab's POST /api/clock). */
export interface ClockEvent {
  type: "clock";
  /** The clock's time after the move, ms since the epoch. */
  time: number;
  /** How far ahead of real time it now is, in seconds. */
  offsetSeconds: number;
}

export type ProxyEvent =
  | RequestEvent
  | ClockEvent
  | StoreEvent
  | EvictionEvent
  | PurgeEvent;

/** Receives each event; must not throw, and must not keep the proxy waiting. */
export type EventListener = (event: ProxyEvent) => void;

/** The proxy's event hub; also the store's observer. */
export class EventHub implements StoreObserver {
  /** The clock event times are read from (the proxy's). */
  readonly clock: Clock;
  readonly #listeners = new Set<EventListener>();
  readonly #ends = new Map<EventListener, () => void>();
  #closed = false;
  #dropped = 0;
  #refused = 0;

  /** `clock`: the proxy's clock (ProxyConfig.clock); the real one by default. */
  constructor(clock: Clock = realClock) {
    this.clock = clock;
  }

  /** True while someone subscribes: only then are events built. */
  get listening(): boolean {
    return this.#listeners.size > 0;
  }

  /** Subscribers now. */
  get subscribers(): number {
    return this.#listeners.size;
  }

  /** Events subscribers dropped so far (their queues were full). */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Adds `listener`; the function returned removes it. `ended` is called
   * once if the hub closes first (the subscriber's stream must end then).
   */
  subscribe(listener: EventListener, ended?: () => void): () => void {
    this.#listeners.add(listener);
    if (ended) this.#ends.set(listener, ended);
    return () => {
      this.#listeners.delete(listener);
      this.#ends.delete(listener);
    };
  }

  /**
   * Ends every subscription (at shutdown: an event stream left open would
   * hold the admin listener's graceful stop forever); later subscribers
   * are ended at once.
   */
  close(): void {
    this.#closed = true;
    const ends = [...this.#ends.values()];
    this.#listeners.clear();
    this.#ends.clear();
    for (const end of ends) end();
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Counts `n` events a subscriber could not take. */
  countDropped(n: number): void {
    this.#dropped += n;
  }

  /** Would-be subscribers refused so far (the cap of /api/events). */
  get refused(): number {
    return this.#refused;
  }

  /** Counts one would-be subscriber refused. */
  countRefused(): void {
    this.#refused++;
  }

  /** Hands `event` to every subscriber; a subscriber that throws is removed. */
  emit(event: ProxyEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        this.#listeners.delete(listener);
      }
    }
  }

  /**
   * Emits the request event of an access-log entry (its request line
   * split into method and target), when someone listens. `result`: an
   * index in RESULTS (durations.ts resultIndex()).
   */
  answered(entry: AccessLogEntry, result: number, durationMs: number): void {
    if (this.#listeners.size === 0) return;
    const line = entry.requestLine;
    const space = line.indexOf(" ");
    const end = line.lastIndexOf(" ");
    this.emit({
      type: "request",
      time: this.clock.at(entry.time), // the log's real time, on the proxy's clock
      method: space < 0 ? line : line.slice(0, space),
      url: space < 0
        ? ""
        : line.slice(space + 1, end > space ? end : undefined),
      status: entry.status,
      result: RESULTS[result] ?? "NONE",
      ...explainedOf(entry.note),
      durationMs,
    });
  }

  /** StoreObserver: emits a store event, when someone listens. */
  stored(meta: EntryMeta): void {
    if (this.#listeners.size === 0) return;
    this.emit({
      type: "store",
      time: this.clock.now(),
      url: keyParts(meta.key).uri,
      key: meta.key,
      status: meta.status,
      bodySize: meta.bodySize,
    });
  }

  /** StoreObserver: emits an eviction event, when someone listens. */
  evicted(meta: EntryMeta): void {
    if (this.#listeners.size === 0) return;
    this.emit({
      type: "eviction",
      time: this.clock.now(),
      url: keyParts(meta.key).uri,
      key: meta.key,
      bodySize: meta.bodySize,
    });
  }
}

/**
 * Emits a purge event on `hub` (absent: nothing), when someone listens:
 * what the purge named and how many entries it removed. The admin API's
 * purge calls it once the entries are gone.
 */
export function emitPurge(
  hub: EventHub | undefined,
  purge: { target: PurgeTarget; purged: number },
): void {
  if (!hub?.listening) return;
  hub.emit({ type: "purge", time: hub.clock.now(), ...purge });
}

/**
 * What the caching flow notes on a response for its request event
 * (caching/explaining.ts): the one-line summary and the whole explanation.
 */
export interface ExplainedNote {
  summary: string;
  explanation: Explanation;
}

/** The request event's fields from a response's note (caching/explaining.ts ExplainedNote). */
function explainedOf(
  note: unknown,
): { explanation?: string; explained?: Explanation } {
  if (typeof note !== "object" || note === null) return {};
  const { summary, explanation } = note as Partial<ExplainedNote>;
  if (typeof summary !== "string" || explanation === undefined) return {};
  return { explanation: summary, explained: explanation };
}
