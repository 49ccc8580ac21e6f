/**
 * Owns the scripted raw-TCP server of the wire tests: it listens on
 * 127.0.0.1 port 0, runs a script for each connection it accepts and
 * records the exact bytes each connection sent (a stand-in origin for
 * proxy tests). Re-exported by raw_peer.ts; import it from there.
 *
 * Must not interpret more HTTP than cutting requests apart: assertions
 * belong to the tests.
 */

import { boundedRead, DEFAULT_DEADLINE_MS } from "./deadline.ts";
import {
  bytes,
  cutMessage,
  join,
  text,
  type WireMessage,
} from "./wire_text.ts";

/** What a scripted server does with one connection. */
export type PeerScript = (peer: PeerConn) => Promise<void>;

/** One accepted connection as a script sees it. */
export class PeerConn {
  /** 0 for the first connection the server accepted, then 1, 2, ... */
  readonly index: number;
  readonly conn: Deno.Conn;
  /** Requests cut by readRequest, in order. */
  readonly requests: WireMessage[] = [];
  #deadlineMs: number;
  #parts: Uint8Array[] = [];
  #pending = "";
  #ended = false;
  #closed = false;

  constructor(conn: Deno.Conn, index: number, deadlineMs: number) {
    this.conn = conn;
    this.index = index;
    this.#deadlineMs = deadlineMs;
  }

  /** Every byte received on this connection so far. */
  get received(): Uint8Array {
    return join(this.#parts);
  }

  /** Every byte received so far, as a latin1 string. */
  get receivedText(): string {
    return text(this.received);
  }

  /** True once the client closed its side. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Reads one request (head up to CRLF CRLF, body by Transfer-Encoding:
   * chunked or Content-Length, else none). Null when the client closed
   * before sending a byte of it; throws when it closed half-way.
   */
  async readRequest(): Promise<WireMessage | null> {
    const stop = Date.now() + this.#deadlineMs;
    for (;;) {
      const cut = cutMessage(this.#pending, this.#ended, "framed", false);
      if (cut) {
        this.#pending = this.#pending.slice(cut.used);
        this.requests.push(cut.message);
        return cut.message;
      }
      if (!await this.#readMore(stop)) {
        if (this.#pending === "") return null;
        throw new Error(
          `Cannot read request: closed after ${
            JSON.stringify(this.#pending.slice(0, 200))
          }`,
        );
      }
    }
  }

  /** Reads exactly `n` more bytes (after anything a request left over). */
  async readExactly(n: number): Promise<string> {
    const stop = Date.now() + this.#deadlineMs;
    while (this.#pending.length < n) {
      if (!await this.#readMore(stop)) {
        throw new Error(`Cannot read ${n} bytes: closed`);
      }
    }
    const out = this.#pending.slice(0, n);
    this.#pending = this.#pending.slice(n);
    return out;
  }

  /** Reads until the client closes; returns the bytes not yet consumed. */
  async readUntilClose(): Promise<string> {
    const stop = Date.now() + this.#deadlineMs;
    while (await this.#readMore(stop));
    const out = this.#pending;
    this.#pending = "";
    return out;
  }

  /** Writes every byte of `data` (a string is sent one byte per char). */
  async write(data: string | Uint8Array): Promise<void> {
    const out = bytes(data);
    let at = 0;
    while (at < out.length) at += await this.conn.write(out.subarray(at));
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

  async #readMore(stop: number): Promise<boolean> {
    if (this.#ended) return false;
    const buf = new Uint8Array(64 * 1024);
    const n = await boundedRead(
      this.conn,
      buf,
      stop - Date.now(),
      () => this.close(),
    );
    if (n === null || n === "reset") {
      this.#ended = true;
      return false;
    }
    const chunk = buf.slice(0, n);
    this.#parts.push(chunk);
    this.#pending += text(chunk);
    return true;
  }
}

/** A server on 127.0.0.1 port 0 that runs `script` for each connection. */
export class ScriptedServer {
  readonly listener: Deno.TcpListener;
  /** Every connection accepted, in order. */
  readonly peers: PeerConn[] = [];
  #script: PeerScript;
  #tasks: Promise<void>[] = [];
  #errors: unknown[] = [];
  #accepting: Promise<void>;
  #deadlineMs: number;

  private constructor(script: PeerScript, deadlineMs: number) {
    this.#script = script;
    this.#deadlineMs = deadlineMs;
    this.listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#accepting = this.#acceptLoop();
  }

  /** Starts listening; `deadlineMs` bounds every read of a script. */
  static start(
    script: PeerScript,
    options: { deadlineMs?: number } = {},
  ): ScriptedServer {
    return new ScriptedServer(
      script,
      options.deadlineMs ?? DEFAULT_DEADLINE_MS,
    );
  }

  get addr(): Deno.NetAddr {
    return this.listener.addr;
  }

  get port(): number {
    return this.listener.addr.port;
  }

  /** How many connections were accepted. */
  get connections(): number {
    return this.peers.length;
  }

  /** Every request any script read, in the order they were read. */
  get requests(): WireMessage[] {
    return this.peers.flatMap((p) => p.requests);
  }

  /**
   * Stops listening, waits for the scripts to end (closing their
   * connections), and throws the first error a script threw.
   */
  async close(): Promise<void> {
    try {
      this.listener.close();
    } catch {
      // already closed
    }
    await this.#accepting;
    await Promise.all(this.#tasks);
    if (this.#errors.length > 0) throw this.#errors[0];
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #acceptLoop(): Promise<void> {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await this.listener.accept();
      } catch {
        return; // listener closed
      }
      const peer = new PeerConn(conn, this.peers.length, this.#deadlineMs);
      this.peers.push(peer);
      this.#tasks.push(
        this.#script(peer)
          .catch((e) => {
            if (!isConnectionGone(e)) this.#errors.push(e);
          })
          .finally(() => peer.close()),
      );
    }
  }
}

function isConnectionGone(e: unknown): boolean {
  return e instanceof Deno.errors.BrokenPipe ||
    e instanceof Deno.errors.ConnectionReset ||
    e instanceof Deno.errors.BadResource;
}

/**
 * A script answering each request with the next of `responses` (shared by
 * every connection, in order). A connection ends when the client closes,
 * when the responses run out, or after a response containing
 * "Connection: close".
 */
export function respondInOrder(
  responses: (string | Uint8Array)[],
): PeerScript {
  const queue = [...responses];
  return async (peer) => {
    for (;;) {
      if (queue.length === 0) return;
      const request = await peer.readRequest();
      if (request === null) return;
      const response = queue.shift()!;
      await peer.write(response);
      if (/\r\nconnection: *close\r\n/i.test(text(bytes(response)))) return;
    }
  };
}
