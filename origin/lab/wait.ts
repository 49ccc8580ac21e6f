/**
 * Owns the lab's waits (/lab/delay, a script's delay, the pauses of a
 * "slow" body): a timer that ends early, and is cleared, when the origin
 * stops, so no wait outlives the server.
 *
 * Must not decide what to answer after a wait.
 */

/**
 * Waits `ms` milliseconds, or less when `stop` aborts first (or was
 * aborted already). Resolves to true when the whole time passed, false
 * when `stop` ended it; the timer and the listener are gone either way.
 */
export function waitUnlessStopped(
  ms: number,
  stop?: AbortSignal,
): Promise<boolean> {
  if (stop?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const stopped = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      stop?.removeEventListener("abort", stopped);
      resolve(true);
    }, ms);
    stop?.addEventListener("abort", stopped, { once: true });
  });
}
