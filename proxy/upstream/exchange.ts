/**
 * Owns one request/response exchange with an upstream: take a connection
 * (pooled or new), send the request (its body streamed while the response
 * may already arrive, or read first when small), wait for the upstream's
 * 100 before sending a body the client announced with Expect:
 * 100-continue, relay interim responses, bound the wait for the final
 * head, send the request again on a fresh connection when retry.ts says
 * so, and hand the connection back to the pool only after a complete
 * exchange, with the upstream's Keep-Alive hint.
 *
 * Must not rewrite fields (messages.ts) nor decide about caching.
 */

import { readResponse, writeRequest } from "../../http/client.ts";
import { HttpError } from "../../http/errors.ts";
import { parseKeepAlive } from "../../http/keep_alive.ts";
import { persistsAfter } from "../../http/response_framing.ts";
import type {
  BodyReader,
  RequestHead,
  ResponseHead,
} from "../../http/types.ts";
import { UpstreamError } from "./errors.ts";
import { ContinueGate, PooledBody, SendingBody } from "./exchange_bodies.ts";
import { HeldBody } from "./held_body.ts";
import { nextStep } from "./retry.ts";
import type { UpstreamConnection } from "./conn.ts";
import type { UpstreamPool } from "./pool.ts";

/** One request for an upstream: where it goes and what is sent. */
export interface UpstreamRequest {
  host: string;
  port: number;
  /** The request head as it goes upstream (messages.ts upstreamRequest). */
  head: RequestHead;
  /** The request body, or null when the request has none. */
  body: BodyReader | null;
  /** The client sent Expect: 100-continue: send the body only after the upstream's 100. */
  expectContinue: boolean;
  /** Receives each 1xx interim response. */
  onInterim?: (head: ResponseHead) => Promise<void>;
}

/** An UpstreamRequest with how the exchange is bounded and counted. */
export interface ExchangeRequest extends UpstreamRequest {
  /**
   * Time allowed for the final response head (ms), from the end of the
   * request's upload; interim 1xx responses do not restart it.
   */
  responseTimeoutMs: number;
  /** Time allowed between two reads of the response body (ms). */
  idleTimeoutMs: number;
  /** Counts an event (upstream.retries, upstream.resends, upstream.not_retried). */
  count?: (name: string) => void;
}

/** A response arriving from upstream; its body frees the connection at the end. */
export interface UpstreamResponse {
  head: ResponseHead;
  body: BodyReader;
  /** Whether the exchange ran on a pooled (reused) connection. */
  reused: boolean;
  /**
   * True when bytes were already there right behind the end of the
   * response (past a bodiless response's head, or past the body when it
   * completed): the upstream sent more than it was asked for, so this
   * response may not be the answer to this request. The cache must not
   * store it nor freshen a stored response from it. Final once
   * body.read() returned null; known at once when the body is empty
   * (HEAD, 204, 304, Content-Length: 0).
   */
  readonly trailingBytes: boolean;
  /**
   * Registers `undo`, called at most once if the connection this response
   * came on later shows it is out of step with its upstream (bytes nobody
   * asked for arrive behind this response or a later one, or while it sits
   * idle): this response may then have been the answer to another request,
   * and whatever the cache did with it (stored, freshened) is undone. Only
   * a response read on a reused connection can be out of step: on a fresh
   * one, `undo` is never called.
   */
  onOutOfStep(undo: () => void): void;
}

/**
 * Sends the request head (and body, null when the request has none) to
 * host:port through `pool` and returns the response. A body of announced
 * length up to HELD_REQUEST_BODY is read before anything is sent (unless the
 * client waits for a 100), so that it can be sent again. Throws
 * UpstreamError when no response could be obtained, or the HttpError of a
 * broken client body.
 */
export async function exchange(
  pool: UpstreamPool,
  request: ExchangeRequest,
): Promise<UpstreamResponse> {
  const held = request.body ? new HeldBody(request.body) : null;
  if (held && !request.expectContinue) await held.preload();
  let c: UpstreamConnection;
  try {
    c = await pool.acquire(request.host, request.port);
  } catch (e) {
    await held?.finalize();
    throw e;
  }
  for (let n = 1;; n++) {
    try {
      return await attempt(c, { pool, held, request });
    } catch (e) {
      const step = nextStep({
        method: request.head.method,
        attempt: n,
        reused: c.reused,
        lost: e instanceof UpstreamError && e.failure === "closed",
        written: c.written,
        received: c.received,
        replayable: held?.replayable ?? true,
      });
      if (step.kind === "fail") {
        pool.discard(c);
        await held?.finalize();
        if (step.reason) request.count?.("upstream.not_retried");
        throw step.reason ? new UpstreamError("closed", step.reason) : e;
      }
      request.count?.(
        step.kind === "retry" ? "upstream.retries" : "upstream.resends",
      );
      try {
        c = await pool.reconnect(c);
      } catch (e) {
        await held?.finalize();
        throw e;
      }
    }
  }
}

/** What one attempt works with besides its connection. */
interface Attempt {
  pool: UpstreamPool;
  held: HeldBody | null;
  request: ExchangeRequest;
}

/** One try on one connection; the caller discards the connection on a throw. */
async function attempt(
  c: UpstreamConnection,
  { pool, held, request: options }: Attempt,
): Promise<UpstreamResponse> {
  const head = options.head;
  c.beginExchange(options.responseTimeoutMs);
  if (c.watchFired) {
    // The upstream closed or spoke while idle, seen as it was taken: nothing was sent.
    throw new UpstreamError("closed", "the pooled connection went stale");
  }
  const gate = options.expectContinue && held ? new ContinueGate() : undefined;
  const sending = held
    ? new SendingBody(held.attempt(), { connection: c, gate })
    : null;
  let sendFailure: unknown;
  let sendDone = false;
  let responseArrived = false;
  const send = writeRequest(c, head, sending)
    .then(() => {
      sendDone = true;
    }, (e) => {
      sendFailure = e;
      // Without a response yet, the upstream holds a partial request: give up
      // on the connection. With one, keep reading it; it is not reused.
      if (!responseArrived) c.close();
    });
  let response;
  try {
    response = await readResponse(c.reader, head.method, {
      onInterim: async (interim) => {
        if (interim.status === 100 && !options.expectContinue) return; // nobody asked for it
        await options.onInterim?.(interim);
        if (interim.status === 100) gate?.open();
      },
    });
  } catch (e) {
    if (c.reused && e instanceof HttpError && e.kind !== "truncated") {
      c.outOfStep(); // garbage where a response belongs: leftovers of an earlier one?
    }
    c.close();
    gate?.open(false);
    await send;
    throw upstreamFailure(e, { c, sendFailure, options });
  }
  if (response === null) {
    c.close();
    gate?.open(false);
    await send;
    throw upstreamFailure(null, { c, sendFailure, options });
  }
  responseArrived = true;
  gate?.open(false); // a final response ends any wait
  await held?.finalize(); // no second attempt after a response
  c.armPerRead(options.idleTimeoutMs);
  const persistent = persistsAfter(
    response.head.version,
    response.head.headers,
  ); // RFC 9112 §9.3
  const upstreamBody = new PooledBody(response.body, {
    connection: c,
    pool,
    reusable: () => sendDone && persistent,
    hint: parseKeepAlive(response.head.headers), // read before hop-by-hop removal
  });
  return {
    head: response.head,
    body: upstreamBody,
    reused: c.reused,
    get trailingBytes() {
      return upstreamBody.trailingBytes;
    },
    // The first response on a connection cannot be another's answer:
    // nothing came before it to leave bytes behind.
    onOutOfStep: (undo) => {
      if (c.reused) c.suspect(undo);
    },
  };
}

/** Maps what went wrong on a connection to an UpstreamError. */
function upstreamFailure(
  e: unknown,
  on: { c: UpstreamConnection; sendFailure: unknown; options: ExchangeRequest },
): unknown {
  const { c, sendFailure, options } = on;
  if (c.timedOut) {
    return new UpstreamError(
      "response-timeout",
      `upstream response timed out: no final response head within ${options.responseTimeoutMs} ms`,
    );
  }
  if (e instanceof HttpError && e.kind !== "truncated") {
    return new UpstreamError(
      "bad-response",
      `invalid upstream response: ${e.message}`,
    );
  }
  if (sendFailure instanceof HttpError) return sendFailure; // the client's body was bad
  const detail = e instanceof Error ? `: ${e.message}` : "";
  return new UpstreamError(
    "closed",
    `upstream closed the connection before a response${detail}`,
  );
}
