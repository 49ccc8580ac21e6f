/**
 * Owns the bounded waits of the tests: a deadline around a promise (a
 * guard against hangs, never an oracle) and hand-resolved promises for
 * ordering events between a test and the server it drives.
 *
 * Must not sleep to make a test pass: waits here end on events.
 */

/** Default bound on any single wait for bytes from a peer. */
export const DEFAULT_DEADLINE_MS = 5000;

/** Rejects with a clear message when `work` takes longer than `ms`. */
export async function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Cannot finish ${what}: over ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** A promise with its resolve and reject functions exposed. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

/** Makes a promise the test resolves by hand. */
export function deferred<T = void>(): Deferred<T> {
  const { promise, resolve, reject } = Promise.withResolvers<T>();
  return { promise, resolve, reject };
}

/**
 * Counts named events and lets a test wait until one reached a number
 * (the server's `count` option feeds it).
 */
export class EventCounter {
  #counts = new Map<string, number>();
  #waiters: { event: string; n: number; done: () => void }[] = [];
  /** Every event in the order it happened. */
  readonly order: string[] = [];

  /** Records one event. */
  add = (event: string): void => {
    this.order.push(event);
    this.#counts.set(event, this.get(event) + 1);
    this.#waiters = this.#waiters.filter((w) => {
      if (this.get(w.event) < w.n) return true;
      w.done();
      return false;
    });
  };

  /** How often `event` happened. */
  get(event: string): number {
    return this.#counts.get(event) ?? 0;
  }

  /** Resolves once `event` happened `n` times (bounded by `ms`). */
  waitFor(event: string, n = 1, ms = 5000): Promise<void> {
    if (this.get(event) >= n) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#waiters.push({ event, n, done: resolve });
    return withDeadline(promise, ms, `waiting for ${n} x "${event}"`);
  }
}

/** Reads once from `conn` within `ms`; null on close, "reset" on RST. */
export async function boundedRead(
  conn: Deno.Conn,
  buf: Uint8Array,
  ms: number,
  onExpire: () => void,
): Promise<number | null | "reset"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<"expired">((resolve) => {
    timer = setTimeout(() => resolve("expired"), Math.max(0, ms));
  });
  const read = conn.read(buf).catch((e) => {
    if (e instanceof Deno.errors.ConnectionReset) return "reset" as const;
    if (e instanceof Deno.errors.BadResource) return null;
    if (e instanceof Deno.errors.Interrupted) return null;
    throw e;
  });
  const result = await Promise.race([read, expired]);
  clearTimeout(timer);
  if (result === "expired") {
    onExpire();
    await read.catch(() => {});
    throw new Error(`Cannot read from peer: no bytes within ${ms} ms`);
  }
  return result;
}
