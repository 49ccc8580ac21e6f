/**
 * Owns the cache's record of responses on their way to the store, by
 * key: every exchange whose response may be stored (or may update what
 * is stored) holds a Ticket from the moment its request goes upstream
 * until what it writes has settled. Forgetting a key voids its tickets:
 * those responses must not be stored, since they may predate whatever
 * made the key be forgotten (an unsafe request's invalidation, RFC 9111
 * §4.4; an operator's purge).
 *
 * Must not store, remove or decide anything: forget.ts and the flow do.
 */

/** One exchange's claim to store a response for `key`. */
export class Ticket implements Disposable {
  readonly key: string;
  #forgotten = false;
  #until: Promise<unknown> | undefined;
  #release: (ticket: Ticket) => void;

  constructor(key: string, release: (ticket: Ticket) => void) {
    this.key = key;
    this.#release = release;
  }

  /** True once the key was forgotten after the ticket was taken: store nothing. */
  get forgotten(): boolean {
    return this.#forgotten;
  }

  /** Voids the ticket (Tickets.forget). */
  forget(): void {
    this.#forgotten = true;
  }

  /**
   * Keeps the ticket, once disposed, until `settled` settles (a write of
   * the response); without it the ticket goes when disposed.
   */
  holdUntil(settled: Promise<unknown>): void {
    this.#until = settled;
  }

  /** Gives the ticket back now, or once what holdUntil() named settled. */
  [Symbol.dispose](): void {
    const release = () => this.#release(this);
    if (this.#until) this.#until.then(release, release);
    else release();
  }
}

/** The tickets held now, by key. */
export class Tickets {
  #byKey = new Map<string, Set<Ticket>>();

  /** A ticket for a response about to be fetched for `key` (hold it with `using`). */
  take(key: string): Ticket {
    const ticket = new Ticket(key, (done) => this.#drop(done));
    const held = this.#byKey.get(key) ?? new Set<Ticket>();
    held.add(ticket);
    this.#byKey.set(key, held);
    return ticket;
  }

  /** Voids every ticket held for `key`; returns how many. */
  forget(key: string): number {
    const held = this.#byKey.get(key);
    if (!held) return 0;
    for (const ticket of held) ticket.forget();
    return held.size;
  }

  /** Tickets held now for `key` (for tests). */
  held(key: string): number {
    return this.#byKey.get(key)?.size ?? 0;
  }

  #drop(ticket: Ticket): void {
    const held = this.#byKey.get(ticket.key);
    if (!held?.delete(ticket) || held.size > 0) return;
    this.#byKey.delete(ticket.key);
  }
}
