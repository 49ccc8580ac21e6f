/**
 * Owns who gets a slot at the connection limit (as nginx reuses
 * keep-alive connections): a new connection is accepted, and the
 * connection idle the longest between two requests (served at least once,
 * no byte of its next head received) is closed to make room; failing
 * that, the one lingering the longest after its last response
 * (lingering_close.ts). A client whose next request crosses that close
 * sees the keep-alive race every client must handle (RFC 9112 §9.3.1).
 *
 * Never closed to admit another: a connection that has sent part of a
 * head (bounded by the head timeout, then 408), a fresh one that has sent
 * nothing yet (bounded by the head timeout of a first request), and one
 * inside a request (bounded by the idle timeout between reads and
 * writes). When every slot is such a connection, for instance all
 * trickling heads, the new connection waits, held by the accept loop
 * while later ones wait in the kernel's backlog, until a slot frees or a
 * connection turns idle: at worst one head timeout.
 *
 * Counted: "idle_closed_to_admit", "lingering_closed_to_admit",
 * "connections:full" and "admissions_waited" when a connection had to
 * wait, and "admissions_waited_for_timeout" when, during that wait, a
 * timeout (head, idle, or a lingering close's bound) closed a connection.
 *
 * Must not read or write connections: it only closes them.
 */

import type { ConnectionState } from "./timed_conn.ts";
import { closeQuietly } from "./close.ts";

/**
 * The admission order at the connection limit: connections that may be
 * closed to admit a new one, oldest first, and the wait when none may.
 */
export class Admission {
  #open: Map<Deno.Conn, ConnectionState>;
  #count: (event: string) => void;
  /** Idle between requests, in the order they became idle. */
  #idle = new Set<Deno.Conn>();
  /** Lingering after their last response, in the order they started. */
  #lingering = new Set<Deno.Conn>();
  #wake: (() => void) | undefined;
  /** Connections ended by a timeout so far (sweeper or linger bound). */
  #timeouts = 0;

  constructor(
    open: Map<Deno.Conn, ConnectionState>,
    count: (event: string) => void,
  ) {
    this.#open = open;
    this.#count = count;
  }

  /** A connection's idle or lingering state changed. */
  changed(conn: Deno.Conn, state: ConnectionState): void {
    this.#idle.delete(conn);
    this.#lingering.delete(conn);
    if (!this.#open.has(conn)) return;
    if (state.lingering) this.#lingering.add(conn);
    else if (state.idle && state.requests > 0) this.#idle.add(conn);
    else return;
    this.wake(); // a waiting admission may close it now
  }

  /** A connection's task ended: its slot is free. */
  left(conn: Deno.Conn, state: ConnectionState): void {
    this.#idle.delete(conn);
    this.#lingering.delete(conn);
    this.#open.delete(conn);
    if (state.lingerExpired) this.#timeouts++;
    this.wake();
  }

  /** The sweeper closed (or is closing) a connection for a timeout. */
  timedOut(): void {
    this.#timeouts++;
  }

  /** Ends a wait in makeRoom() so it looks again (or sees the shutdown). */
  wake(): void {
    this.#wake?.();
  }

  /**
   * Makes room for one more connection under `max`: closes idle (then
   * lingering) connections, oldest first, else waits for a slot. Resolves
   * false when the server stops first.
   */
  async makeRoom(max: number, stopping: () => boolean): Promise<boolean> {
    let waited = false;
    const timeoutsBefore = this.#timeouts;
    while (this.#open.size >= max) {
      if (stopping()) return false;
      const victim = first(this.#idle) ?? first(this.#lingering);
      if (victim) {
        this.#count(
          this.#idle.has(victim)
            ? "idle_closed_to_admit"
            : "lingering_closed_to_admit",
        );
        this.#idle.delete(victim);
        this.#lingering.delete(victim);
        this.#open.delete(victim); // its slot is free now: the socket closes at once
        closeQuietly(victim);
        continue;
      }
      if (!waited) this.#count("connections:full");
      waited = true;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
    if (waited) {
      this.#count("admissions_waited");
      if (this.#timeouts > timeoutsBefore) {
        this.#count("admissions_waited_for_timeout");
      }
    }
    return true;
  }
}

function first<T>(set: Set<T>): T | undefined {
  for (const item of set) return item;
  return undefined;
}
