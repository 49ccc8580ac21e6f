/**
 * Owns the crowds of raw client connections the connection-limit tests
 * open: keep-alive connections left idle after one request each, and
 * connections stuck inside a request head. Every connect and read is
 * bounded (RawClient's deadline); the caller closes the crowd.
 *
 * Must not assert: tests read the server's counters.
 */

import { RawClient } from "./raw_peer.ts";

/** A set of open raw connections; disposing closes them all. */
export class Crowd implements Disposable {
  readonly clients: RawClient[] = [];

  get size(): number {
    return this.clients.length;
  }

  /**
   * Opens `n` connections, `batch` at a time; each sends `request(i)` and
   * reads its response, then stays open and idle.
   */
  async addIdle(
    addr: { port: number },
    n: number,
    request: (i: number) => string,
    batch = 100,
  ): Promise<void> {
    for (let start = 0; start < n; start += batch) {
      const count = Math.min(batch, n - start);
      const opened = await Promise.all(
        Array.from({ length: count }, async (_, k) => {
          const c = await RawClient.connect(addr, { deadlineMs: 20_000 });
          this.clients.push(c);
          await c.write(request(start + k));
          await c.readResponse();
          return c;
        }),
      );
      if (opened.length !== count) throw new Error("Cannot open the crowd");
    }
  }

  /**
   * Opens `n` connections that each send `partial(i)`, the start of a
   * request head, and nothing more (yet).
   */
  async addTricklers(
    addr: { port: number },
    n: number,
    partial: (i: number) => string,
    batch = 100,
  ): Promise<RawClient[]> {
    const added: RawClient[] = [];
    for (let start = 0; start < n; start += batch) {
      const count = Math.min(batch, n - start);
      await Promise.all(
        Array.from({ length: count }, async (_, k) => {
          const c = await RawClient.connect(addr, { deadlineMs: 20_000 });
          this.clients.push(c);
          added[start + k] = c;
          await c.write(partial(start + k));
        }),
      );
    }
    return added;
  }

  [Symbol.dispose](): void {
    for (const c of this.clients) c.close();
  }
}
