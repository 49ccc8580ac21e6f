/**
 * Owns the scripted raw-TCP peers of the wire tests (varnishtest style),
 * both on 127.0.0.1 and port 0:
 *
 * - `RawClient`: connects, writes exact bytes, reads until the peer closes
 *   or until N responses arrived, every read bounded by a deadline.
 * - `ScriptedServer`: accepts connections and runs a script per connection
 *   (`PeerConn`: read a request, answer scripted bytes), recording the exact
 *   bytes received so a test can assert what a proxy sent upstream.
 *
 * Responses and requests are cut with tests/helpers/wire_text.ts, never
 * with http/, so the code under test is not its own oracle.
 *
 * ```ts
 * await using origin = ScriptedServer.start(respondInOrder([
 *   "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
 * ]));
 * // ... point the proxy at origin.port, then:
 * using client = await RawClient.connect(proxy.addr);
 * await client.write("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
 * const res = await client.readResponse(); // res.status, res.head.header(), res.bodyText
 * origin.requests[0]!.raw; // the exact bytes the proxy sent upstream
 * origin.connections; // how many upstream connections were opened
 * ```
 *
 * Must not sleep: every wait ends on bytes, a close, or the deadline
 * (which fails the test, it is never the expected outcome).
 */

import {
  bytes,
  join,
  parseResponses,
  text,
  type WireResponse,
} from "./wire_text.ts";
import { boundedRead, DEFAULT_DEADLINE_MS } from "./deadline.ts";

export { DEFAULT_DEADLINE_MS };

/** How the byte stream from the peer ended. */
export type StreamEnd = "open" | "close" | "reset";

/** A raw TCP client that writes exact bytes and reads what comes back. */
export class RawClient {
  readonly conn: Deno.TcpConn;
  readonly deadlineMs: number;
  #parts: Uint8Array[] = [];
  #end: StreamEnd = "open";
  #returned = 0;
  #closed = false;

  private constructor(conn: Deno.TcpConn, deadlineMs: number) {
    this.conn = conn;
    this.deadlineMs = deadlineMs;
  }

  /** Connects to `addr` (127.0.0.1 unless it names a host). */
  static async connect(
    addr: { hostname?: string; port: number },
    options: { deadlineMs?: number } = {},
  ): Promise<RawClient> {
    const conn = await Deno.connect({
      hostname: addr.hostname ?? "127.0.0.1",
      port: addr.port,
    });
    return new RawClient(conn, options.deadlineMs ?? DEFAULT_DEADLINE_MS);
  }

  /** Every byte received so far. */
  get received(): Uint8Array {
    return join(this.#parts);
  }

  /** Every byte received so far as a latin1 string. */
  get text(): string {
    return text(this.received);
  }

  /** "close" or "reset" once the peer ended the stream. */
  get end(): StreamEnd {
    return this.#end;
  }

  /** Writes every byte of `data` (a string is sent one byte per char). */
  async write(data: string | Uint8Array): Promise<void> {
    const out = bytes(data);
    let at = 0;
    while (at < out.length) at += await this.conn.write(out.subarray(at));
  }

  /** Half-closes: the peer reads end of stream, we can still read. */
  async closeWrite(): Promise<void> {
    await this.conn.closeWrite();
  }

  /** Reads until `done(text)` holds; throws if the stream ends first. */
  async readUntil(done: (received: string) => boolean): Promise<string> {
    const stop = Date.now() + this.deadlineMs;
    while (!done(this.text)) {
      if (!await this.#readMore(stop)) {
        throw new Error(
          `Cannot read: stream ended (${this.#end}) with ${
            JSON.stringify(this.text.slice(0, 300))
          }`,
        );
      }
    }
    return this.text;
  }

  /** Reads until the peer closes or resets; returns everything received. */
  async readUntilClose(): Promise<{ text: string; end: StreamEnd }> {
    const stop = Date.now() + this.deadlineMs;
    while (await this.#readMore(stop));
    return { text: this.text, end: this.#end };
  }

  /**
   * Returns the next `n` responses not returned before (1xx included),
   * reading until they are complete. `methods` lists the request methods
   * of the whole connection in order (default GET), so HEAD responses are
   * cut without a body.
   */
  async readResponses(n: number, methods: string[] = []): Promise<
    WireResponse[]
  > {
    const stop = Date.now() + this.deadlineMs;
    for (;;) {
      const closed = this.#end !== "open";
      const { responses } = parseResponses(this.received, methods, closed);
      if (responses.length >= this.#returned + n) {
        const out = responses.slice(this.#returned, this.#returned + n);
        this.#returned += n;
        return out;
      }
      if (closed || !await this.#readMore(stop)) {
        if (!closed) continue; // parse once more now that the end is known
        throw new Error(
          `Cannot read ${n} responses: stream ended (${this.#end}) with ${
            JSON.stringify(this.text.slice(0, 300))
          }`,
        );
      }
    }
  }

  /** The next response (see readResponses). */
  async readResponse(methods: string[] = []): Promise<WireResponse> {
    const [response] = await this.readResponses(1, methods);
    return response!;
  }

  /** Closes the connection (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async #readMore(stop: number): Promise<boolean> {
    if (this.#end !== "open") return false;
    const buf = new Uint8Array(64 * 1024);
    const n = await boundedRead(
      this.conn,
      buf,
      stop - Date.now(),
      () => this.close(),
    );
    if (n === null || n === "reset") {
      this.#end = n === null ? "close" : "reset";
      return false;
    }
    this.#parts.push(buf.slice(0, n));
    return true;
  }
}

/**
 * Sends `request` on a fresh connection and reads until the server closes
 * or `responses` responses arrived. The connection is always closed.
 */
export async function exchange(
  addr: { hostname?: string; port: number },
  request: string | Uint8Array,
  options: { responses?: number; methods?: string[]; deadlineMs?: number } = {},
): Promise<{ responses: WireResponse[]; text: string; end: StreamEnd }> {
  using client = await RawClient.connect(addr, options);
  await client.write(request);
  if (options.responses !== undefined) {
    const responses = await client.readResponses(
      options.responses,
      options.methods,
    );
    return { responses, text: client.text, end: client.end };
  }
  const { text, end } = await client.readUntilClose();
  const { responses } = parseResponses(text, options.methods ?? [], true);
  return { responses, text, end };
}

export { PeerConn, respondInOrder, ScriptedServer } from "./scripted_server.ts";
export type { PeerScript } from "./scripted_server.ts";
