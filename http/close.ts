/**
 * Owns closing a resource that may already be closed (a connection, a
 * listener, a file): the one closeQuietly every module uses, and
 * resetQuietly for a connection that should end with a reset.
 *
 * Must not report anything: an already closed resource is not an error.
 */

/** Closes `closer`, ignoring that it may be closed already. */
export function closeQuietly(closer: { close(): void }): void {
  try {
    closer.close();
  } catch {
    // already closed: nothing left to release
  }
}

/**
 * Resets `conn` (RST) when it offers `reset()` (http/types.ts Resettable),
 * else closes it; ignores that it may be closed already.
 */
export function resetQuietly(conn: { close(): void }): void {
  const reset = (conn as { reset?: unknown }).reset;
  if (typeof reset !== "function") return closeQuietly(conn);
  try {
    reset.call(conn);
  } catch {
    closeQuietly(conn);
  }
}
