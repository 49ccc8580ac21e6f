/**
 * Owns closing a resource that may already be closed (a connection, a
 * listener, a file): the one closeQuietly every module uses.
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
