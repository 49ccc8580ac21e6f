/**
 * Owns a TCP relay for end-to-end tests that slows what an upstream
 * sends: it listens on 127.0.0.1 port 0, connects each accepted
 * connection to the target port, passes the client's bytes on at once
 * and the target's at `rate` bytes per second while a rate is set (full
 * speed otherwise). A cache fill goes at its upstream's pace, so this is
 * how a test keeps one in flight long enough to act on it.
 *
 * Must not look at the bytes, nor serve as an oracle: the pacing only
 * stretches time; tests assert on what arrived.
 */

/** A relay in front of 127.0.0.1:targetPort whose downstream direction can be slowed. */
export class ThrottledRelay implements AsyncDisposable {
  /** Bytes per second from the target while set; undefined: full speed. */
  rate: number | undefined;
  readonly #listener: Deno.TcpListener;
  readonly #conns = new Set<Deno.Conn>();
  readonly #pipes = new Set<Promise<void>>();
  readonly #accepting: Promise<void>;

  private constructor(listener: Deno.TcpListener, targetPort: number) {
    this.#listener = listener;
    this.#accepting = this.#accept(targetPort);
  }

  /** Starts a relay to 127.0.0.1:targetPort. */
  static start(targetPort: number): ThrottledRelay {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    return new ThrottledRelay(listener, targetPort);
  }

  get port(): number {
    return this.#listener.addr.port;
  }

  async #accept(targetPort: number): Promise<void> {
    for (;;) {
      let client: Deno.Conn;
      try {
        client = await this.#listener.accept();
      } catch {
        return; // closed
      }
      this.#conns.add(client);
      const pipe = this.#relay(client, targetPort).finally(() =>
        this.#pipes.delete(pipe)
      );
      this.#pipes.add(pipe);
    }
  }

  async #relay(client: Deno.Conn, targetPort: number): Promise<void> {
    let target: Deno.Conn;
    try {
      target = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
    } catch {
      this.#close(client);
      return;
    }
    this.#conns.add(target);
    await Promise.all([
      this.#copy(client, target, false),
      this.#copy(target, client, true),
    ]);
    this.#close(client);
    this.#close(target);
  }

  async #copy(from: Deno.Conn, to: Deno.Conn, paced: boolean): Promise<void> {
    const buffer = new Uint8Array(16 * 1024);
    try {
      for (;;) {
        const rate = paced ? this.rate : undefined;
        const n = await from.read(rate ? buffer.subarray(0, 4096) : buffer);
        if (n === null) break;
        for (let at = 0; at < n;) at += await to.write(buffer.subarray(at, n));
        if (rate) await new Promise((r) => setTimeout(r, (n / rate) * 1000));
      }
      await to.closeWrite().catch(() => {});
    } catch {
      this.#close(from);
      this.#close(to);
    }
  }

  #close(conn: Deno.Conn): void {
    if (!this.#conns.delete(conn)) return;
    try {
      conn.close();
    } catch {
      // already closed
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#listener.close();
    await this.#accepting;
    for (const conn of [...this.#conns]) this.#close(conn);
    await Promise.allSettled([...this.#pipes]);
  }
}
