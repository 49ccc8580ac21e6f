/**
 * Owns one request/response exchange with an upstream: send the request
 * (its body streamed while the response may already arrive), wait for the
 * upstream's 100 before sending a body the client announced with
 * Expect: 100-continue, relay interim responses, enforce the response
 * timeout, retry once on a stale pooled connection when that is safe, and
 * hand the connection back to the pool only after a complete exchange.
 *
 * Must not rewrite fields (messages.ts) nor decide about caching.
 */

import { readResponse } from "../http/client.ts";
import { HttpError } from "../http/errors.ts";
import { persistsAfter } from "../http/response_framing.ts";
import type { BodyReader, RequestHead, ResponseHead } from "../http/types.ts";
import { writeRequest } from "../http/client.ts";
import type { WireBody } from "../http/body.ts";
import { UpstreamError } from "./errors.ts";
import type { UpstreamConnection, UpstreamPool } from "./upstream_pool.ts";

export interface ExchangeOptions {
  /** Time allowed for the response head (ms). */
  responseTimeoutMs: number;
  /** Time allowed between two reads of the response body (ms). */
  idleTimeoutMs: number;
  /** The client sent Expect: 100-continue: send the body only after the upstream's 100. */
  expectContinue: boolean;
  /** Receives each 1xx interim response. */
  onInterim?: (head: ResponseHead) => Promise<void>;
}

/** A response arriving from upstream; its body frees the connection at the end. */
export interface UpstreamResponse {
  head: ResponseHead;
  body: BodyReader;
  /** Whether the exchange ran on a pooled (reused) connection. */
  reused: boolean;
}

/** RFC 9110 §9.2.2: requests that may be repeated on a fresh connection. */
const IDEMPOTENT = new Set([
  "GET",
  "HEAD",
  "OPTIONS",
  "TRACE",
  "PUT",
  "DELETE",
]);

/** How long to wait for an upstream 100 before sending the body anyway. */
const CONTINUE_WAIT_MS = 1000;

/**
 * Sends `head` (and `body`, null when the request has none) to host:port
 * and returns the response. Throws UpstreamError when no response could
 * be obtained.
 */
export async function exchange(
  pool: UpstreamPool,
  host: string,
  port: number,
  head: RequestHead,
  body: BodyReader | null,
  options: ExchangeOptions,
): Promise<UpstreamResponse> {
  const sending = new TrackedBody(body);
  const pooled = pool.takeIdle(host, port);
  if (pooled) {
    try {
      return await attempt(pool, pooled, head, sending, options);
    } catch (e) {
      const retry = IDEMPOTENT.has(head.method) && !sending.started &&
        isStale(e);
      if (!retry) throw e;
    }
  }
  const fresh = await pool.connect(host, port);
  return await attempt(pool, fresh, head, sending, options);
}

/** One try on one connection. */
async function attempt(
  pool: UpstreamPool,
  c: UpstreamConnection,
  head: RequestHead,
  body: TrackedBody,
  options: ExchangeOptions,
): Promise<UpstreamResponse> {
  const gate = options.expectContinue && body.inner
    ? new ContinueGate()
    : undefined;
  body.gate = gate;
  body.connection = c;
  c.readTimeoutMs = options.responseTimeoutMs;
  let sendFailure: unknown;
  let sendDone = false;
  let responseArrived = false;
  const send = writeRequest(c, head, body.inner ? body : null)
    .then(() => {
      sendDone = true;
    }, (e) => {
      sendFailure = e;
      // Without a response yet, the upstream holds a partial request: give up
      // on the connection. With one, keep reading it; it is not reused.
      if (!responseArrived) pool.discard(c);
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
    pool.discard(c);
    gate?.open(false);
    await send;
    throw upstreamFailure(e, c, sendFailure);
  }
  responseArrived = true;
  gate?.open(false); // a final response (or a close) ends any wait
  if (response === null) {
    pool.discard(c);
    await send;
    throw upstreamFailure(null, c, sendFailure);
  }
  c.readTimeoutMs = options.idleTimeoutMs;
  const persistent = persistsAfter(
    response.head.version,
    response.head.headers,
  ); // RFC 9112 §9.3
  const upstreamBody = new PooledBody(
    response.body,
    c,
    pool,
    () => sendDone && persistent,
  );
  return { head: response.head, body: upstreamBody, reused: c.reused };
}

/** Maps what went wrong on a connection to an UpstreamError. */
function upstreamFailure(
  e: unknown,
  c: UpstreamConnection,
  sendFailure: unknown,
): unknown {
  if (c.timedOut) {
    return new UpstreamError("response-timeout", "upstream response timed out");
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

/** A failure that a fresh connection may cure: nothing of a response came back. */
function isStale(e: unknown): boolean {
  return e instanceof UpstreamError && e.failure === "closed";
}

/**
 * Waits for the upstream's 100 Continue (RFC 9110 §10.1.1), at most
 * CONTINUE_WAIT_MS; a final response first means the body is not sent.
 */
class ContinueGate {
  #settled = false;
  #resolve!: (send: boolean) => void;
  /** Resolves to whether the body may be sent. */
  readonly ready = new Promise<boolean>((resolve) => (this.#resolve = resolve));
  #timer = setTimeout(() => this.open(), CONTINUE_WAIT_MS);

  open(send = true): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#resolve(send);
  }
}

/**
 * The client's request body as sent upstream: remembers whether any of it
 * was consumed (then a retry is impossible), waits at the continue gate,
 * and keeps the upstream head deadline alive while the upload runs.
 */
class TrackedBody implements BodyReader {
  readonly inner: BodyReader | null;
  started = false;
  gate: ContinueGate | undefined;
  connection: UpstreamConnection | undefined;

  constructor(inner: BodyReader | null) {
    this.inner = inner;
  }

  get length(): number | undefined {
    return this.inner?.length;
  }

  async read(): Promise<Uint8Array | null> {
    if (!this.inner) return null;
    if (this.gate && !this.started && !(await this.gate.ready)) {
      throw new UpstreamError(
        "closed",
        "upstream answered before the body was sent",
      );
    }
    this.started = true;
    const chunk = await this.inner.read();
    const c = this.connection;
    if (c && Number.isFinite(c.deadline)) {
      c.deadline = Date.now() + c.readTimeoutMs;
    }
    return chunk;
  }

  trailers() {
    return this.inner?.trailers();
  }

  cancel(): Promise<void> {
    return this.inner?.cancel() ?? Promise.resolve();
  }
}

/** The upstream response body; returns its connection to the pool when complete. */
class PooledBody implements BodyReader {
  readonly length: number | undefined;
  #wire: WireBody;
  #c: UpstreamConnection;
  #pool: UpstreamPool;
  #reusable: () => boolean;
  #settled = false;

  constructor(
    wire: WireBody,
    c: UpstreamConnection,
    pool: UpstreamPool,
    reusable: () => boolean,
  ) {
    this.#wire = wire;
    this.#c = c;
    this.#pool = pool;
    this.#reusable = reusable;
    this.length = wire.length;
    if (wire.length === 0 && wire.complete) this.#finish();
  }

  async read(): Promise<Uint8Array | null> {
    let chunk: Uint8Array | null;
    try {
      chunk = await this.#wire.read();
    } catch (e) {
      this.#settle(false);
      if (this.#c.timedOut) {
        throw new HttpError("timeout", "upstream body stalled");
      }
      throw e;
    }
    if (chunk === null) this.#finish();
    return chunk;
  }

  trailers() {
    return this.#wire.trailers();
  }

  async cancel(): Promise<void> {
    await this.#wire.cancel();
    this.#settle(false);
  }

  #finish(): void {
    this.#settle(this.#wire.complete && this.#reusable());
  }

  #settle(reuse: boolean): void {
    if (this.#settled) return;
    this.#settled = true;
    if (reuse) this.#pool.release(this.#c);
    else this.#pool.discard(this.#c);
  }
}
