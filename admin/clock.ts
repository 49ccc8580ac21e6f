/**
 * Owns the admin endpoints of the proxy's clock (http/clock.ts): `GET
 * /api/clock` (its time, its offset from real time, whether it can move)
 * and `POST /api/clock` with `{"advance": SECONDS}`, which moves a movable
 * clock (`cachelab lab`'s) forward and tells the event hub (a `clock`
 * event, so the live page re-reads the entries). A proxy on the real
 * clock answers the POST 409: outside the lab time cannot be moved.
 *
 * The POST must come from the live page or a tool, never from another
 * site's page: it must carry `Content-Type: application/json` (a page of
 * another origin cannot send that without a CORS preflight, which this
 * listener never grants, as for DELETE /api/entries), and an `Origin`, when
 * sent, must be this listener's own. The Host check (admin/server.ts) has
 * run before.
 *
 * Must not decide anything about caching, and must not move the clock
 * backwards (MovableClock refuses).
 */

import { advanceProblem, type Clock, isMovable } from "../http/clock.ts";
import type { EventHub } from "../proxy/events.ts";
import { jsonError, jsonResponse } from "./json.ts";
import type { AdminRoutes } from "./route.ts";

/** The largest POST /api/clock body read, in bytes. */
export const MAX_CLOCK_BODY_BYTES = 1024;

/** What GET and POST /api/clock answer. */
export interface ClockView {
  /** The clock's time, ms since the epoch. */
  now: number;
  /** How far ahead of real time it is, in seconds (0 on the real clock). */
  offsetSeconds: number;
  /** True when POST /api/clock can move it (`cachelab lab`). */
  movable: boolean;
}

/** What the clock endpoints need. */
export interface ClockOptions {
  /** The proxy's clock (ProxyServer.clock). */
  clock: Clock;
  /** The proxy's event hub: a move emits a `clock` event there. */
  events?: EventHub;
}

/** The clock as the endpoints show it. */
export function clockView(clock: Clock): ClockView {
  return {
    now: clock.now(),
    offsetSeconds: isMovable(clock) ? clock.offsetSeconds : 0,
    movable: isMovable(clock),
  };
}

/** The routes of the clock endpoints. */
export function clockRoutes(options: ClockOptions): AdminRoutes {
  const { clock, events } = options;
  return {
    "GET /api/clock": () => jsonResponse(clockView(clock)),
    "POST /api/clock": async (request, url) => {
      const origin = request.headers.get("origin");
      if (origin !== null && origin !== url.origin) {
        await request.body?.cancel();
        return jsonError(
          403,
          `Cannot move the clock: a page of ${origin} may not`,
        );
      }
      const type = request.headers.get("content-type") ?? "";
      if (type.split(";")[0]!.trim().toLowerCase() !== "application/json") {
        await request.body?.cancel();
        return jsonError(
          415,
          'Cannot move the clock: send JSON {"advance": SECONDS} with Content-Type: application/json',
        );
      }
      const seconds = await advanceOf(request);
      if (typeof seconds === "string") {
        return jsonError(400, `Cannot move the clock: ${seconds}`);
      }
      if (!isMovable(clock)) {
        return jsonError(
          409,
          "Cannot move the clock: this proxy runs on the real clock (only `cachelab lab` has one that moves)",
        );
      }
      try {
        clock.advance(seconds);
      } catch (error) {
        // A move past the last HTTP date (RFC 9110 §5.6.7), in any number of steps.
        if (!(error instanceof RangeError)) throw error;
        return jsonError(400, error.message);
      }
      const view = clockView(clock);
      if (events?.listening) {
        events.emit({
          type: "clock",
          time: view.now,
          offsetSeconds: view.offsetSeconds,
        });
      }
      return jsonResponse(view);
    },
  };
}

/** The body's `advance` in seconds, or why there is none. */
async function advanceOf(request: Request): Promise<number | string> {
  const text = await boundedText(request);
  if (text === undefined) {
    return `the body is larger than ${MAX_CLOCK_BODY_BYTES} bytes`;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return `the body is not JSON (${
      error instanceof Error ? error.message : String(error)
    })`;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return 'the body must be a JSON object {"advance": SECONDS}';
  }
  const extra = Object.keys(body).find((name) => name !== "advance");
  if (extra !== undefined) {
    return `unknown field ${JSON.stringify(extra)} (only "advance")`;
  }
  if (!("advance" in body)) return 'the field "advance" is missing';
  const seconds = (body as { advance: unknown }).advance;
  const problem = advanceProblem(seconds);
  return problem ? `advance: ${problem}` : seconds as number;
}

/** The body as text, or undefined past MAX_CLOCK_BODY_BYTES (the rest is not read). */
async function boundedText(request: Request): Promise<string | undefined> {
  if (!request.body) return "";
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > MAX_CLOCK_BODY_BYTES) {
        await reader.cancel();
        return undefined;
      }
      parts.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const whole = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return new TextDecoder().decode(whole);
}
