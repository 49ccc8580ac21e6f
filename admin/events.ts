/**
 * Owns `GET /api/events`: the proxy's events (proxy/events.ts) as
 * Server-Sent Events (text/event-stream; one `event:` name per type,
 * its JSON as `data:`). Each subscriber has its own bounded queue, filled
 * as the proxy emits and drained only as fast as the subscriber reads:
 * one too slow (or stuck) never holds the proxy up; its newest events are
 * dropped once its queue is full, counted on the hub (/metrics), and
 * when it reads again it first gets `event: dropped` with how many.
 *
 * Must not build events (the hub does) nor keep anything once the
 * subscriber is gone.
 */

import type { EventHub, ProxyEvent } from "../proxy/events.ts";
import { jsonError } from "./json.ts";
import type { AdminHandler } from "./route.ts";

/** Events a subscriber's queue holds by default before it drops. */
export const DEFAULT_QUEUE_EVENTS = 1024;

/** Subscribers served at once by default; one more gets 503. */
export const MAX_EVENT_SUBSCRIBERS = 32;
/** Seconds a refused subscriber is told to wait (Retry-After). */
export const EVENTS_RETRY_AFTER_SECONDS = 5;

/** Options of the events endpoint. */
export interface EventsOptions {
  /** Events held per subscriber before new ones are dropped (default DEFAULT_QUEUE_EVENTS). */
  queueEvents?: number;
  /** Subscribers at once (default MAX_EVENT_SUBSCRIBERS). */
  maxSubscribers?: number;
}

const encoder = new TextEncoder();

/** One SSE message: `event: TYPE` and its JSON on one `data:` line. */
export function sseMessage(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The GET /api/events handler: 200 text/event-stream, open until the
 * body is cancelled (Deno.serve cancels it when the client leaves). With
 * `maxSubscribers` subscribed already, 503 with Retry-After and a JSON
 * error, counted on the hub (`refused`, /metrics).
 */
export function eventsHandler(
  hub: EventHub,
  options: EventsOptions = {},
): AdminHandler {
  const limit = options.queueEvents ?? DEFAULT_QUEUE_EVENTS;
  const max = options.maxSubscribers ?? MAX_EVENT_SUBSCRIBERS;
  return () => {
    if (hub.subscribers >= max) {
      hub.countRefused();
      const response = jsonError(
        503,
        `Cannot subscribe to /api/events: ${max} subscribers already`,
      );
      response.headers.set("Retry-After", String(EVENTS_RETRY_AFTER_SECONDS));
      return response;
    }
    const subscriber = new Subscriber(hub, limit);
    return new Response(subscriber.stream, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
      },
    });
  };
}

/** One subscriber: its bounded queue and the stream that drains it. */
class Subscriber {
  readonly stream: ReadableStream<Uint8Array>;
  readonly #hub: EventHub;
  readonly #limit: number;
  #queue: ProxyEvent[] = [];
  #dropped = 0;
  #wake: (() => void) | undefined;
  #unsubscribe: (() => void) | undefined;
  #greeted = false;

  constructor(hub: EventHub, limit: number) {
    this.#hub = hub;
    this.#limit = limit;
    this.#unsubscribe = hub.closed
      ? undefined // the proxy is stopping: the stream ends after its greeting
      : hub.subscribe((event) => this.#take(event), () => this.close());
    this.stream = new ReadableStream<Uint8Array>({
      pull: (controller) => this.#pull(controller),
      cancel: () => this.close(),
    }, { highWaterMark: 0 }); // nothing leaves the queue before the client reads
  }

  /** Stops listening and lets a waiting read end the stream. */
  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#queue = [];
    this.#dropped = 0;
    this.#wake?.();
  }

  #take(event: ProxyEvent): void {
    if (this.#queue.length >= this.#limit) {
      this.#dropped++;
      this.#hub.countDropped(1);
      return;
    }
    this.#queue.push(event);
    this.#wake?.();
  }

  async #pull(
    controller: ReadableStreamDefaultController<Uint8Array>,
  ): Promise<void> {
    if (!this.#greeted) {
      this.#greeted = true;
      controller.enqueue(encoder.encode(": cachelab events\n\n")); // headers and a first byte at once
      return;
    }
    while (this.#queue.length === 0 && this.#dropped === 0) {
      if (this.#unsubscribe === undefined) {
        try {
          controller.close();
        } catch {
          // cancelled by the client already
        }
        return;
      }
      await new Promise<void>((resolve) => this.#wake = resolve);
      this.#wake = undefined;
    }
    let text = "";
    if (this.#dropped > 0) {
      text += sseMessage("dropped", { dropped: this.#dropped });
      this.#dropped = 0;
    }
    for (const event of this.#queue) text += sseMessage(event.type, event);
    this.#queue = [];
    controller.enqueue(encoder.encode(text));
  }
}
