/**
 * Owns a TCP listener whose connections can end with a reset (RST) as
 * well as a clean close: Deno.Conn offers no SO_LINGER, so it is built on
 * node:net, whose Socket.resetAndDestroy() sets SO_LINGER to 0 before
 * closing. Its connections have the Deno.Conn methods the server uses
 * (read, write, close, closeWrite, remoteAddr, setNoDelay) plus reset()
 * (types.ts Resettable), so serveHttp takes it like a Deno.Listener.
 *
 * Must not parse or write HTTP: it only moves bytes.
 */

import net from "node:net";
import type { Resettable } from "./types.ts";

/** Most bytes held unread before the socket is paused. */
const HIGH_WATER = 64 * 1024;

/** A connection accepted by listenResettable(). */
class ResettableConn implements Resettable {
  readonly localAddr: Deno.NetAddr;
  readonly remoteAddr: Deno.NetAddr;
  #socket: net.Socket;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #ended = false;
  #closed = false;
  #error: Error | undefined;
  #waiting: (() => void) | undefined;

  constructor(socket: net.Socket) {
    this.#socket = socket;
    this.localAddr = netAddr(socket.localAddress, socket.localPort);
    this.remoteAddr = netAddr(socket.remoteAddress, socket.remotePort);
    socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      if (this.#buffered > HIGH_WATER) socket.pause();
      this.#wake();
    });
    socket.on("end", () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on("error", (e: Error) => {
      this.#error = connectionError(e);
      this.#wake();
    });
    socket.on("close", () => {
      this.#ended = true;
      this.#wake();
    });
  }

  /** Reads like Deno.Conn.read: bytes into `p`, or null at the end of the stream. */
  async read(p: Uint8Array): Promise<number | null> {
    for (;;) {
      if (this.#closed) throw new Deno.errors.BadResource("connection closed");
      const chunk = this.#chunks[0];
      if (chunk !== undefined) {
        const n = Math.min(p.length, chunk.length);
        p.set(chunk.subarray(0, n));
        if (n === chunk.length) this.#chunks.shift();
        else this.#chunks[0] = chunk.subarray(n);
        this.#buffered -= n;
        if (this.#buffered <= HIGH_WATER && this.#socket.isPaused()) {
          this.#socket.resume();
        }
        return n;
      }
      if (this.#error) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#waiting = resolve);
    }
  }

  /** Writes all of `p`; resolves once node:net has handed it to the kernel. */
  write(p: Uint8Array): Promise<number> {
    if (this.#closed || this.#socket.destroyed) {
      return Promise.reject(new Deno.errors.BrokenPipe("connection closed"));
    }
    const copy = p.slice(); // the caller may reuse `p` at once
    return new Promise((resolve, reject) => {
      this.#socket.write(copy, (e?: Error | null) => {
        if (e) reject(connectionError(e));
        else resolve(copy.length);
      });
    });
  }

  /** Half-closes: sends FIN, keeps reading. */
  closeWrite(): Promise<void> {
    return new Promise((resolve) => this.#socket.end(() => resolve()));
  }

  /** Closes the connection (FIN); throws BadResource when closed already. */
  close(): void {
    this.#finish();
    this.#socket.destroy();
  }

  /** Resets the connection: SO_LINGER 0, then close, so the peer sees RST. */
  reset(): void {
    this.#finish();
    this.#socket.resetAndDestroy();
  }

  setNoDelay(noDelay = true): void {
    this.#socket.setNoDelay(noDelay);
  }

  #finish(): void {
    if (this.#closed) throw new Deno.errors.BadResource("connection closed");
    this.#closed = true;
    this.#chunks = [];
    this.#wake();
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.();
  }
}

/**
 * Listens on `hostname:port` (0: a free port). Resolves once listening;
 * rejects like Deno.listen (Deno.errors.AddrInUse, ...). The listener's
 * connections are ResettableConn, typed as Deno.Conn for serveHttp.
 */
export function listenResettable(
  hostname: string,
  port: number,
): Promise<Deno.Listener> {
  // A client that half-closes after its request still gets the response.
  const server = net.createServer({ allowHalfOpen: true });
  const accepted: net.Socket[] = [];
  let closed = false;
  let waiting: (() => void) | undefined;
  const wake = () => {
    const w = waiting;
    waiting = undefined;
    w?.();
  };
  server.on("connection", (socket: net.Socket) => {
    if (closed) return void socket.destroy();
    accepted.push(socket);
    wake();
  });
  return new Promise((resolve, reject) => {
    server.once("error", (e: Error) => reject(connectionError(e)));
    server.listen({ host: hostname, port }, () => {
      const address = server.address() as net.AddressInfo;
      const listener = {
        addr: netAddr(address.address, address.port),
        async accept(): Promise<Deno.Conn> {
          for (;;) {
            if (closed) throw new Deno.errors.BadResource("listener closed");
            const socket = accepted.shift();
            if (socket) {
              return new ResettableConn(socket) as unknown as Deno.Conn;
            }
            await new Promise<void>((r) => waiting = r);
          }
        },
        close(): void {
          if (closed) throw new Deno.errors.BadResource("listener closed");
          closed = true;
          for (const socket of accepted.splice(0)) socket.destroy();
          server.close();
          wake();
        },
        [Symbol.dispose]() {
          if (!closed) listener.close();
        },
      };
      resolve(listener as unknown as Deno.Listener);
    });
  });
}

function netAddr(
  hostname: string | undefined,
  port: number | undefined,
): Deno.NetAddr {
  return { transport: "tcp", hostname: hostname ?? "", port: port ?? 0 };
}

/** The Deno error a node:net error stands for (what isConnectionGone knows). */
function connectionError(e: Error): Error {
  const code = (e as { code?: string }).code;
  if (code === "ECONNRESET") return new Deno.errors.ConnectionReset(e.message);
  if (code === "EPIPE") return new Deno.errors.BrokenPipe(e.message);
  if (code === "EADDRINUSE") return new Deno.errors.AddrInUse(e.message);
  if (code === "EADDRNOTAVAIL") {
    return new Deno.errors.AddrNotAvailable(e.message);
  }
  if (code === "EACCES") return new Deno.errors.PermissionDenied(e.message);
  if (code === "ERR_STREAM_DESTROYED") {
    return new Deno.errors.BadResource(e.message);
  }
  return e;
}
