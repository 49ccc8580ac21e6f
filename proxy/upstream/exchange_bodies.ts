/**
 * Owns the bodies on both sides of one upstream exchange: the request
 * body as it goes upstream (held back until the upstream's 100 Continue,
 * restarting the head deadline as it makes progress) and the response
 * body as it comes back (the connection returned to the pool when the
 * body completed, with the upstream's Keep-Alive hint, and bytes found
 * right behind it noted).
 *
 * Must not write requests nor read heads: exchange.ts does.
 */

import type { WireBody } from "../../http/body.ts";
import { HttpError } from "../../http/errors.ts";
import type { FieldList } from "../../http/headers.ts";
import type { KeepAliveHint } from "../../http/keep_alive.ts";
import type { BodyReader } from "../../http/types.ts";
import { UpstreamError } from "./errors.ts";
import type { UpstreamConnection } from "./conn.ts";
import type { UpstreamPool } from "./pool.ts";

/** How long to wait for an upstream 100 before sending the body anyway. */
const CONTINUE_WAIT_MS = 1000;

/**
 * Waits for the upstream's 100 Continue (RFC 9110 §10.1.1), at most
 * CONTINUE_WAIT_MS; a final response first means the body is not sent.
 */
export class ContinueGate {
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
 * The request body as sent upstream on one connection: waits at the
 * continue gate, and restarts the response-head deadline as the upload
 * makes progress (the upstream cannot answer before it has the body).
 */
export class SendingBody implements BodyReader {
  readonly #inner: BodyReader;
  readonly #c: UpstreamConnection;
  readonly #gate: ContinueGate | undefined;
  #started = false;

  /** `sending.gate`: the continue gate to wait at, when the request expects 100. */
  constructor(
    inner: BodyReader,
    sending: { connection: UpstreamConnection; gate: ContinueGate | undefined },
  ) {
    this.#inner = inner;
    this.#c = sending.connection;
    this.#gate = sending.gate;
  }

  get length(): number | undefined {
    return this.#inner.length;
  }

  async read(): Promise<Uint8Array | null> {
    if (this.#gate && !this.#started && !(await this.#gate.ready)) {
      throw new UpstreamError(
        "closed",
        "upstream answered before the body was sent",
      );
    }
    this.#started = true;
    const chunk = await this.#inner.read();
    this.#c.requestProgress();
    return chunk;
  }

  trailers(): FieldList | undefined {
    return this.#inner.trailers();
  }

  cancel(): Promise<void> {
    return this.#inner.cancel();
  }
}

/**
 * The upstream response body; returns its connection to the pool when
 * complete (with the upstream's Keep-Alive hint), else closes it.
 */
export class PooledBody implements BodyReader {
  readonly length: number | undefined;
  #wire: WireBody;
  #c: UpstreamConnection;
  #pool: UpstreamPool;
  #reusable: () => boolean;
  #hint: KeepAliveHint;
  #settled = false;
  #trailing = false;

  /**
   * `options.connection` goes back to `options.pool` once the body
   * completed, when `reusable()` says so, with the Keep-Alive `hint`.
   */
  constructor(
    wire: WireBody,
    options: {
      connection: UpstreamConnection;
      pool: UpstreamPool;
      reusable: () => boolean;
      hint: KeepAliveHint;
    },
  ) {
    this.#wire = wire;
    this.#c = options.connection;
    this.#pool = options.pool;
    this.#reusable = options.reusable;
    this.#hint = options.hint;
    this.length = wire.length;
    if (wire.length === 0 && wire.complete) this.#finish();
  }

  /**
   * True when bytes were already there right behind the end of the
   * response when it completed: the upstream sent more than it was asked
   * for. Final once read() returned null (at once for an empty body).
   */
  get trailingBytes(): boolean {
    return this.#trailing;
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

  trailers(): FieldList | undefined {
    return this.#wire.trailers();
  }

  async cancel(): Promise<void> {
    await this.#wire.cancel();
    this.#settle(false);
  }

  #finish(): void {
    if (this.#settled) return;
    this.#trailing = this.#wire.complete && this.#c.reader.buffered > 0;
    if (this.#trailing) this.#c.outOfStep(); // what came before this response is suspect too
    this.#settle(this.#wire.complete && this.#reusable());
  }

  #settle(reuse: boolean): void {
    if (this.#settled) return;
    this.#settled = true;
    if (reuse) this.#pool.release(this.#c, this.#hint);
    else this.#pool.discard(this.#c);
  }
}
