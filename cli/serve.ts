/**
 * Owns running one server from start to a graceful stop: the SIGINT and
 * SIGTERM listeners (set before binding, so no signal is missed), the
 * first stdout line `listening on http://HOST:PORT` (and the lines the
 * server adds, e.g. the admin listener's address), shutdown within a
 * grace period, and flushing the access log.
 *
 * Must not build configurations or know which server it runs.
 */

import { hostForUrl } from "./values.ts";

/** What cli/ needs of a running origin or proxy. */
export interface RunningServer {
  readonly addr: Deno.NetAddr;
  /** Lines for stdout after the first (the proxy's `admin on http://HOST:PORT`). */
  readonly more?: readonly string[];
  /** Lines for stderr known once started (after RunOptions.notes), e.g. a temporary folder's path. */
  readonly notes?: readonly string[];
  shutdown(graceMs?: number): Promise<void>;
}

/** The server could not start (port in use, address not available): exit 1. */
export class StartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartError";
  }
}

export interface RunOptions {
  /** Where the server is asked to listen, for error messages. */
  host: string;
  port: number;
  start: () => Promise<RunningServer>;
  /** Lines for stderr once listening (where the cache is, ...). */
  notes: readonly string[];
  /** Writes out buffered access-log lines. */
  flushLog: () => void;
  /** How long in-flight requests may take to finish after a signal. */
  graceMs: number;
}

const STOP_SIGNALS: readonly Deno.Signal[] = ["SIGINT", "SIGTERM"];

/** Starts the server, prints where it listens, stops it on a signal. */
export async function runUntilStopped(options: RunOptions): Promise<void> {
  const stop = Promise.withResolvers<void>();
  const removeListeners = onSignals(STOP_SIGNALS, () => stop.resolve());
  try {
    let server: RunningServer;
    try {
      server = await options.start();
    } catch (error) {
      throw new StartError(startFailure(error, options.host, options.port));
    }
    console.log(`listening on ${urlOf(server.addr)}`);
    for (const line of server.more ?? []) console.log(line);
    for (const note of options.notes) console.error(note);
    for (const note of server.notes ?? []) console.error(note);
    // Repeated signals while stopping are ignored: shutdown is bounded.
    await stop.promise;
    await server.shutdown(options.graceMs);
  } finally {
    options.flushLog();
    removeListeners();
  }
}

/** `http://HOST:PORT` of a bound address, IPv6 in brackets. */
export function urlOf(addr: Deno.NetAddr): string {
  return `http://${hostForUrl(addr.hostname)}:${addr.port}`;
}

function onSignals(
  signals: readonly Deno.Signal[],
  handler: () => void,
): () => void {
  const added: Deno.Signal[] = [];
  for (const signal of signals) {
    try {
      Deno.addSignalListener(signal, handler);
      added.push(signal);
    } catch {
      // Windows knows SIGINT only; the others cannot be listened for there.
    }
  }
  return () => {
    for (const signal of added) Deno.removeSignalListener(signal, handler);
  };
}

/** One reason why binding failed, without a repeated "Cannot start" prefix. */
function startFailure(error: unknown, host: string, port: number): string {
  const where = `${hostForUrl(host)}:${port}`;
  if (error instanceof Deno.errors.AddrInUse) {
    return `${where} is already in use`;
  }
  if (error instanceof Deno.errors.AddrNotAvailable) {
    return `${where} is not an address of this machine`;
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return `not allowed to listen on ${where} (ports below 1024 need privileges)`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Cannot start \w+: /, "").split("\n")[0]!;
}
